package dev.toriimcp.mcp.boundary;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.toriimcp.mcp.control.McpDispatcher;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

/**
 * The MCP endpoint's HTTP rules that need no gateway state (MCP basic/transports and the
 * research traps): which {@code Accept}, {@code Content-Type}, {@code Host} and session-id
 * values pass, the CORS preflight, and how a reply is written, as JSON or as a stream.
 */
final class McpWire {

  /** How the client accepts replies. */
  enum Framing { JSON, EVENT_STREAM, NONE }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern IPV4_LOOPBACK = Pattern.compile("127(\\.\\d{1,3}){3}");

  private McpWire() {}

  /** CORS preflight for browser clients of allowed origins (research trap 24). */
  static void preflight(String origin, HttpServletResponse response) {
    if (origin == null) {
      response.setStatus(403);
      return;
    }
    response.setHeader("Access-Control-Allow-Methods", "POST, GET, DELETE, OPTIONS");
    response.setHeader("Access-Control-Allow-Headers", "Content-Type, Accept, Authorization,"
        + " Mcp-Session-Id, MCP-Protocol-Version, Last-Event-ID, Mcp-Method, Mcp-Name");
    response.setHeader("Access-Control-Max-Age", "600");
    response.setStatus(204);
  }

  /**
   * DNS rebinding, second line (research §1.1; conformance {@code dns-rebinding-protection}):
   * when the gateway's public URL names a loopback host, the request must name one too, so a
   * page whose own name was made to resolve to 127.0.0.1 is refused even when it sends no
   * {@code Origin}. A gateway with a public name is reached through proxies under names it cannot
   * know, so {@code Host} is not checked there.
   */
  static boolean hostAllowed(String publicHost, String host) {
    if (host == null || publicHost == null || !loopback(publicHost.toLowerCase(Locale.ROOT))) {
      return true;
    }
    String name = host.trim().toLowerCase(Locale.ROOT);
    int colon = name.lastIndexOf(':');
    if (colon > name.lastIndexOf(']')) {
      name = name.substring(0, colon);
    }
    return loopback(name);
  }

  private static boolean loopback(String name) {
    return name.equals("localhost") || name.equals("[::1]") || name.equals("::1")
        || IPV4_LOOPBACK.matcher(name).matches();
  }

  /**
   * JSON unless the client accepts only an event stream (Anthropic's proxy has sent
   * {@code Accept: text/event-stream} alone); no header or a wildcard means JSON; a header that
   * allows neither is {@link Framing#NONE} (research §1.2: be lenient, 406 only then).
   */
  static Framing framing(String accept) {
    if (accept == null || accept.isBlank()) {
      return Framing.JSON;
    }
    boolean stream = false;
    for (String type : acceptedTypes(accept)) {
      if (type.equals("application/json") || type.equals("application/*") || type.equals("*/*")) {
        return Framing.JSON;
      }
      stream |= type.equals("text/event-stream") || type.equals("text/*");
    }
    return stream ? Framing.EVENT_STREAM : Framing.NONE;
  }

  /**
   * Whether the client names an event stream among what it accepts (MCP basic/transports:
   * clients list both {@code application/json} and {@code text/event-stream}), even if it
   * prefers JSON; a log message can then go before the reply on the call's stream.
   */
  static boolean acceptsEventStream(String accept) {
    return accept != null && acceptedTypes(accept).contains("text/event-stream");
  }

  /**
   * Whether a GET's {@code Accept} admits an event stream (MCP basic/transports: the client
   * lists {@code text/event-stream}); a wildcard does too. No header does not.
   */
  static boolean acceptsStream(String accept) {
    if (accept == null) {
      return false;
    }
    List<String> types = acceptedTypes(accept);
    return types.contains("text/event-stream") || types.contains("text/*")
        || types.contains("*/*");
  }

  /** The media ranges of an {@code Accept} header, lower case, less those with q=0. */
  private static List<String> acceptedTypes(String accept) {
    List<String> types = new ArrayList<>();
    for (String range : accept.split(",")) {
      String[] parts = range.split(";");
      boolean refused = false;
      for (int i = 1; i < parts.length; i++) {
        String parameter = parts[i].trim().toLowerCase(Locale.ROOT).replace(" ", "");
        refused |= parameter.matches("q=0(\\.0{0,3})?");
      }
      if (!refused) {
        types.add(parts[0].trim().toLowerCase(Locale.ROOT));
      }
    }
    return types;
  }

  /**
   * DNS rebinding (conformance {@code dns-rebinding-protection}; research §1.1): on a gateway whose
   * public URL names a loopback host, a browser origin that is itself loopback
   * ({@code localhost}, {@code 127.x.x.x} or {@code [::1]}, any port, http or https) is a page
   * served from this machine, such as a local inspector, and is allowed. A rebinding page always
   * comes with the attacker's own name as its Origin, and a local process could reach the gateway
   * without a browser anyway. A gateway with a public name allows only its own and the listed
   * origins.
   */
  static boolean loopbackOrigin(String publicHost, String origin) {
    if (publicHost == null || !loopback(publicHost.toLowerCase(Locale.ROOT))) {
      return false;
    }
    URI uri;
    try {
      uri = new URI(origin);
    } catch (URISyntaxException e) {
      return false;
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    String host = uri.getHost();
    boolean bare = uri.getRawPath() == null || uri.getRawPath().isEmpty();
    return (scheme.equals("http") || scheme.equals("https")) && host != null && bare
        && uri.getRawUserInfo() == null && uri.getRawQuery() == null
        && loopback(host.toLowerCase(Locale.ROOT));
  }

  /**
   * Research TR-6: a body declared as anything but JSON is 415. A request without
   * {@code Content-Type} is read as JSON (lenient; some clients leave it out).
   */
  static boolean jsonContent(String contentType) {
    if (contentType == null || contentType.isBlank()) {
      return true;
    }
    String type = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    return type.equals("application/json") || type.startsWith("application/") && type.endsWith("+json");
  }

  /** MCP basic/transports: a session id is visible ASCII (0x21 to 0x7E) only. */
  static boolean visibleAscii(String text) {
    return !text.isEmpty() && text.chars().allMatch(c -> c >= 0x21 && c <= 0x7e);
  }

  static void json(HttpServletResponse response, int status, JsonNode body)
      throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(body);
    response.setStatus(status);
    response.setContentType("application/json");
    response.setContentLength(bytes.length);
    try (OutputStream out = response.getOutputStream()) {
      out.write(bytes);
    }
  }

  /**
   * The reply as the one event of a stream that ends after it (basic/transports §SSE); the
   * replies to a batch as one event each, since clients parse each event as one message.
   */
  static void eventStream(HttpServletResponse response, JsonNode body) throws IOException {
    List<JsonNode> messages = new ArrayList<>();
    (body.isArray() ? body : List.of(body)).forEach(messages::add);
    eventStream(response, messages);
  }

  /** The messages as the events of one stream, in order, that ends after the last. */
  static void eventStream(HttpServletResponse response, List<JsonNode> messages)
      throws IOException {
    StringBuilder events = new StringBuilder();
    for (JsonNode message : messages) {
      events.append("event: message\ndata: ").append(JSON.writeValueAsString(message)).append("\n\n");
    }
    byte[] bytes = events.toString().getBytes(StandardCharsets.UTF_8);
    response.setStatus(200);
    response.setContentType("text/event-stream");
    response.setCharacterEncoding("UTF-8");
    response.setHeader("Cache-Control", "no-cache");
    response.setHeader("X-Accel-Buffering", "no");
    response.setContentLength(bytes.length);
    try (OutputStream out = response.getOutputStream()) {
      out.write(bytes);
    }
  }

  /** Commits a 200 event stream whose events are written later, one by one. */
  static void startEventStream(HttpServletResponse response) throws IOException {
    response.setStatus(200);
    response.setContentType("text/event-stream");
    response.setCharacterEncoding("UTF-8");
    response.setHeader("Cache-Control", "no-cache");
    response.setHeader("X-Accel-Buffering", "no");
    response.flushBuffer();
  }

  /** One more message on a stream opened with {@link #startEventStream}. */
  static void event(HttpServletResponse response, JsonNode message) throws IOException {
    OutputStream out = response.getOutputStream();
    out.write(("event: message\ndata: " + JSON.writeValueAsString(message) + "\n\n")
        .getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  static void notAcceptable(HttpServletResponse response) throws IOException {
    json(response, 406, McpDispatcher.errorBody(null, -32000,
        "Not Acceptable: accept application/json or text/event-stream"));
  }

  /** Writes an answer. */
  interface Answer {
    void write() throws IOException;
  }

  /**
   * Writes the answer at once if {@code done} is complete; otherwise the request thread goes
   * back to the pool and the answer is written when the upstream calls end. Each has its own
   * timeout, so {@code done} always completes.
   */
  static void whenDone(HttpServletRequest request, CompletableFuture<?> done, Answer answer)
      throws IOException {
    if (done.isDone()) {
      answer.write();
      return;
    }
    AsyncContext async = request.startAsync();
    async.setTimeout(0);
    done.whenComplete((result, failure) -> {
      try {
        answer.write();
      } catch (IOException | RuntimeException e) {
        // The client went away; nothing left to tell it.
      } finally {
        async.complete();
      }
    });
  }

  static String safe(String text) {
    String cut = text.length() > 64 ? text.substring(0, 64) : text;
    return cut.replaceAll("[^A-Za-z0-9_.-]", "?");
  }
}
