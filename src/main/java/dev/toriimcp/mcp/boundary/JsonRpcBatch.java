package dev.toriimcp.mcp.boundary;

import static dev.toriimcp.mcp.boundary.McpWire.json;
import static dev.toriimcp.mcp.boundary.McpWire.notAcceptable;
import static dev.toriimcp.mcp.boundary.McpWire.whenDone;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.toriimcp.mcp.boundary.McpWire.Framing;
import dev.toriimcp.mcp.control.McpDispatcher;
import dev.toriimcp.mcp.control.ProtocolShapes;
import dev.toriimcp.mcp.entity.McpOutcome;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A JSON-RPC batch, which only 2025-03-26 allows (research §1.2; JSON-RPC 2.0 §6): each message
 * is dispatched as if posted alone, and the answer is the array of the responses to its requests
 * (and to elements that are no message at all), in the batch's order. Notifications and client
 * responses get none: a batch of only those is 202, or 400 if one of them was refused.
 * {@code initialize} may not be batched. A call whose upstream refuses the user's credential
 * makes the whole answer the 401 challenge.
 *
 * <p>Bounded (ADR 0013): one POST of 4 MiB once held some 87,000 {@code tools/list} messages, each
 * answered with a full page. Now a batch holds at most {@link #MAX_MESSAGES} messages, every one
 * of them counts against the user's per-minute limit (a refused one is answered with a JSON-RPC
 * error and not handled), and the replies together are at most {@link #MAX_REPLY_BYTES}: those
 * past it are replaced by an error saying so.
 */
final class JsonRpcBatch {

  /** The most messages one batch may hold. */
  static final int MAX_MESSAGES = 32;
  /** The most bytes the replies to one batch may take together, as JSON. */
  static final int MAX_REPLY_BYTES = 4 * 1024 * 1024;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What the endpoint does with one message of the batch, and how it writes an answer. */
  interface Endpoint {
    McpOutcome dispatch(JsonNode message);

    /** Charges one message to the user's limits: null if admitted, else why not. */
    String charge();

    void answer(McpOutcome outcome) throws IOException;
  }

  private JsonRpcBatch() {}

  static void handle(HttpServletRequest request, HttpServletResponse response, Framing framing,
      String version, JsonNode messages, Endpoint endpoint) throws IOException {
    String refusal = null;
    boolean anyRequest = false;
    for (JsonNode message : messages.size() > MAX_MESSAGES ? List.<JsonNode>of() : messages) {
      boolean isRequest = McpDispatcher.isRequest(message);
      anyRequest |= isRequest;
      if (isRequest && "initialize".equals(message.path("method").asText())) {
        refusal = "Invalid Request: initialize cannot be part of a batch";
      }
    }
    if (!ProtocolShapes.BATCHING.equals(version)) {
      refusal = "Invalid Request: JSON-RPC batches exist only in protocol version "
          + ProtocolShapes.BATCHING + "; send one message per POST";
    } else if (messages.isEmpty()) {
      refusal = "Invalid Request: empty batch";
    } else if (messages.size() > MAX_MESSAGES) {
      refusal = "Invalid Request: a batch holds at most " + MAX_MESSAGES + " messages; this one has "
          + messages.size() + ". Send fewer per POST";
    }
    if (refusal != null) {
      json(response, 400, McpDispatcher.errorBody(null, -32600, refusal));
      return;
    }
    if (anyRequest && framing == Framing.NONE) {
      notAcceptable(response);
      return;
    }
    List<CompletableFuture<McpOutcome>> outcomes = new ArrayList<>();
    for (JsonNode message : messages) {
      String limited = McpDispatcher.chargesItself(message) ? null : endpoint.charge();
      McpOutcome outcome = limited == null ? endpoint.dispatch(message)
          : new McpOutcome.Reply(429, McpDispatcher.errorBody(idOf(message),
              McpDispatcher.RATE_LIMITED, limited));
      outcomes.add(outcome instanceof McpOutcome.Pending pending ? pending.outcome()
          : CompletableFuture.completedFuture(outcome));
    }
    whenDone(request, CompletableFuture.allOf(outcomes.toArray(CompletableFuture[]::new)),
        () -> answer(response, messages, outcomes, endpoint));
  }

  private static void answer(HttpServletResponse response, JsonNode messages,
      List<CompletableFuture<McpOutcome>> outcomes, Endpoint endpoint) throws IOException {
    List<JsonNode> replies = new ArrayList<>();
    McpOutcome.Reply refused = null;
    for (int i = 0; i < outcomes.size(); i++) {
      McpOutcome done = outcomes.get(i).join(); // complete, never exceptionally (Pending)
      if (done instanceof McpOutcome.ReAuthorize) {
        endpoint.answer(done);
        return;
      }
      if (done instanceof McpOutcome.Reply reply) {
        // JSON-RPC: no reply to a notification or a response, even a refused one.
        if (McpDispatcher.expectsReply(messages.get(i))) {
          replies.add(reply.body());
        } else if (refused == null) {
          refused = reply;
        }
      }
    }
    if (!replies.isEmpty()) {
      endpoint.answer(new McpOutcome.Reply(200, bounded(replies, MAX_REPLY_BYTES)));
    } else if (refused != null) {
      // 2025-03-26 transport: input of only notifications and responses that is not accepted
      // gets an HTTP error.
      json(response, refused.status() == 429 ? 429 : 400, refused.body());
    } else {
      response.setStatus(202);
    }
  }

  /**
   * The replies in their order, but those that would take the whole past {@code maxBytes} of
   * JSON replaced by an error with the same id saying so (a later, smaller one may still fit).
   */
  static ArrayNode bounded(List<JsonNode> replies, long maxBytes) throws IOException {
    ArrayNode bounded = JsonNodeFactory.instance.arrayNode();
    long budget = maxBytes;
    for (JsonNode reply : replies) {
      int size = JSON.writeValueAsBytes(reply).length;
      if (size > budget) {
        bounded.add(McpDispatcher.errorBody(reply.get("id"), -32000, "The request was handled,"
            + " but its reply is withheld: the replies to one batch may take at most " + maxBytes
            + " bytes. Send large requests on their own"));
      } else {
        budget -= size;
        bounded.add(reply);
      }
    }
    return bounded;
  }

  /** The id of a request, to answer it with; null for anything else. */
  private static JsonNode idOf(JsonNode message) {
    JsonNode id = message != null && message.isObject() ? message.get("id") : null;
    return id != null && (id.isTextual() || id.isIntegralNumber()) ? id : null;
  }
}
