package dev.toriimcp.mcp.boundary;

import dev.toriimcp.catalog.control.Catalogs;
import dev.toriimcp.catalog.entity.BackendCatalog;
import dev.toriimcp.configuration.entity.BackendDefinition;
import dev.toriimcp.configuration.entity.GatewayConfiguration;
import dev.toriimcp.oauth.control.OAuthUris;
import dev.toriimcp.oauth.control.Tokens;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * The MCP endpoint of each backend, {@code /mcp/<backend>}. So far: unknown backends are 404, a
 * backend whose spec could not be loaded is 503 with the reason, and every other request must
 * carry a bearer token issued for this backend: without one the answer is the RFC 6750/9728
 * challenge that starts a client's OAuth discovery; an invalid, expired, revoked or other
 * backend's token gets {@code error="invalid_token"}. The Streamable HTTP transport is not
 * implemented yet (501 past authentication).
 */
@Path("mcp/{backend}")
@Produces(MediaType.APPLICATION_JSON)
public class McpResource {

  @Inject Catalogs catalogs;
  @Inject GatewayConfiguration configuration;
  @Inject Tokens tokens;

  @POST
  public Response post(@PathParam("backend") String backend,
      @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
    return availability(backend, authorization);
  }

  @GET
  public Response get(@PathParam("backend") String backend,
      @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
    return availability(backend, authorization);
  }

  @DELETE
  public Response delete(@PathParam("backend") String backend,
      @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
    return availability(backend, authorization);
  }

  private Response availability(String backend, String authorization) {
    BackendCatalog catalog = catalogs.backend(backend).orElse(null);
    if (catalog == null) {
      return error(Response.Status.NOT_FOUND, "no backend named '" + safe(backend) + "'");
    }
    if (catalog instanceof BackendCatalog.Failed) {
      // The detailed reason (file paths, parser messages) stays in the server log.
      return Response.fromResponse(error(Response.Status.SERVICE_UNAVAILABLE, "backend '" + backend
          + "' is unavailable: its API description could not be loaded; the gateway log says"
          + " why")).header("Retry-After", "300").build();
    }
    BackendDefinition definition = configuration.backend(backend).orElseThrow();
    boolean presented = authorization != null && !authorization.isBlank();
    String token = presented && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
        ? authorization.substring(7).trim() : null;
    if (token != null && tokens.validate(token, backend).isPresent()) {
      return error(Response.Status.NOT_IMPLEMENTED,
          "the MCP transport of backend '" + backend + "' is not implemented yet");
    }
    // RFC 6750 §3.1: no error attribute when no credentials were sent; a token only in the query
    // string (?access_token=) is not a credential here and is ignored (MCP: never in the query).
    String challenge = "Bearer resource_metadata=\""
        + OAuthUris.protectedResourceMetadata(configuration, definition) + "\", scope=\""
        + OAuthUris.scope(definition) + "\"" + (presented ? ", error=\"invalid_token\"" : "");
    return Response.fromResponse(error(Response.Status.UNAUTHORIZED, presented
            ? "the access token is not valid for this backend" : "authorization required"))
        .header(HttpHeaders.WWW_AUTHENTICATE, challenge)
        .header("Access-Control-Expose-Headers", "WWW-Authenticate")
        .build();
  }

  private static Response error(Response.Status status, String message) {
    return Response.status(status).type(MediaType.APPLICATION_JSON)
        .entity(Json.createObjectBuilder().add("jsonrpc", "2.0").addNull("id")
            .add("error", Json.createObjectBuilder().add("code", -32000).add("message", message))
            .build())
        .build();
  }

  private static String safe(String text) {
    String cut = text.length() > 64 ? text.substring(0, 64) : text;
    return cut.replaceAll("[^A-Za-z0-9_.-]", "?");
  }
}
