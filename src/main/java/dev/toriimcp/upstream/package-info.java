/**
 * Calling backends: turning a tool call into the HTTP request the spec describes
 * ({@code UpstreamRequestBuilder}), and the HTTP response into an MCP {@code CallToolResult}
 * ({@code UpstreamResponseMapper}). Base URLs come only from configuration and the spec; no
 * argument can change the path, the host or a protected header. The user's credential stays
 * with its backend (ADR 0016): a request leaves only for the backend's origin
 * ({@code UpstreamOrigins}), path values cannot walk out of the operation's path
 * ({@code PathSegmentGuard}), and copies of the credential in an answer are redacted
 * ({@code CredentialRedaction}).
 */
package dev.toriimcp.upstream;
