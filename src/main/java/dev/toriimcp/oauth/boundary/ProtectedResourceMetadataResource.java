package dev.toriimcp.oauth.boundary;

import dev.toriimcp.configuration.entity.BackendDefinition;
import dev.toriimcp.configuration.entity.GatewayConfiguration;
import dev.toriimcp.oauth.control.OAuthUris;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HEAD;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * RFC 9728 protected-resource metadata, one document per backend at
 * {@code /.well-known/oauth-protected-resource/mcp/<backend>}. The root document is deliberately
 * 404: with several backends it cannot name one resource, and every 401 challenge points at the
 * backend's own document (research §2.2).
 */
@Path(".well-known/oauth-protected-resource")
@Produces(MediaType.APPLICATION_JSON)
@RequestScoped
public class ProtectedResourceMetadataResource {

  @Inject GatewayConfiguration configuration;

  @GET
  @Path("mcp/{backend}")
  public Response get(@PathParam("backend") String name) {
    return configuration.backend(name)
        .map(backend -> Response.ok(document(backend)).build())
        .orElseGet(() -> AuthorizationServerMetadataResource.notFound());
  }

  @HEAD
  @Path("mcp/{backend}")
  public Response head(@PathParam("backend") String name) {
    return configuration.backend(name).isPresent()
        ? Response.ok().type(MediaType.APPLICATION_JSON).build()
        : Response.status(Response.Status.NOT_FOUND).build();
  }

  @GET
  public Response root() {
    return AuthorizationServerMetadataResource.notFound();
  }

  private JsonObject document(BackendDefinition backend) {
    return Json.createObjectBuilder()
        .add("resource", OAuthUris.resource(configuration, backend))
        .add("authorization_servers", Json.createArrayBuilder().add(OAuthUris.issuer(configuration)))
        .add("scopes_supported", Json.createArrayBuilder().add(OAuthUris.scope(backend)))
        .add("bearer_methods_supported", Json.createArrayBuilder().add("header"))
        .add("resource_name", backend.name() + " via torii-mcp")
        .build();
  }
}
