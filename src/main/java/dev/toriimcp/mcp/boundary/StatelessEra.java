package dev.toriimcp.mcp.boundary;

import static dev.toriimcp.mcp.boundary.McpWire.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toriimcp.mcp.boundary.McpServlet.Exchange;
import dev.toriimcp.mcp.control.InFlightCalls;
import dev.toriimcp.mcp.control.McpContext;
import dev.toriimcp.mcp.control.McpDispatcher;
import dev.toriimcp.mcp.control.ProtocolVersions;
import dev.toriimcp.mcp.entity.McpOutcome;
import dev.toriimcp.oauth.entity.AccessGrant;
import dev.toriimcp.platform.control.DeadlineTimers;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;

/**
 * The wire rules of the stateless era (MCP 2026-07-28 basic/transports/streamable-http,
 * basic/versioning): every request names its version in {@code MCP-Protocol-Version} and in
 * {@code _meta}, with its capabilities; the {@code Mcp-Method} and {@code Mcp-Name} headers
 * mirror the body. There is no {@code initialize}, no session ({@code Mcp-Session-Id} and
 * {@code Last-Event-ID} are ignored, none is minted), no batch, no GET stream; closing the
 * response cancels the request.
 *
 * <p>Which era a POST belongs to is decided per request by {@link #selects}, as the
 * compatibility rules of basic/versioning say a dual-era server does: a request carrying
 * modern metadata is served statelessly, {@code initialize} opens a handshake-era session. So a
 * handshake-era client never meets this era's errors, and a modern client never needs to fall
 * back.
 */
final class StatelessEra {

  static final String PROTOCOL_VERSION = "io.modelcontextprotocol/protocolVersion";
  static final String CLIENT_CAPABILITIES = "io.modelcontextprotocol/clientCapabilities";
  /** MCP 2026-07-28 basic/index, "Error Codes": the codes this era reserves. */
  static final int HEADER_MISMATCH = -32020;
  static final int UNSUPPORTED_PROTOCOL_VERSION = -32022;
  /** The methods whose {@code Mcp-Name} header mirrors {@code params.name} or {@code params.uri}. */
  private static final Set<String> NAMED = Set.of("tools/call", "resources/read", "prompts/get");
  private static final String SENTINEL_START = "=?base64?";
  private static final String SENTINEL_END = "?=";
  private static final AtomicLong REQUESTS = new AtomicLong();
  /** How long a call runs before its stream opens, and how often the stream is probed. */
  static final long PROBE_MILLIS = 1_000;
  private static final byte[] KEEP_ALIVE = ":\n\n".getBytes(StandardCharsets.US_ASCII);

  /** How often the waiting calls are looked at. */
  private static final long SWEEP_MILLIS = 250;
  private final ScheduledExecutorService probes = DeadlineTimers.create("torii-mcp-stream-probe");
  private final Set<Held> waiting = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean sweeping = new AtomicBoolean();

  private final McpServlet endpoint;
  private final InFlightCalls inFlight;

  StatelessEra(McpServlet endpoint, InFlightCalls inFlight) {
    this.endpoint = endpoint;
    this.inFlight = inFlight;
  }

  /**
   * Whether the POSTed message belongs to this era: not {@code initialize}, and its
   * {@code MCP-Protocol-Version} header is not a handshake-era version; a request without the
   * header belongs here when its {@code _meta} names a version that is not one either. Everything
   * else (a session's requests, old clients that send no header) is the handshake era's.
   */
  static boolean selects(HttpServletRequest request, JsonNode message) {
    return selects(ows(request.getHeader("MCP-Protocol-Version")), message);
  }

  /** {@link #selects(HttpServletRequest, JsonNode)} for the request's version header. */
  static boolean selects(String header, JsonNode message) {
    if (message != null && message.isObject()
        && "initialize".equals(message.path("method").asText())) {
      // A handshake-era client sends no version header with initialize; one that names this
      // era's version is a modern request for a method this era removed (404).
      return ProtocolVersions.stateless(header);
    }
    if (header != null) {
      return !ProtocolVersions.HANDSHAKE.contains(header);
    }
    String declared = declaredVersion(message);
    return declared != null && !ProtocolVersions.HANDSHAKE.contains(declared);
  }

  /** Whether a GET or DELETE names this era's version, which has neither. */
  static boolean named(HttpServletRequest request) {
    return ProtocolVersions.stateless(request.getHeader("MCP-Protocol-Version"));
  }

  void post(Exchange exchange) throws IOException {
    HttpServletRequest request = exchange.request();
    HttpServletResponse response = exchange.response();
    JsonNode message = exchange.message();
    String header = ows(request.getHeader("MCP-Protocol-Version"));
    String requested = header != null ? header : declaredVersion(message);
    JsonNode id = message != null && message.isObject() ? message.get("id") : null;
    if (!ProtocolVersions.stateless(requested)) {
      ObjectNode body = McpDispatcher.errorBody(id, UNSUPPORTED_PROTOCOL_VERSION,
          "Unsupported protocol version");
      ObjectNode data = ((ObjectNode) body.get("error")).putObject("data");
      ProtocolVersions.SUPPORTED.forEach(data.putArray("supported")::add);
      data.put("requested", requested.length() > 64 ? requested.substring(0, 64) : requested);
      json(response, 400, body);
      return;
    }
    if (message == null || !message.isObject()) {
      json(response, 400, McpDispatcher.errorBody(null, -32600, "Invalid Request: one JSON-RPC"
          + " message per POST; protocol version " + requested + " has no batches"));
      return;
    }
    if (McpDispatcher.isRequest(message)) {
      String refusal = mismatch(name -> ows(request.getHeader(name)), message);
      if (refusal != null) {
        json(response, 400, McpDispatcher.errorBody(id, HEADER_MISMATCH, refusal));
        return;
      }
      JsonNode meta = message.path("params").path("_meta");
      if (!meta.path(PROTOCOL_VERSION).isTextual() || !meta.path(CLIENT_CAPABILITIES).isObject()) {
        json(response, 400, McpDispatcher.errorBody(id, -32602, "Invalid params: _meta must name "
            + PROTOCOL_VERSION + " and " + CLIENT_CAPABILITIES));
        return;
      }
      if (!meta.path(PROTOCOL_VERSION).asText().equals(header)) {
        json(response, 400, McpDispatcher.errorBody(id, HEADER_MISMATCH, "Header mismatch:"
            + " MCP-Protocol-Version does not match _meta " + PROTOCOL_VERSION));
        return;
      }
    }
    McpServlet.Gate gate = exchange.gate();
    // No session scopes request ids here: each POST is its own conversation, and the only
    // cancellation is closing its stream (MCP 2026-07-28 basic/patterns/cancellation).
    String conversation = conversation(gate.grant());
    McpContext context = new McpContext(conversation, requested, null, null);
    McpOutcome outcome = endpoint.dispatch(gate, context, message);
    boolean streams = McpWire.acceptsEventStream(request.getHeader("Accept"));
    if (!(outcome instanceof McpOutcome.Pending pending)) {
      endpoint.answer(response, gate, exchange.framing(), streams, outcome, reply -> { });
      return;
    }
    CompletableFuture<McpOutcome> done = pending.outcome();
    AsyncContext async = request.startAsync();
    async.setTimeout(0);
    Held held = new Held(exchange, id, async, streams, () -> inFlight.cancel(conversation, id));
    held.watch = Disconnects.watch(request, async, held::gone);
    if (streams) {
      waiting.add(held);
      if (sweeping.compareAndSet(false, true)) {
        probes.scheduleWithFixedDelay(this::sweep, SWEEP_MILLIS, SWEEP_MILLIS,
            TimeUnit.MILLISECONDS);
      }
    }
    done.whenComplete((result, failure) -> held.finish(done.join()));
  }

  void close() {
    probes.shutdownNow();
  }

  /**
   * Probes the calls that have waited {@link #PROBE_MILLIS} since they started or were last
   * probed. One sweep for all of them rather than a timer per call: arming and disarming a timer
   * wakes its thread, twice per call, and most calls end long before their first probe.
   */
  private void sweep() {
    long now = System.nanoTime();
    for (Held call : waiting) {
      if (now - call.probed >= TimeUnit.MILLISECONDS.toNanos(PROBE_MILLIS)) {
        call.probed = now;
        try {
          call.probe();
        } catch (RuntimeException e) {
          call.gone();
        }
      }
    }
  }

  /**
   * A request whose answer waits for the upstream. The Servlet API tells of a client that went
   * away only when something is written (Payara's connector does not read a suspended
   * connection), so a call that takes longer than {@link #PROBE_MILLIS} opens its event stream
   * and sends a comment line every {@link #PROBE_MILLIS} (basic/transports encourages such
   * keep-alives): the write that fails is the disconnect, and it cancels the call, which aborts
   * the upstream request. Once the stream is open the HTTP status is 200, so a credential the
   * upstream refused ends the grant and is answered with a JSON-RPC error on the stream; the
   * client's next request then gets the 401 challenge.
   */
  private final class Held {
    private final Exchange exchange;
    private final JsonNode id;
    private final AsyncContext async;
    private final Runnable cancel;
    private final boolean streams;
    private boolean streaming;
    private boolean finished;
    Disconnects.Watch watch;
    /** When the call started or was last probed (System.nanoTime). */
    volatile long probed = System.nanoTime();

    Held(Exchange exchange, JsonNode id, AsyncContext async, boolean streams, Runnable cancel) {
      this.exchange = exchange;
      this.streams = streams;
      this.id = id;
      this.async = async;
      this.cancel = cancel;
    }

    synchronized void probe() {
      if (finished) {
        return;
      }
      HttpServletResponse response = exchange.response();
      try {
        if (!streaming) {
          watch.closely();
          McpWire.startEventStream(response);
          streaming = true;
        }
        response.getOutputStream().write(KEEP_ALIVE);
        response.flushBuffer();
      } catch (IOException | RuntimeException e) {
        gone();
      }
    }

    synchronized void gone() {
      if (!finished) {
        finished = true;
        stopWatching();
        // Not on this thread: it may be the container's, inside its notice of the close.
        probes.execute(cancel);
      }
    }

    void finish(McpOutcome outcome) {
      synchronized (this) {
        if (finished) {
          async.complete();
          return;
        }
        finished = true;
        stopWatching();
        try {
          if (!streaming) {
            endpoint.answer(exchange.response(), exchange.gate(), exchange.framing(), streams,
                outcome, reply -> { });
          } else if (outcome instanceof McpOutcome.ReAuthorize) {
            endpoint.revoke(exchange.gate());
            McpWire.event(exchange.response(), McpDispatcher.errorBody(id, -32000, "The user"
                + " must sign in to " + exchange.gate().definition().name() + " again; send the"
                + " request again to be asked to"));
          } else {
            McpWire.event(exchange.response(), ((McpOutcome.Reply) outcome).body());
          }
        } catch (IOException | RuntimeException e) {
          // The client went away; nothing left to tell it.
        } finally {
          async.complete();
        }
      }
    }

    private void stopWatching() {
      waiting.remove(this);
      if (watch != null) {
        watch.close();
      }
    }
  }

  /**
   * Why the mirrored headers do not match the body (basic/transports "Server Validation"), or
   * null: {@code MCP-Protocol-Version} and {@code Mcp-Method} on every request, {@code Mcp-Name}
   * on the named methods, values compared case-sensitively after decoding the Base64 sentinel.
   */
  static String mismatch(UnaryOperator<String> headers, JsonNode message) {
    if (headers.apply("MCP-Protocol-Version") == null) {
      return "Header mismatch: the MCP-Protocol-Version header is required";
    }
    String method = message.path("method").asText();
    String mcpMethod = headers.apply("Mcp-Method");
    if (mcpMethod == null) {
      return "Header mismatch: the Mcp-Method header is required";
    }
    if (!mcpMethod.equals(method)) {
      return "Header mismatch: Mcp-Method does not match the body's method";
    }
    if (!NAMED.contains(method)) {
      return null;
    }
    String mcpName = headers.apply("Mcp-Name");
    if (mcpName == null) {
      return "Header mismatch: the Mcp-Name header is required for " + method;
    }
    String name = decoded(mcpName);
    if (name == null) {
      return "Header mismatch: Mcp-Name is not a valid header value or Base64 sentinel";
    }
    JsonNode params = message.path("params");
    JsonNode expected = method.equals("resources/read") ? params.get("uri") : params.get("name");
    if (expected == null || !expected.isTextual() || !expected.asText().equals(name)) {
      return "Header mismatch: Mcp-Name does not match the body's " + (method.equals("resources/read")
          ? "params.uri" : "params.name");
    }
    return null;
  }

  /**
   * A header value as the client meant it: plain visible ASCII (with inner spaces and tabs), or
   * {@code =?base64?…?=} around the Base64 of its UTF-8 (basic/transports "Value Encoding");
   * null if it is neither.
   */
  static String decoded(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (!(c == '\t' || c >= 0x20 && c <= 0x7e)) {
        return null;
      }
    }
    if (!value.startsWith(SENTINEL_START) || !value.endsWith(SENTINEL_END)
        || value.length() < SENTINEL_START.length() + SENTINEL_END.length()) {
      return value;
    }
    String encoded = value.substring(SENTINEL_START.length(), value.length() - SENTINEL_END.length());
    try {
      byte[] bytes = Base64.getDecoder().decode(encoded);
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
    } catch (IllegalArgumentException | CharacterCodingException e) {
      return null;
    }
  }

  /**
   * A header value without the optional white space around it (RFC 9110 §5.5: it is not part
   * of the value), or null.
   */
  static String ows(String value) {
    if (value == null) {
      return null;
    }
    int start = 0;
    int end = value.length();
    while (start < end && (value.charAt(start) == ' ' || value.charAt(start) == '\t')) {
      start++;
    }
    while (end > start && (value.charAt(end - 1) == ' ' || value.charAt(end - 1) == '\t')) {
      end--;
    }
    return value.substring(start, end);
  }

  /** The version a message's {@code _meta} names, or null. */
  private static String declaredVersion(JsonNode message) {
    JsonNode version = message == null ? null : message.path("params").path("_meta").get(PROTOCOL_VERSION);
    return version != null && version.isTextual() ? version.asText() : null;
  }

  private static String conversation(AccessGrant grant) {
    return grant.subject() + "\n" + grant.clientId() + "\n" + grant.backend() + "\n#"
        + REQUESTS.incrementAndGet();
  }
}
