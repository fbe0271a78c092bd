package dev.toriimcp.mcp.entity;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** What the MCP endpoint answers to one POSTed message. */
public sealed interface McpOutcome {

  /**
   * A JSON-RPC response, sent with HTTP 200 (or {@code status} for transport-level errors), and
   * the notifications that go before it on an event stream when the client accepts one (MCP
   * basic/transports: the server MAY send notifications on the stream before the response).
   */
  record Reply(int status, JsonNode body, List<JsonNode> notifications) implements McpOutcome {
    public Reply {
      notifications = List.copyOf(notifications);
    }

    public Reply(int status, JsonNode body) {
      this(status, body, List.of());
    }
  }

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
