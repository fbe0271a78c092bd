package dev.toriimcp.mcp.boundary;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.toriimcp.catalog.control.Catalogs;
import dev.toriimcp.catalog.entity.BackendCatalog;
import dev.toriimcp.configuration.entity.BackendDefinition;
import dev.toriimcp.configuration.entity.GatewayConfiguration;
import dev.toriimcp.mcp.control.McpDispatcher;
import dev.toriimcp.mcp.control.Sessions;
import dev.toriimcp.mcp.entity.McpOutcome;
import dev.toriimcp.oauth.control.OAuthUris;
import dev.toriimcp.oauth.control.Tokens;
import dev.toriimcp.oauth.entity.AccessGrant;
import jakarta.inject.Inject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.OPTIONS;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/**
 * The MCP endpoint of each backend, {@code /mcp/<backend>}, Streamable HTTP with JSON responses
 * (MCP 2025-11-25 basic/transports). In order: unknown backend 404; a backend whose spec failed
 * 503 with {@code Retry-After}; no valid bearer token for this backend 401 with the RFC 6750/9728
 * challenge; then one JSON-RPC message per POST (notifications and responses 202). A successful
 * {@code initialize} opens a session ({@code Mcp-Session-Id}, bound to user, client and backend,
 * stored in the database); a request naming an unknown or ended session is 404; DELETE ends it.
 * GET is 405: the gateway offers no server-to-client stream.
 */
@Path("mcp/{backend}")
public class McpResource {

  static final int MAX_BODY = 4 * 1024 * 1024;
  static final String SESSION = "Mcp-Session-Id";
  private static final ObjectMapper JSON = new ObjectMapper();

  @Inject Catalogs catalogs;
  @Inject GatewayConfiguration configuration;
  @Inject Tokens tokens;
  @Inject McpDispatcher dispatcher;
  @Inject Sessions sessions;

  @POST
  public Response post(@PathParam("backend") String backend,
      @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
      @HeaderParam("Origin") String origin,
      @HeaderParam("MCP-Protocol-Version") String protocolVersion,
      @HeaderParam(SESSION) String sessionId, InputStream body)
      throws IOException {
    if (!originAllowed(origin)) {
      return json(403, McpDispatcher.errorBody(null, -32000, "Origin not allowed"));
    }
    if (protocolVersion != null && !McpDispatcher.PROTOCOL_VERSIONS.contains(protocolVersion)) {
      return cors(origin, json(400, McpDispatcher.errorBody(null, -32000,
          "Unsupported MCP-Protocol-Version " + safe(protocolVersion) + "; supported: "
              + String.join(", ", McpDispatcher.PROTOCOL_VERSIONS))));
    }
    return cors(origin, handle(backend, authorization, sessionId, body));
  }

  /** CORS preflight for browser clients of allowed origins (research trap 24). */
  @OPTIONS
  public Response preflight(@HeaderParam("Origin") String origin) {
    if (origin == null || !originAllowed(origin)) {
      return Response.status(403).build();
    }
    return Response.noContent()
        .header("Access-Control-Allow-Origin", origin)
        .header("Access-Control-Allow-Methods", "POST, GET, DELETE, OPTIONS")
        .header("Access-Control-Allow-Headers", "Content-Type, Accept, Authorization,"
            + " Mcp-Session-Id, MCP-Protocol-Version, Last-Event-ID, Mcp-Method, Mcp-Name")
        .header("Access-Control-Max-Age", "600")
        .header("Vary", "Origin").build();
  }

  /**
   * DNS-rebinding protection (MCP 2025-11-25 basic/transports: servers MUST validate Origin):
   * requests without Origin (server-side clients) pass; browser origins must be the gateway's own
   * or listed in {@code allowed_origins}.
   */
  boolean originAllowed(String origin) {
    if (origin == null) {
      return true;
    }
    String own = configuration.publicUrl().getScheme() + "://" + configuration.publicUrl().getRawAuthority();
    return origin.equalsIgnoreCase(own) || configuration.allowedOrigins().contains(origin);
  }

  private static Response cors(String origin, Response response) {
    if (origin == null) {
      return response;
    }
    return Response.fromResponse(response).header("Access-Control-Allow-Origin", origin)
        .header("Access-Control-Expose-Headers",
            "WWW-Authenticate, Mcp-Session-Id, MCP-Protocol-Version")
        .header("Vary", "Origin").build();
  }

  private Response handle(String backend, String authorization, String sessionId,
      InputStream body) throws IOException {
    Gate gate = gate(backend, authorization);
    if (gate.refusal() != null) {
      return gate.refusal();
    }
    byte[] bytes = body.readNBytes(MAX_BODY + 1);
    if (bytes.length > MAX_BODY) {
      return json(413, McpDispatcher.errorBody(null, -32600, "Request too large"));
    }
    JsonNode message;
    try {
      message = JSON.readTree(bytes);
    } catch (JsonProcessingException e) {
      return json(400, McpDispatcher.errorBody(null, -32700, "Parse error: the body is not JSON"));
    }
    boolean initialize = message.isObject() && message.has("id")
        && "initialize".equals(message.path("method").asText());
    if (!initialize && sessionId != null && !sessions.valid(sessionId, gate.grant())) {
      // MCP basic/transports: a terminated or unknown session is 404; the client re-initializes.
      return json(404, McpDispatcher.errorBody(null, -32001, "Session not found"));
    }
    McpOutcome outcome = dispatcher.handle(gate.definition(), gate.catalog().catalog(),
        gate.grant(), conversation(gate.grant(), sessionId), message);
    if (initialize && outcome instanceof McpOutcome.Reply reply && reply.status() == 200
        && reply.body().has("result")) {
      String id = sessions.create(gate.grant(), reply.body().at("/result/protocolVersion").asText());
      return Response.fromResponse(json(200, reply.body())).header(SESSION, id).build();
    }
    if (outcome instanceof McpOutcome.Accepted) {
      return Response.accepted().build();
    }
    if (outcome instanceof McpOutcome.ReAuthorize) {
      return challenge(gate.definition(), true, "the user must sign in to " + backend + " again");
    }
    McpOutcome.Reply reply = (McpOutcome.Reply) outcome;
    return json(reply.status(), reply.body());
  }

  /** User, client, backend and session: the scope in which JSON-RPC request ids are unique. */
  private static String conversation(AccessGrant grant, String sessionId) {
    return grant.subject() + "\n" + grant.clientId() + "\n" + grant.backend() + "\n"
        + (sessionId == null ? "" : sessionId);
  }

  @GET
  public Response get(@PathParam("backend") String backend,
      @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
    Gate gate = gate(backend, authorization);
    return gate.refusal() != null ? gate.refusal()
        : Response.status(405).header(HttpHeaders.ALLOW, "POST").build();
  }

  /** Ends a session (MCP basic/transports "Session Management"). */
  @DELETE
  public Response delete(@PathParam("backend") String backend,
      @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
      @HeaderParam(SESSION) String sessionId) {
    Gate gate = gate(backend, authorization);
    if (gate.refusal() != null) {
      return gate.refusal();
    }
    if (sessionId == null) {
      return json(400, McpDispatcher.errorBody(null, -32600, "Mcp-Session-Id header required"));
    }
    return sessions.end(sessionId, gate.grant()) ? Response.noContent().build()
        : json(404, McpDispatcher.errorBody(null, -32001, "Session not found"));
  }

  private record Gate(Response refusal, BackendDefinition definition, BackendCatalog.Ready catalog,
      AccessGrant grant) {}

  private Gate gate(String backend, String authorization) {
    BackendCatalog catalog = catalogs.backend(backend).orElse(null);
    if (catalog == null) {
      return refused(json(404, McpDispatcher.errorBody(null, -32000,
          "no backend named '" + safe(backend) + "'")));
    }
    if (catalog instanceof BackendCatalog.Failed) {
      // The detailed reason (file paths, parser messages) stays in the server log.
      return refused(Response.fromResponse(json(503, McpDispatcher.errorBody(null, -32000,
          "backend '" + backend + "' is unavailable: its API description could not be loaded;"
              + " the gateway log says why"))).header("Retry-After", "300").build());
    }
    BackendDefinition definition = configuration.backend(backend).orElseThrow();
    boolean presented = authorization != null && !authorization.isBlank();
    String token = presented && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
        ? authorization.substring(7).trim() : null;
    Optional<AccessGrant> grant = token == null ? Optional.empty() : tokens.validate(token, backend);
    if (grant.isEmpty()) {
      return refused(challenge(definition, presented, presented
          ? "the access token is not valid for this backend" : "authorization required"));
    }
    return new Gate(null, definition, (BackendCatalog.Ready) catalog, grant.get());
  }

  private static Gate refused(Response response) {
    return new Gate(response, null, null, null);
  }

  /**
   * RFC 6750 §3 / RFC 9728 §5.1: no {@code error} attribute without credentials; a token only in
   * the query string is not a credential here (MCP: never in the query).
   */
  private Response challenge(BackendDefinition definition, boolean invalidToken, String message) {
    String challenge = "Bearer resource_metadata=\""
        + OAuthUris.protectedResourceMetadata(configuration, definition) + "\", scope=\""
        + OAuthUris.scope(definition) + "\"" + (invalidToken ? ", error=\"invalid_token\"" : "");
    return Response.fromResponse(json(401, McpDispatcher.errorBody(null, -32000, message)))
        .header(HttpHeaders.WWW_AUTHENTICATE, challenge)
        .header("Access-Control-Expose-Headers", "WWW-Authenticate")
        .build();
  }

  private static Response json(int status, JsonNode body) {
    return Response.status(status).type(MediaType.APPLICATION_JSON).entity(body.toString()).build();
  }

  private static String safe(String text) {
    String cut = text.length() > 64 ? text.substring(0, 64) : text;
    return cut.replaceAll("[^A-Za-z0-9_.-]", "?");
  }
}
