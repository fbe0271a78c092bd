/**
 * Calling backends: turning a tool call into the HTTP request the spec describes
 * ({@code UpstreamRequestBuilder}), and the HTTP response into an MCP {@code CallToolResult}
 * ({@code UpstreamResponseMapper}). Base URLs come only from configuration and the spec; no
 * argument can change the path, the host or a protected header.
 */
package dev.toriimcp.upstream;
