package dev.toriimcp.mcp.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toriimcp.catalog.entity.CompiledTool;
import dev.toriimcp.catalog.entity.ToolCatalog;
import dev.toriimcp.configuration.entity.BackendDefinition;
import dev.toriimcp.configuration.entity.GatewayConfiguration;
import dev.toriimcp.mcp.entity.McpOutcome;
import dev.toriimcp.oauth.entity.AccessGrant;
import dev.toriimcp.platform.control.GatewayStartup;
import dev.toriimcp.upstream.control.CredentialRedaction;
import dev.toriimcp.upstream.control.UpstreamCredentials;
import dev.toriimcp.upstream.control.UpstreamInvoker;
import dev.toriimcp.upstream.control.UpstreamOrigins;
import dev.toriimcp.upstream.control.UpstreamRequestBuilder;
import dev.toriimcp.upstream.control.UpstreamResponseMapper;
import dev.toriimcp.upstream.entity.InvalidArgumentsException;
import dev.toriimcp.upstream.entity.UpstreamRequest;
import dev.toriimcp.upstream.entity.UpstreamResponse;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * JSON-RPC dispatch of the MCP methods a tool gateway serves (MCP 2025-11-25 lifecycle, ping,
 * server/tools): {@code initialize}, {@code ping}, {@code tools/list} (paginated),
 * {@code tools/call}. Gateway faults are JSON-RPC errors; tool failures are results with
 * {@code isError} (ADR 0005).
 */
@ApplicationScoped
public class McpDispatcher {

  public static final List<String> PROTOCOL_VERSIONS =
      List.of("2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05");
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final Logger LOG = Logger.getLogger(McpDispatcher.class.getName());

  @Inject GatewayConfiguration configuration;
  @Inject GatewayStartup startup;
  @Inject UpstreamCredentials credentials;
  @Inject ArgumentValidatorHolder validator;
  @Inject InFlightCalls inFlight;
  @Inject AuditLog audit;

  private volatile UpstreamInvoker invoker;
  private CallLimiter limiter;

  /** Whether the message is a JSON-RPC request: it has both an id and a method. */
  public static boolean isRequest(JsonNode message) {
    return message != null && message.isObject() && message.has("id") && message.has("method");
  }

  /**
   * Whether JSON-RPC answers the message: anything but a notification (a method without id) or
   * a client's response (an id with a result or an error), refused or not.
   */
  public static boolean expectsReply(JsonNode message) {
    if (message == null || !message.isObject()) {
      return true;
    }
    boolean notification = message.has("method") && !message.has("id");
    boolean response = message.has("id") && !message.has("method")
        && message.has("result") != message.has("error");
    return !notification && !response;
  }

  /**
   * Handles one JSON-RPC message. {@code conversation} names the caller's conversation (user,
   * client, backend and MCP session) for cancellation; see {@link InFlightCalls}.
   */
  public McpOutcome handle(BackendDefinition backend, ToolCatalog catalog, AccessGrant grant,
      String conversation, String protocolVersion, JsonNode message) {
    if (message == null || !message.isObject() || !"2.0".equals(message.path("jsonrpc").asText())) {
      return error(400, null, -32600, "Invalid Request: expected one JSON-RPC 2.0 message");
    }
    JsonNode id = message.get("id");
    if (!message.has("method")) {
      // A response from the client: accepted and ignored (the gateway sends no requests).
      if (id != null && message.has("result") != message.has("error")) {
        return new McpOutcome.Accepted();
      }
      return error(400, null, -32600,
          "Invalid Request: neither a request, a notification nor a response");
    }
    if (!message.get("method").isTextual()) {
      return error(400, id, -32600, "Invalid Request: method must be a string");
    }
    String method = message.get("method").asText();
    JsonNode params = message.path("params");
    boolean paramsValid = params.isMissingNode() || params.isNull() || params.isObject();
    if (id == null) {
      if (!paramsValid) {
        return error(400, null, -32602, "Invalid params: params must be an object");
      }
      if ("notifications/cancelled".equals(method)) {
        JsonNode requestId = params.get("requestId");
        if (requestId == null || !(requestId.isTextual() || requestId.isIntegralNumber())) {
          return error(400, null, -32602,
              "Invalid params: notifications/cancelled needs the requestId it cancels");
        }
        inFlight.cancel(conversation, requestId);
      }
      return new McpOutcome.Accepted(); // notifications: initialized, cancelled, ...
    }
    if (!(id.isTextual() || id.isIntegralNumber())) {
      return error(400, null, -32600, "Invalid Request: id must be a string or an integer");
    }
    if (!paramsValid) {
      return error(200, id, -32602, "Invalid params: params must be an object");
    }
    return switch (method) {
      case "initialize" -> result(id, initialize(backend, params));
      case "ping" -> result(id, NODES.objectNode());
      case "tools/list" -> toolsList(id, catalog, protocolVersion, params);
      case "tools/call" ->
          toolsCall(id, backend, catalog, grant, conversation, protocolVersion, params);
      default -> error(200, id, -32601, "Method not found: " + method);
    };
  }

  private ObjectNode initialize(BackendDefinition backend, JsonNode params) {
    String requested = params.path("protocolVersion").asText("");
    String version = PROTOCOL_VERSIONS.contains(requested) ? requested : PROTOCOL_VERSIONS.get(0);
    ObjectNode result = NODES.objectNode().put("protocolVersion", version);
    result.putObject("capabilities").putObject("tools").put("listChanged", false);
    ObjectNode serverInfo = NODES.objectNode().put("name", "torii-mcp-" + backend.name())
        .put("title", backend.name() + " via torii-mcp").put("version", startup.version());
    result.set("serverInfo", ProtocolShapes.serverInfo(serverInfo, version));
    return result;
  }

  private McpOutcome toolsList(JsonNode id, ToolCatalog catalog, String protocolVersion,
      JsonNode params) {
    int offset = 0;
    JsonNode cursor = params.get("cursor");
    if (cursor != null && !cursor.isNull()) {
      try {
        offset = Integer.parseInt(new String(Base64.getUrlDecoder().decode(cursor.asText()),
            StandardCharsets.US_ASCII));
      } catch (IllegalArgumentException e) {
        return error(200, id, -32602, "Invalid params: unknown cursor");
      }
      if (offset < 0 || offset > catalog.tools().size()) {
        return error(200, id, -32602, "Invalid params: unknown cursor");
      }
    }
    ObjectNode result = NODES.objectNode();
    ArrayNode tools = result.putArray("tools");
    int end = Math.min(catalog.tools().size(), offset + configuration.limits().pageSize());
    for (int i = offset; i < end; i++) {
      tools.add(ProtocolShapes.tool(catalog.tools().get(i).definition(), protocolVersion));
    }
    if (end < catalog.tools().size()) {
      result.put("nextCursor", Base64.getUrlEncoder().withoutPadding()
          .encodeToString(String.valueOf(end).getBytes(StandardCharsets.US_ASCII)));
    }
    return result(id, result);
  }

  /**
   * Validates, builds and starts the upstream call on the request thread; the answer is
   * {@link McpOutcome.Pending} and completes on the HTTP client's threads, so no request thread
   * waits for the upstream. Every call, whatever its end, writes one audit line.
   */
  private McpOutcome toolsCall(JsonNode id, BackendDefinition backend, ToolCatalog catalog,
      AccessGrant grant, String conversation, String protocolVersion, JsonNode params) {
    String name = params.path("name").asText(null);
    Optional<CompiledTool> found = name == null ? Optional.empty() : catalog.tool(name);
    if (found.isEmpty()) {
      return error(200, id, -32602, "Invalid params: unknown tool " + (name == null ? "(no name)" : name));
    }
    CompiledTool tool = found.get();
    JsonNode arguments = params.path("arguments");
    if (arguments.isMissingNode() || arguments.isNull()) {
      arguments = NODES.objectNode();
    } else if (!arguments.isObject()) {
      return error(200, id, -32602, "Invalid params: arguments must be an object");
    }
    long start = System.nanoTime();
    // MCP server/tools security: servers MUST rate-limit invocations. Per user and backend.
    CallLimiter.Decision admission = limiter.admit(grant.subject() + "\n" + backend.name(), start);
    if (admission.permit() == null) {
      audit(backend, tool, grant, "rate-limited", start);
      return result(id, toolError("Backend '" + backend.name() + "': " + admission.refusal() + "."));
    }
    CallLimiter.Permit permit = admission.permit();
    boolean pending = false;
    try {
      UpstreamRequest request;
      try {
        validator.get().validate(tool, arguments);
        request = new UpstreamRequestBuilder(backend.baseUrl(), backend.specLocation())
            .build(tool, arguments);
      } catch (InvalidArgumentsException e) {
        audit(backend, tool, grant, "invalid-arguments", start);
        return result(id, toolError(e.getMessage()));
      }
      String offOrigin = new UpstreamOrigins(backend.baseUrl(), catalog.serverOrigins())
          .refusal(tool.name(), backend.name(), request.uri());
      if (offOrigin != null) {
        audit(backend, tool, grant, "refused-origin", start);
        return result(id, toolError(offOrigin));
      }
      Optional<String> credential = backend.auth() == null ? Optional.of("")
          : credentials.open(grant.subject(), backend.name());
      if (credential.isEmpty()) {
        audit(backend, tool, grant, "no-credential", start);
        return new McpOutcome.ReAuthorize();
      }
      if (backend.auth() != null) {
        request = UpstreamCredentials.apply(request, backend.auth(), credential.get());
      }
      UpstreamInvoker invoker = invoker();
      CompletableFuture<UpstreamResponse> call = invoker.start(request);
      InFlightCalls.Registration registration = inFlight.register(conversation, id, call);
      pending = true;
      String applied = credential.get();
      return new McpOutcome.Pending(call.handle((response, failure) -> {
        permit.release();
        registration.close();
        return answer(id, backend, tool, grant, protocolVersion, start, invoker, response, failure,
            applied);
      }));
    } finally {
      if (!pending) {
        permit.release();
      }
    }
  }

  /** The answer to a tool call whose upstream exchange has ended; writes its audit line. */
  private McpOutcome answer(JsonNode id, BackendDefinition backend, CompiledTool tool,
      AccessGrant grant, String protocolVersion, long start, UpstreamInvoker invoker,
      UpstreamResponse response, Throwable failure, String credential) {
    String status = "gateway-error";
    try {
      if (failure != null) {
        Exception problem = UpstreamInvoker.translate(failure, invoker.timeout());
        if (problem instanceof UpstreamInvoker.CancelledException) {
          // The client sent notifications/cancelled; it ignores any answer, but the POST needs one.
          status = "cancelled";
          return error(200, id, -32800, "Request cancelled");
        }
        status = "unreachable";
        return result(id, toolError("Backend '" + backend.name() + "' " + problem.getMessage()
            + ". Try again later."));
      }
      status = String.valueOf(response.status());
      if (response.status() == 401) {
        return new McpOutcome.ReAuthorize();
      }
      String resourceUri = "torii://" + backend.name() + "/" + tool.name();
      // A client that was shown no outputSchema is held to none.
      boolean structured = tool.outputSchema() != null && ProtocolShapes.structured(protocolVersion);
      // An upstream that echoes the request (debug or error pages) must not hand the model the
      // user's credential (ADR 0016).
      ObjectNode result = new UpstreamResponseMapper(configuration.limits().responseBytes()).map(
          response, resourceUri, structured, CredentialRedaction.of(backend.auth(), credential));
      return result(id, ProtocolShapes.toolResult(result, protocolVersion, resourceUri));
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "tool call " + tool.name() + " on " + backend.name()
          + " failed in the gateway", e);
      return error(200, id, -32603, "Internal error");
    } finally {
      audit(backend, tool, grant, status, start);
    }
  }

  private void audit(BackendDefinition backend, CompiledTool tool, AccessGrant grant,
      String status, long start) {
    long millis = (System.nanoTime() - start) / 1_000_000;
    audit.write("tool-call backend=" + backend.name() + " tool=" + tool.name()
        + " user=" + grant.subject() + " client=" + grant.clientId() + " upstream_status="
        + status + " duration_ms=" + millis);
  }

  @PostConstruct
  void createLimiter() {
    limiter = new CallLimiter(configuration.limits().userCallsPerMinute(),
        configuration.limits().userCallsInFlight());
  }

  private UpstreamInvoker invoker() {
    UpstreamInvoker current = invoker;
    if (current == null) {
      synchronized (this) {
        current = invoker;
        if (current == null) {
          current = new UpstreamInvoker(
              Duration.ofSeconds(configuration.limits().upstreamConnectSeconds()),
              Duration.ofSeconds(configuration.limits().upstreamTimeoutSeconds()),
              configuration.limits().responseBytes(), configuration.limits().upstreamConcurrency());
          invoker = current;
        }
      }
    }
    return current;
  }

  @PreDestroy
  void stop() {
    UpstreamInvoker current = invoker;
    if (current != null) {
      current.close();
    }
  }

  private static ObjectNode toolError(String text) {
    ObjectNode result = NODES.objectNode();
    result.putArray("content").addObject().put("type", "text").put("text", text);
    result.put("isError", true);
    return result;
  }

  private static McpOutcome result(JsonNode id, JsonNode result) {
    ObjectNode body = NODES.objectNode().put("jsonrpc", "2.0");
    body.set("id", id);
    body.set("result", result);
    return new McpOutcome.Reply(200, body);
  }

  static McpOutcome error(int status, JsonNode id, int code, String message) {
    return new McpOutcome.Reply(status, errorBody(id, code, message));
  }

  /** A JSON-RPC error response; {@code id} is null when the request's id is unknown. */
  public static ObjectNode errorBody(JsonNode id, int code, String message) {
    ObjectNode body = NODES.objectNode().put("jsonrpc", "2.0");
    body.set("id", id == null ? NODES.nullNode() : id);
    body.putObject("error").put("code", code).put("message", message);
    return body;
  }
}
