package dev.toriimcp.mcp.control;

/**
 * What one POSTed message is handled in: the caller's conversation (user, client, backend and
 * MCP session, the scope of JSON-RPC request ids; see {@link InFlightCalls}), the protocol
 * version that shapes the answer, the session's id (null without one) and the logging level its
 * client chose (null if none; see {@link McpLogging}).
 */
public record McpContext(String conversation, String protocolVersion, String sessionId,
    String logLevel) {

  /** Whether the request is of the stateless era (MCP 2026-07-28), not of a session's. */
  public boolean stateless() {
    return ProtocolVersions.stateless(protocolVersion);
  }
}
