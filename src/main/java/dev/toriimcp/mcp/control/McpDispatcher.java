package dev.toriimcp.mcp.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toriimcp.catalog.entity.CompiledTool;
import dev.toriimcp.catalog.entity.ToolCatalog;
import dev.toriimcp.configuration.entity.BackendDefinition;
import dev.toriimcp.configuration.entity.GatewayConfiguration;
import dev.toriimcp.configuration.entity.UpstreamAuth;
import dev.toriimcp.mcp.entity.McpOutcome;
import dev.toriimcp.oauth.entity.AccessGrant;
import dev.toriimcp.platform.control.GatewayStartup;
import dev.toriimcp.platform.control.Storage;
import dev.toriimcp.upstream.control.CredentialRedaction;
import dev.toriimcp.upstream.control.IdentityProviders;
import dev.toriimcp.upstream.control.UpstreamCredentials;
import dev.toriimcp.upstream.control.UpstreamInvoker;
import dev.toriimcp.upstream.control.UpstreamOrigins;
import dev.toriimcp.upstream.control.UpstreamRequestBuilder;
import dev.toriimcp.upstream.control.UpstreamResponseMapper;
import dev.toriimcp.upstream.entity.InvalidArgumentsException;
import dev.toriimcp.upstream.entity.Renewal;
import dev.toriimcp.upstream.entity.UpstreamRequest;
import dev.toriimcp.upstream.entity.UpstreamResponse;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * JSON-RPC dispatch of the MCP methods a tool gateway serves, one dispatcher and one tool-call
 * path for both eras. The handshake era (MCP 2025-11-25 lifecycle, ping, server/tools,
 * server/utilities/logging): {@code initialize}, {@code ping}, {@code tools/list} (paginated),
 * {@code tools/call}, {@code logging/setLevel}. The stateless era (MCP 2026-07-28):
 * {@code server/discover}, {@code tools/list}, {@code tools/call}, other methods 404, and every
 * result completed by {@link StatelessResults}. Gateway faults are JSON-RPC errors;
 * tool failures are results with {@code isError} (ADR 0005). {@code tools/call} and
 * {@code tools/list} count against the user's per-minute limit (ADRs 0011, 0013).
 */
@ApplicationScoped
public class McpDispatcher {

  /** The versions {@code initialize} negotiates (see {@link ProtocolVersions}). */
  public static final List<String> PROTOCOL_VERSIONS = ProtocolVersions.HANDSHAKE;
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final Logger LOG = Logger.getLogger(McpDispatcher.class.getName());
  /** Server-error code of a request refused by the per-minute limit (JSON-RPC 2.0 §5.1). */
  public static final int RATE_LIMITED = -32000;
  /** Audit status of a call whose token needed a refresh the identity provider could not give. */
  static final String SIGN_IN_UNAVAILABLE = "idp-unavailable";

  @Inject GatewayConfiguration configuration;
  @Inject GatewayStartup startup;
  @Inject UpstreamCredentials credentials;
  @Inject ArgumentValidatorHolder validator;
  @Inject InFlightCalls inFlight;
  @Inject AuditLog audit;
  @Inject Sessions sessions;
  @Inject Storage storage;

  private volatile UpstreamInvoker invoker;
  private CallLimiter limiter;
  private ToolsListHandler toolsList;

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
   * Whether {@link #handle} charges the message to the user's limits itself: {@code tools/call}
   * and {@code tools/list} requests. A batch charges its other messages with {@link #charge}.
   */
  public static boolean chargesItself(JsonNode message) {
    String method = isRequest(message) ? message.path("method").asText() : "";
    return method.equals("tools/call") || method.equals("tools/list");
  }

  /**
   * Charges one request that holds no upstream slot to the user's per-minute bucket on this
   * backend (ADR 0013): null if admitted, else the refusal, fit for the model to read.
   */
  public String charge(BackendDefinition backend, AccessGrant grant) {
    String refusal = limiter.charge(grant.subject() + "\n" + backend.name(), System.nanoTime());
    return refusal == null ? null : "Backend '" + backend.name() + "': " + refusal + ".";
  }

  /** Handles one JSON-RPC message in {@code context} (see {@link McpContext}). */
  public McpOutcome handle(BackendDefinition backend, ToolCatalog catalog, AccessGrant grant,
      McpContext context, JsonNode message) {
    String conversation = context.conversation();
    String protocolVersion = context.protocolVersion();
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
    if (context.stateless()) {
      return StatelessResults.complete(switch (method) {
        case "server/discover" -> result(id, discover());
        case "tools/list" -> toolsList(id, backend, catalog, grant, protocolVersion, params);
        case "tools/call" -> tool(id, backend, catalog, grant, context, params);
        // MCP 2026-07-28 basic/transports: an unknown method is 404. Among them those this
        // era removed: initialize (named with this era's version), ping, logging/setLevel.
        default -> error(404, id, -32601, "Method not found: " + method);
      }, serverInfo(backend));
    }
    return switch (method) {
      case "initialize" -> result(id, initialize(backend, params));
      case "ping" -> result(id, NODES.objectNode());
      case "tools/list" -> toolsList(id, backend, catalog, grant, protocolVersion, params);
      case "tools/call" -> tool(id, backend, catalog, grant, context, params);
      case "logging/setLevel" -> setLevel(id, grant, context, params);
      default -> error(200, id, -32601, "Method not found: " + method);
    };
  }

  private ObjectNode initialize(BackendDefinition backend, JsonNode params) {
    String requested = params.path("protocolVersion").asText("");
    String version = PROTOCOL_VERSIONS.contains(requested) ? requested : PROTOCOL_VERSIONS.get(0);
    ObjectNode result = NODES.objectNode().put("protocolVersion", version);
    ObjectNode capabilities = result.putObject("capabilities");
    // A session's GET stream gets notifications/tools/list_changed after a reload (ADR 0033).
    capabilities.putObject("tools").put("listChanged", true);
    // Every version served defines logging (server/utilities/logging); see McpLogging.
    capabilities.putObject("logging");
    result.set("serverInfo", ProtocolShapes.serverInfo(serverInfo(backend), version));
    return result;
  }

  private ObjectNode serverInfo(BackendDefinition backend) {
    return NODES.objectNode().put("name", "torii-mcp-" + backend.name())
        .put("title", backend.name() + " via torii-mcp").put("version", startup.version());
  }

  /**
   * MCP 2026-07-28 server/discover: every version the endpoint serves, in both eras, and what
   * it offers in this one: tools. Not logging, which this era deprecates.
   */
  private static ObjectNode discover() {
    ObjectNode result = NODES.objectNode();
    ProtocolVersions.SUPPORTED.forEach(result.putArray("supportedVersions")::add);
    result.putObject("capabilities").putObject("tools");
    return StatelessResults.cacheable(result);
  }

  private McpOutcome toolsList(JsonNode id, BackendDefinition backend, ToolCatalog catalog,
      AccessGrant grant, String protocolVersion, JsonNode params) {
    String refusal = charge(backend, grant);
    if (refusal != null) {
      return error(200, id, RATE_LIMITED, refusal);
    }
    ObjectNode result = toolsList.list(backend.name(), catalog, protocolVersion, params);
    if (result == null) {
      return error(200, id, -32602, "Invalid params: unknown cursor");
    }
    return result(id, ProtocolVersions.stateless(protocolVersion)
        ? StatelessResults.cacheable(result) : result);
  }

  /**
   * Keeps the level the session's client chose (MCP server/utilities/logging): only a session
   * has somewhere to keep it, so without one the request is refused rather than ignored.
   */
  private McpOutcome setLevel(JsonNode id, AccessGrant grant, McpContext context,
      JsonNode params) {
    String level = params.path("level").asText(null);
    if (!McpLogging.valid(level)) {
      return error(200, id, -32602, "Invalid params: level must be one of "
          + String.join(", ", McpLogging.LEVELS));
    }
    if (context.sessionId() == null || !sessions.logLevel(context.sessionId(), grant, level)) {
      return error(200, id, -32602, "Invalid params: logging/setLevel needs the session that"
          + " initialize opened (send its Mcp-Session-Id)");
    }
    return result(id, NODES.objectNode());
  }

  /**
   * A {@code tools/call}: of a meta-tool when the catalog is dynamic (ADR 0031), else of the
   * named tool. {@code call_tool} becomes the direct call it wraps; searching and describing
   * count against the per-minute limit like any other request.
   */
  private McpOutcome tool(JsonNode id, BackendDefinition backend, ToolCatalog catalog,
      AccessGrant grant, McpContext context, JsonNode params) {
    String name = params.path("name").asText(null);
    if (!catalog.dynamic() || !DynamicTools.isMeta(name)) {
      return toolsCall(id, backend, catalog, grant, context, params);
    }
    if (DynamicTools.CALL.equals(name)) {
      JsonNode direct = DynamicTools.unwrap(params);
      return direct == null ? error(200, id, -32602, "Invalid params: arguments must be an object")
          : toolsCall(id, backend, catalog, grant, context, direct);
    }
    JsonNode arguments = params.path("arguments");
    if (!(arguments.isMissingNode() || arguments.isNull() || arguments.isObject())) {
      return error(200, id, -32602, "Invalid params: arguments must be an object");
    }
    String refusal = charge(backend, grant);
    if (refusal != null) {
      return result(id, toolError(refusal));
    }
    return result(id, DynamicTools.SEARCH.equals(name) ? DynamicTools.search(catalog, arguments)
        : DynamicTools.describe(catalog, arguments, context.protocolVersion()));
  }

  /**
   * Validates, builds and starts the upstream call on the request thread; the answer is
   * {@link McpOutcome.Pending} and completes on the HTTP client's threads, so no request thread
   * waits for the upstream. Every call, whatever its end, writes one audit line.
   */
  private McpOutcome toolsCall(JsonNode id, BackendDefinition backend, ToolCatalog catalog,
      AccessGrant grant, McpContext context, JsonNode params) {
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
      audit(backend, tool, grant, context, "rate-limited", start);
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
        audit(backend, tool, grant, context, "invalid-arguments", start);
        return result(id, toolError(e.getMessage()));
      }
      String offOrigin = new UpstreamOrigins(backend.baseUrl(), catalog.serverOrigins())
          .refusal(tool.name(), backend.name(), request.uri());
      if (offOrigin != null) {
        audit(backend, tool, grant, context, "refused-origin", start);
        return result(id, toolError(offOrigin));
      }
      Optional<String> credential;
      try {
        credential = backend.auth() == null ? Optional.of("")
            : credentials.open(grant.subject(), backend);
      } catch (IdentityProviders.UnavailableException e) {
        audit(backend, tool, grant, context, SIGN_IN_UNAVAILABLE, start);
        return result(id, toolError(signInUnavailable(backend)));
      }
      if (credential.isEmpty()) {
        audit(backend, tool, grant, context, "no-credential", start);
        return new McpOutcome.ReAuthorize();
      }
      UpstreamInvoker invoker = invoker();
      CompletableFuture<McpOutcome> outcome = send(id, backend, tool, grant, context, start,
          invoker, request, credential.get(), backend.auth() instanceof UpstreamAuth.OAuth2);
      pending = true;
      return new McpOutcome.Pending(outcome.whenComplete((done, failure) -> permit.release()));
    } finally {
      if (!pending) {
        permit.release();
      }
    }
  }

  /**
   * Starts the upstream exchange with the credential applied. When {@code renewable} (an
   * {@code oauth2} backend, first attempt), a 401 leads to one refresh and one retry (ADR 0021).
   */
  private CompletableFuture<McpOutcome> send(JsonNode id, BackendDefinition backend,
      CompiledTool tool, AccessGrant grant, McpContext context, long start,
      UpstreamInvoker invoker, UpstreamRequest request, String credential, boolean renewable) {
    UpstreamRequest signed = backend.auth() == null ? request
        : UpstreamCredentials.apply(request, backend.auth(), credential);
    CompletableFuture<UpstreamResponse> call = invoker.start(signed);
    InFlightCalls.Registration registration =
        inFlight.register(context.conversation(), id, call);
    return call.handle((response, failure) -> {
      registration.close();
      if (renewable && failure == null && response.status() == 401) {
        return retry(id, backend, tool, grant, context, start, invoker, request, credential);
      }
      return CompletableFuture.completedFuture(answer(id, backend, tool, grant, context, start,
          invoker, response, failure, credential));
    }).thenCompose(Function.identity());
  }

  /** The backend refused {@code refused}: renew it once and call again, or end the call. */
  private CompletableFuture<McpOutcome> retry(JsonNode id, BackendDefinition backend,
      CompiledTool tool, AccessGrant grant, McpContext context, long start,
      UpstreamInvoker invoker, UpstreamRequest request, String refused) {
    return credentials.renewRefused(grant.subject(), backend, refused).thenCompose(renewal -> {
      if (renewal instanceof Renewal.Renewed renewed) {
        return send(id, backend, tool, grant, context, start, invoker, request,
            renewed.tokens().accessToken(), false);
      }
      if (renewal instanceof Renewal.Unavailable) {
        audit(backend, tool, grant, context, SIGN_IN_UNAVAILABLE, start);
        return CompletableFuture.completedFuture(result(id, toolError(signInUnavailable(backend))));
      }
      audit(backend, tool, grant, context, "401", start);
      return CompletableFuture.<McpOutcome>completedFuture(new McpOutcome.ReAuthorize());
    }).exceptionally(failure -> {
      LOG.log(Level.WARNING, "renewing the credential for " + tool.name() + " on "
          + backend.name() + " failed in the gateway", failure);
      audit(backend, tool, grant, context, "gateway-error", start);
      return error(200, id, -32603, "Internal error");
    });
  }

  private static String signInUnavailable(BackendDefinition backend) {
    return "Backend '" + backend.name() + "': its sign-in service (identity provider) is"
        + " unavailable, so the user's sign-in could not be renewed. Try again later.";
  }

  /** The answer to a tool call whose upstream exchange has ended; writes its audit line. */
  private McpOutcome answer(JsonNode id, BackendDefinition backend, CompiledTool tool,
      AccessGrant grant, McpContext context, long start, UpstreamInvoker invoker,
      UpstreamResponse response, Throwable failure, String credential) {
    String protocolVersion = context.protocolVersion();
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
        String text = "Backend '" + backend.name() + "' " + problem.getMessage();
        // A timeout is the upstream's slowness; anything else means it could not be reached.
        String level = timedOut(failure) ? "warning" : "error";
        return logged(result(id, toolError(text + ". Try again later.")), context, level,
            backend, tool, text);
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
          response, resourceUri, structured, CredentialRedaction.of(backend.auth(), credential),
          context.stateless());
      McpOutcome answer = result(id, ProtocolShapes.toolResult(result, protocolVersion, resourceUri));
      return response.status() < 500 ? answer : logged(answer, context, "warning", backend, tool,
          "Backend '" + backend.name() + "' answered HTTP " + response.status());
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "tool call " + tool.name() + " on " + backend.name()
          + " failed in the gateway", e);
      return error(200, id, -32603, "Internal error");
    } finally {
      audit(backend, tool, grant, context, status, start);
    }
  }

  private void audit(BackendDefinition backend, CompiledTool tool, AccessGrant grant,
      McpContext context, String status, long start) {
    long millis = (System.nanoTime() - start) / 1_000_000;
    audit.write("tool-call backend=" + backend.name() + " tool=" + tool.name()
        + " user=" + grant.subject() + " client=" + grant.clientId() + " upstream_status="
        + status + " duration_ms=" + millis + " protocol=" + context.protocolVersion());
  }

  private static boolean timedOut(Throwable failure) {
    Throwable cause = failure instanceof CompletionException c && c.getCause() != null
        ? c.getCause() : failure;
    return cause instanceof HttpTimeoutException || cause instanceof TimeoutException;
  }

  /** The reply with a log message, if the session's chosen level lets it pass. */
  private static McpOutcome logged(McpOutcome reply, McpContext context, String level,
      BackendDefinition backend, CompiledTool tool, String text) {
    if (!(reply instanceof McpOutcome.Reply answer) || !McpLogging.passes(level, context.logLevel())) {
      return reply;
    }
    return new McpOutcome.Reply(answer.status(), answer.body(),
        List.of(McpLogging.message(level, backend.name(), tool.name(), text)));
  }

  @PostConstruct
  void createLimiter() {
    int perMinute = configuration.limits().userCallsPerMinute();
    limiter = new CallLimiter(perMinute, configuration.limits().userCallsInFlight(),
        configuration.storage().shared() ? new SharedCallBudget(storage, perMinute) : null);
    toolsList = new ToolsListHandler(configuration.limits().pageSize());
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

  /** A tool result with {@code isError} and the text, for the model to read and act on. */
  static ObjectNode toolError(String text) {
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
