package dev.toriimcp.mcp.boundary;

import static dev.toriimcp.mcp.boundary.McpWire.eventStream;
import static dev.toriimcp.mcp.boundary.McpWire.framing;
import static dev.toriimcp.mcp.boundary.McpWire.hostAllowed;
import static dev.toriimcp.mcp.boundary.McpWire.json;
import static dev.toriimcp.mcp.boundary.McpWire.jsonContent;
import static dev.toriimcp.mcp.boundary.McpWire.notAcceptable;
import static dev.toriimcp.mcp.boundary.McpWire.preflight;
import static dev.toriimcp.mcp.boundary.McpWire.safe;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.toriimcp.catalog.control.Catalogs;
import dev.toriimcp.catalog.entity.BackendCatalog;
import dev.toriimcp.catalog.entity.ServedBackend;
import dev.toriimcp.configuration.control.LiveConfiguration;
import dev.toriimcp.configuration.entity.BackendDefinition;
import dev.toriimcp.configuration.entity.GatewayConfiguration;
import dev.toriimcp.mcp.boundary.McpWire.Framing;
import dev.toriimcp.mcp.control.InFlightCalls;
import dev.toriimcp.mcp.control.McpContext;
import dev.toriimcp.mcp.control.McpDispatcher;
import dev.toriimcp.mcp.control.Sessions;
import dev.toriimcp.mcp.entity.McpOutcome;
import dev.toriimcp.oauth.control.OAuthUris;
import dev.toriimcp.oauth.control.Tokens;
import dev.toriimcp.oauth.entity.AccessGrant;
import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The MCP endpoint of each backend, {@code /mcp/<backend>}, Streamable HTTP (MCP basic/transports).
 * In order: a non-loopback {@code Host} on a loopback gateway 403; a disallowed {@code Origin}
 * 403; unknown backend 404; a backend whose spec failed 503 with {@code Retry-After}; no valid
 * bearer token for this backend 401 with the RFC 6750/9728 challenge; a body declared as anything
 * but JSON 415, larger than 4 MiB 413, not JSON 400. Then the era's own rules take over:
 * {@link HandshakeEra} for sessions opened by {@code initialize}, {@link StatelessEra} for
 * requests that carry their version and capabilities themselves (MCP 2026-07-28), chosen per
 * request on the same URL. A store that fails while a
 * token or session is checked gives 503. GET opens a handshake-era session's stream of
 * notifications ({@link EventStreams}, ADR 0033) and is 405 otherwise; a browser's GET that
 * accepts HTML gets the backend's page ({@link BackendPage}).
 *
 * <p>Replies are {@code application/json}, or one {@code message} event of a
 * {@code text/event-stream} when the client accepts only a stream (ADR 0009); a tool call's log
 * messages go before its reply on a stream when the client accepts one (ADR 0013). A plain servlet
 * rather than a JAX-RS resource: on the tool-call path JAX-RS cost a third of the request
 * thread's CPU and gave nothing this endpoint needs (ADR 0009). A tool call is answered
 * asynchronously: the request thread returns to the pool while the upstream call runs.
 */
@WebServlet(urlPatterns = "/mcp/*", asyncSupported = true)
public class McpServlet extends HttpServlet {

  private static final long serialVersionUID = 1L;
  static final int MAX_BODY = 4 * 1024 * 1024;
  private static final Logger LOG = Logger.getLogger(McpServlet.class.getName());
  private static final ObjectMapper JSON = new ObjectMapper();

  @Inject transient Catalogs catalogs;
  @Inject transient LiveConfiguration live;
  @Inject transient Tokens tokens;
  @Inject transient McpDispatcher dispatcher;
  @Inject transient Sessions sessions;
  @Inject transient InFlightCalls inFlight;
  @Inject transient EventStreams streams;

  private final transient BackendPage page = new BackendPage();
  private transient HandshakeEra handshake;
  private transient StatelessEra stateless;

  @Override
  public void destroy() {
    stateless.close();
  }

  @Override
  public void init() {
    handshake = new HandshakeEra(this, sessions, dispatcher, streams);
    stateless = new StatelessEra(this, inFlight);
  }

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    GatewayConfiguration configuration = live.current();
    if (!hostAllowed(configuration.publicUrl().getHost(), request.getHeader("Host"))) {
      json(response, 403, McpDispatcher.errorBody(null, -32000, "Host not allowed"));
      return;
    }
    String origin = request.getHeader("Origin");
    if (!originAllowed(origin)) {
      // No CORS headers: the browser must not let the page read even this refusal.
      json(response, 403, McpDispatcher.errorBody(null, -32000, "Origin not allowed"));
      return;
    }
    if (origin != null) {
      response.setHeader("Access-Control-Allow-Origin", origin);
      response.setHeader("Access-Control-Expose-Headers",
          "WWW-Authenticate, Mcp-Session-Id, MCP-Protocol-Version");
      response.setHeader("Vary", "Origin");
    }
    if (BackendPage.wanted(request)) {
      String backend = backendName(request);
      ServedBackend served = backend == null ? null : catalogs.served(backend).orElse(null);
      page.serve(request, response, backend == null ? "" : safe(backend),
          served == null ? null : served.catalog(),
          served == null ? configuration.publicUrl() : configuration.mcpUrl(served.definition()));
      return;
    }
    switch (request.getMethod()) {
      case "POST" -> post(request, response);
      case "GET" -> get(request, response);
      case "DELETE" -> delete(request, response);
      case "OPTIONS" -> preflight(origin, response);
      default -> {
        response.setHeader("Allow", "POST, GET, DELETE, OPTIONS");
        json(response, 405, McpDispatcher.errorBody(null, -32000, "Method not allowed"));
      }
    }
  }

  /**
   * DNS-rebinding protection (MCP 2025-11-25 basic/transports: servers MUST validate Origin):
   * requests without Origin (server-side clients) pass; browser origins must be the gateway's own
   * or listed in {@code allowed_origins}, or, on a gateway whose public URL is a loopback one,
   * be a loopback origin themselves (see {@link McpWire#loopbackOrigin}).
   */
  boolean originAllowed(String origin) {
    if (origin == null) {
      return true;
    }
    GatewayConfiguration configuration = live.current();
    String own = configuration.publicUrl().getScheme() + "://" + configuration.publicUrl().getRawAuthority();
    return origin.equalsIgnoreCase(own) || configuration.allowedOrigins().contains(origin)
        || McpWire.loopbackOrigin(configuration.publicUrl().getHost(), origin);
  }

  private void post(HttpServletRequest request, HttpServletResponse response) throws IOException {
    Gate gate = gate(request, response);
    if (gate == null) {
      return;
    }
    if (!jsonContent(request.getContentType())) {
      json(response, 415, McpDispatcher.errorBody(null, -32000,
          "Unsupported Media Type: send the JSON-RPC message as application/json"));
      return;
    }
    byte[] bytes = request.getInputStream().readNBytes(MAX_BODY + 1);
    if (bytes.length > MAX_BODY) {
      json(response, 413, McpDispatcher.errorBody(null, -32600, "Request too large"));
      return;
    }
    JsonNode message;
    try {
      message = JSON.readTree(bytes);
    } catch (JsonProcessingException e) {
      json(response, 400, McpDispatcher.errorBody(null, -32700, "Parse error: the body is not JSON"));
      return;
    }
    Framing framing = framing(request.getHeader("Accept"));
    boolean isRequest = McpDispatcher.isRequest(message);
    if (isRequest && framing == Framing.NONE) {
      notAcceptable(response);
      return;
    }
    Exchange exchange = new Exchange(request, response, gate, message, framing);
    if (StatelessEra.selects(request, message)) {
      stateless.post(exchange);
    } else {
      handshake.post(exchange);
    }
  }

  McpOutcome dispatch(Gate gate, McpContext context, JsonNode message) {
    try {
      return dispatcher.handle(gate.definition(), gate.catalog().catalog(), gate.grant(),
          context, message);
    } catch (RuntimeException e) {
      // E.g. the store failed while opening the user's credential: an answer, never a stack.
      LOG.log(Level.WARNING, "MCP request on backend " + gate.definition().name() + " failed", e);
      JsonNode id = message != null && message.isObject() ? message.get("id") : null;
      return new McpOutcome.Reply(500, McpDispatcher.errorBody(id, -32603, "Internal error"));
    }
  }

  /**
   * Writes the outcome; {@code streams} says whether the client accepts an event stream, on
   * which the reply's notifications (log messages) go before it. Without them, or without a
   * stream, the reply goes alone as {@code framing} says (ADR 0009, 0013).
   */
  void answer(HttpServletResponse response, Gate gate, Framing framing, boolean streams,
      McpOutcome outcome, Consumer<McpOutcome.Reply> beforeWrite) throws IOException {
    if (outcome instanceof McpOutcome.Accepted) {
      response.setStatus(202);
      return;
    }
    if (outcome instanceof McpOutcome.ReAuthorize) {
      revoke(gate);
      challenge(response, gate.definition(), true,
          "the user must sign in to " + gate.definition().name() + " again");
      return;
    }
    McpOutcome.Reply reply = (McpOutcome.Reply) outcome;
    beforeWrite.accept(reply);
    if (reply.status() == 200 && streams && !reply.notifications().isEmpty()) {
      List<JsonNode> events = new ArrayList<>(reply.notifications());
      events.add(reply.body());
      eventStream(response, events);
    } else if (reply.status() == 200 && framing == Framing.EVENT_STREAM) {
      eventStream(response, reply.body());
    } else {
      json(response, reply.status(), reply.body());
    }
  }

  /**
   * The stream of a handshake-era session (ADR 0033). Without a session there is nothing to
   * stream to, and the stateless era has no GET stream: both 405, which clients take as "no
   * stream, carry on" (research §1.4; a 400 has made clients loop).
   */
  private void get(HttpServletRequest request, HttpServletResponse response) throws IOException {
    Gate gate = gate(request, response);
    if (gate == null) {
      return;
    }
    if (StatelessEra.named(request) || request.getHeader(HandshakeEra.SESSION) == null) {
      response.setHeader("Allow", "POST, DELETE");
      response.setStatus(405);
      return;
    }
    handshake.get(request, response, gate.grant(), bearer(request));
  }

  /**
   * The upstream refused the user's credential, or it is gone. A refreshed token would meet the
   * same credential, so the grant ends here: the client's refresh fails, it runs the
   * authorization again, and the user's new login stores a new credential.
   */
  void revoke(Gate gate) {
    try {
      tokens.revokeGrant(gate.grant().grantId());
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "could not revoke a grant on backend " + gate.definition().name()
          + " after its upstream refused the credential (" + e.getClass().getSimpleName() + ")");
    }
  }

  /** Ends a session (MCP basic/transports "Session Management"). */
  private void delete(HttpServletRequest request, HttpServletResponse response) throws IOException {
    Gate gate = gate(request, response);
    if (gate == null) {
      return;
    }
    if (StatelessEra.named(request)) {
      // MCP 2026-07-28 basic/transports: no sessions, so nothing to end.
      response.setHeader("Allow", "POST");
      json(response, 405, McpDispatcher.errorBody(null, -32000,
          "Method not allowed: protocol version 2026-07-28 has no sessions to end"));
      return;
    }
    handshake.delete(request, response, gate.grant());
  }

  /** One POSTed message that passed the transport's checks, and the caller it came from. */
  record Exchange(HttpServletRequest request, HttpServletResponse response, Gate gate,
      JsonNode message, Framing framing) {}

  record Gate(BackendDefinition definition, BackendCatalog.Ready catalog, AccessGrant grant) {}

  /** The backend and the caller's grant, or null after answering the refusal. */
  /** The backend named by the path, {@code /mcp/<backend>}, or null when the path names none. */
  private static String backendName(HttpServletRequest request) {
    String path = request.getPathInfo();
    return path == null || path.length() < 2 || path.indexOf('/', 1) >= 0 ? null
        : path.substring(1);
  }

  /** The bearer token of the {@code Authorization} header, or null. */
  private static String bearer(HttpServletRequest request) {
    String authorization = request.getHeader("Authorization");
    return authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
        ? authorization.substring(7).trim() : null;
  }

  private Gate gate(HttpServletRequest request, HttpServletResponse response) throws IOException {
    String backend = backendName(request);
    // One read: the definition and the catalog come from the same configuration (ADR 0032).
    ServedBackend served = backend == null ? null : catalogs.served(backend).orElse(null);
    BackendCatalog catalog = served == null ? null : served.catalog();
    if (catalog == null) {
      json(response, 404, McpDispatcher.errorBody(null, -32000,
          "no backend named '" + safe(backend == null ? "" : backend) + "'"));
      return null;
    }
    if (catalog instanceof BackendCatalog.Failed) {
      // The detailed reason (file paths, parser messages) stays in the server log.
      response.setHeader("Retry-After", "300");
      json(response, 503, McpDispatcher.errorBody(null, -32000, "backend '" + backend
          + "' is unavailable: its API description could not be loaded; the gateway log says why"));
      return null;
    }
    BackendDefinition definition = served.definition();
    String token = bearer(request);
    // Another scheme, or "Bearer" with nothing after it, is no token at all (research RS-3).
    boolean presented = token != null && !token.isEmpty();
    Optional<AccessGrant> grant;
    try {
      grant = presented ? tokens.validate(token, backend) : Optional.empty();
    } catch (RuntimeException e) {
      storeUnavailable(response, e);
      return null;
    }
    if (grant.isEmpty()) {
      challenge(response, definition, presented, presented
          ? "the access token is not valid for this backend" : "authorization required");
      return null;
    }
    return new Gate(definition, (BackendCatalog.Ready) catalog, grant.get());
  }

  /**
   * The database did not answer (research RS-16): 503, so the client tries again later rather
   * than sending its user through authorization for a token that may well be valid.
   */
  static void storeUnavailable(HttpServletResponse response, RuntimeException e)
      throws IOException {
    LOG.log(Level.WARNING, "MCP request refused with 503: the store did not answer", e);
    response.setHeader("Retry-After", "5");
    json(response, 503, McpDispatcher.errorBody(null, -32000,
        "The gateway cannot check this request now; try again shortly"));
  }

  /**
   * RFC 6750 §3 / RFC 9728 §5.1: no {@code error} attribute without credentials; a token only in
   * the query string is not a credential here (MCP: never in the query).
   */
  private void challenge(HttpServletResponse response, BackendDefinition definition,
      boolean invalidToken, String message) throws IOException {
    response.setHeader("WWW-Authenticate", "Bearer resource_metadata=\""
        + OAuthUris.protectedResourceMetadata(live.current(), definition) + "\", scope=\""
        + OAuthUris.scope(definition) + "\"" + (invalidToken ? ", error=\"invalid_token\"" : ""));
    // Browser clients must be able to read the challenge even without an allowed Origin's CORS.
    response.setHeader("Access-Control-Expose-Headers", "WWW-Authenticate");
    json(response, 401, McpDispatcher.errorBody(null, -32000, message));
  }
}
