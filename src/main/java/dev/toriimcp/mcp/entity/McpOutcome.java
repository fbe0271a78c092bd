package dev.toriimcp.mcp.entity;

import com.fasterxml.jackson.databind.JsonNode;

/** What the MCP endpoint answers to one POSTed message. */
public sealed interface McpOutcome {

  /** A JSON-RPC response, sent with HTTP 200 (or {@code status} for transport-level errors). */
  record Reply(int status, JsonNode body) implements McpOutcome {}

  /** A notification or response from the client: HTTP 202, no body. */
  record Accepted() implements McpOutcome {}

  /**
   * The user's upstream credential is missing or no longer accepted upstream: HTTP 401 with the
   * challenge, so that the MCP client runs authorization again (and the user logs in again).
   */
  record ReAuthorize() implements McpOutcome {}

  /**
   * The answer depends on an upstream call still in flight; the endpoint releases its request
   * thread and answers when {@code outcome} completes (never exceptionally, never with another
   * Pending).
   */
  record Pending(java.util.concurrent.CompletableFuture<McpOutcome> outcome) implements McpOutcome {}
}
