/**
 * The gateway as OAuth 2.1 authorization server toward MCP clients and as protected resource
 * ({@code /mcp/<backend>}). Discovery follows RFC 9728 (one protected-resource document per
 * backend, path-suffixed) and RFC 8414 (issuer = {@code public_url}, endpoints at the host root,
 * the same document also at {@code /.well-known/openid-configuration}). The issuer and resource
 * strings are byte-identical everywhere they appear (research trap 1 and 2).
 */
package dev.toriimcp.oauth;
