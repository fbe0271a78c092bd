package dev.toriimcp.mcp.boundary;

import static dev.toriimcp.mcp.boundary.McpWire.json;
import static dev.toriimcp.mcp.boundary.McpWire.safe;
import static dev.toriimcp.mcp.boundary.McpWire.visibleAscii;
import static dev.toriimcp.mcp.boundary.McpWire.whenDone;

import com.fasterxml.jackson.databind.JsonNode;
import dev.toriimcp.mcp.boundary.McpServlet.Exchange;
import dev.toriimcp.mcp.control.McpContext;
import dev.toriimcp.mcp.control.McpDispatcher;
import dev.toriimcp.mcp.control.ProtocolShapes;
import dev.toriimcp.mcp.control.Sessions;
import dev.toriimcp.mcp.entity.McpOutcome;
import dev.toriimcp.oauth.entity.AccessGrant;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;

/**
 * The wire rules of the handshake era (MCP 2024-11-05 to 2025-11-25 basic/transports and
 * lifecycle): a successful {@code initialize} opens a session ({@code Mcp-Session-Id}, bound to
 * user, client and backend, stored in the database); {@code initialize} on a live session is
 * 400; a request naming an unknown or ended session is 404; a session id that is not visible
 * ASCII is 400; an unsupported {@code MCP-Protocol-Version} is 400; one JSON-RPC message per POST
 * (notifications and responses 202), or a batch of them where the version allows it: a
 * 2025-03-26 session, or a request with neither session nor version header. GET opens the
 * session's stream of notifications ({@link EventStreams}); DELETE ends a session, and its
 * stream.
 */
final class HandshakeEra {

  static final String SESSION = "Mcp-Session-Id";

  private final McpServlet endpoint;
  private final Sessions sessions;
  private final McpDispatcher dispatcher;
  private final EventStreams streams;

  HandshakeEra(McpServlet endpoint, Sessions sessions, McpDispatcher dispatcher,
      EventStreams streams) {
    this.endpoint = endpoint;
    this.sessions = sessions;
    this.dispatcher = dispatcher;
    this.streams = streams;
  }

  void post(Exchange exchange) throws IOException {
    HttpServletRequest request = exchange.request();
    HttpServletResponse response = exchange.response();
    JsonNode message = exchange.message();
    McpServlet.Gate gate = exchange.gate();
    String sessionId = request.getHeader(SESSION);
    if (sessionId != null && !visibleAscii(sessionId)) {
      json(response, 400, McpDispatcher.errorBody(null, -32600,
          "Invalid Request: Mcp-Session-Id must be visible ASCII"));
      return;
    }
    boolean initialize = McpDispatcher.isRequest(message)
        && "initialize".equals(message.path("method").asText());
    // The version of initialize is negotiated in its body, not by this header (research §1.6).
    if (!initialize && !protocolVersionAllowed(request, response)) {
      return;
    }
    Sessions.Live session;
    try {
      session = sessionId == null ? null : sessions.live(sessionId, gate.grant());
    } catch (RuntimeException e) {
      McpServlet.storeUnavailable(response, e);
      return;
    }
    boolean live = session != null;
    if (initialize && live) {
      // Research TR-14. A stale or unknown session id on initialize is let through: not every
      // client drops it before re-initializing after a 404.
      json(response, 400, McpDispatcher.errorBody(message.get("id"), -32600,
          "Invalid Request: this session is initialized already; initialize without Mcp-Session-Id"));
      return;
    }
    if (!initialize && sessionId != null && !live) {
      // MCP basic/transports: a terminated or unknown session is 404; the client re-initializes.
      json(response, 404, McpDispatcher.errorBody(null, -32001, "Session not found"));
      return;
    }
    String version = version(live ? session.protocolVersion() : null, request);
    McpContext context = new McpContext(conversation(gate.grant(), sessionId), version,
        live ? sessionId : null, live ? session.logLevel() : null);
    boolean streams = McpWire.acceptsEventStream(request.getHeader("Accept"));
    if (message != null && message.isArray()) {
      JsonRpcBatch.handle(request, response, exchange.framing(), version, message,
          new JsonRpcBatch.Endpoint() {
            @Override
            public McpOutcome dispatch(JsonNode element) {
              return endpoint.dispatch(gate, context, element);
            }

            @Override
            public String charge() {
              return dispatcher.charge(gate.definition(), gate.grant());
            }

            @Override
            public void answer(McpOutcome outcome) throws IOException {
              endpoint.answer(response, gate, exchange.framing(), false, outcome,
                  reply -> { });
            }
          });
      return;
    }
    McpOutcome outcome = endpoint.dispatch(gate, context, message);
    CompletableFuture<McpOutcome> done = outcome instanceof McpOutcome.Pending pending
        ? pending.outcome() : CompletableFuture.completedFuture(outcome);
    whenDone(request, done, () -> endpoint.answer(response, gate, exchange.framing(), streams,
        done.join(), reply -> {
          if (initialize && reply.status() == 200 && reply.body().has("result")) {
            response.setHeader(SESSION, sessions.create(gate.grant(),
                reply.body().at("/result/protocolVersion").asText()));
          }
        }));
  }

  /**
   * Opens the session's stream for server-to-client messages (MCP basic/transports, "Listening
   * for Messages from the Server"; ADR 0033): the same 400 and 404 as a POST in the session, 406
   * without {@code Accept: text/event-stream}, 405 over the streams' bounds. The caller answered
   * the GET without a session (405).
   */
  void get(HttpServletRequest request, HttpServletResponse response, AccessGrant grant,
      String token) throws IOException {
    String sessionId = request.getHeader(SESSION);
    if (!visibleAscii(sessionId)) {
      json(response, 400, McpDispatcher.errorBody(null, -32600,
          "Invalid Request: Mcp-Session-Id must be visible ASCII"));
      return;
    }
    if (!protocolVersionAllowed(request, response)) {
      return;
    }
    if (!McpWire.acceptsStream(request.getHeader("Accept"))) {
      json(response, 406, McpDispatcher.errorBody(null, -32000,
          "Not Acceptable: the GET stream is text/event-stream; accept it"));
      return;
    }
    Sessions.Live session;
    try {
      session = sessions.live(sessionId, grant);
    } catch (RuntimeException e) {
      McpServlet.storeUnavailable(response, e);
      return;
    }
    if (session == null) {
      json(response, 404, McpDispatcher.errorBody(null, -32001, "Session not found"));
      return;
    }
    if (streams.open(request, response, sessionId, grant, token) == EventStreams.Opened.FULL) {
      response.setHeader("Allow", "POST, DELETE");
      json(response, 405, McpDispatcher.errorBody(null, -32000,
          "Method not allowed: no more streams can be opened now; POST works as before"));
    }
  }

  /** Ends a session (MCP basic/transports "Session Management"). */
  void delete(HttpServletRequest request, HttpServletResponse response, AccessGrant grant)
      throws IOException {
    if (!protocolVersionAllowed(request, response)) {
      return;
    }
    String sessionId = request.getHeader(SESSION);
    if (sessionId == null) {
      json(response, 400, McpDispatcher.errorBody(null, -32600, "Mcp-Session-Id header required"));
      return;
    }
    boolean ended;
    try {
      ended = sessions.end(sessionId, grant);
    } catch (RuntimeException e) {
      McpServlet.storeUnavailable(response, e);
      return;
    }
    if (ended) {
      streams.ended(sessionId);
      response.setStatus(204);
    } else {
      json(response, 404, McpDispatcher.errorBody(null, -32001, "Session not found"));
    }
  }

  /** An {@code MCP-Protocol-Version} header, if any, names a supported version; else 400. */
  private static boolean protocolVersionAllowed(HttpServletRequest request,
      HttpServletResponse response) throws IOException {
    String protocolVersion = request.getHeader("MCP-Protocol-Version");
    if (protocolVersion == null || McpDispatcher.PROTOCOL_VERSIONS.contains(protocolVersion)) {
      return true;
    }
    json(response, 400, McpDispatcher.errorBody(null, -32000, "Unsupported MCP-Protocol-Version "
        + safe(protocolVersion) + "; supported: " + String.join(", ", McpDispatcher.PROTOCOL_VERSIONS)));
    return false;
  }

  /**
   * The version that shapes the answer: the session's, else the request's header (checked
   * above), else the one MCP says to assume without either (research §1.6).
   */
  private static String version(String negotiated, HttpServletRequest request) {
    if (negotiated != null) {
      return negotiated;
    }
    String header = request.getHeader("MCP-Protocol-Version");
    return header != null ? header : ProtocolShapes.ASSUMED;
  }

  /** User, client, backend and session: the scope in which JSON-RPC request ids are unique. */
  private static String conversation(AccessGrant grant, String sessionId) {
    return grant.subject() + "\n" + grant.clientId() + "\n" + grant.backend() + "\n"
        + (sessionId == null ? "" : sessionId);
  }
}
