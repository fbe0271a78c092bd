package dev.toriimcp.oauth.boundary;

import dev.toriimcp.configuration.entity.BackendDefinition;
import dev.toriimcp.configuration.entity.GatewayConfiguration;
import dev.toriimcp.oauth.control.Clients;
import dev.toriimcp.oauth.control.OAuthUris;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HEAD;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * RFC 8414 authorization-server metadata. The same document is served at
 * {@code /.well-known/openid-configuration}, because ChatGPT and OIDC-only clients look there
 * (research §2.4). {@code code_challenge_methods_supported} is always present (clients must
 * refuse without it), and client ID metadata documents are advertised together with {@code none}
 * client authentication, which Claude requires before it uses them (trap 7). {@code
 * private_key_jwt} and its signature algorithms are advertised for ChatGPT, whose metadata
 * document declares it (ADR 0023).
 */
@Path(".well-known")
@Produces(MediaType.APPLICATION_JSON)
@RequestScoped
public class AuthorizationServerMetadataResource {

  @Inject GatewayConfiguration configuration;

  @GET
  @Path("oauth-authorization-server")
  public JsonObject oauth() {
    return document();
  }

  @GET
  @Path("openid-configuration")
  public JsonObject openid() {
    return document();
  }

  /**
   * Every other {@code /.well-known/...} path: a JSON 404, never a 401 or an HTML page, which
   * breaks client discovery (research trap 5). It lives here, not in a class of its own, because
   * JAX-RS picks the root resource class by its path first, and a catch-all class would shadow
   * this one.
   */
  @GET
  @Path("{rest: .*}")
  public Response unknown() {
    return notFound();
  }

  static Response notFound() {
    return Response.status(Response.Status.NOT_FOUND).type(MediaType.APPLICATION_JSON)
        .entity(Json.createObjectBuilder().add("error", "not_found").build()).build();
  }

  @HEAD
  @Path("oauth-authorization-server")
  public Response headOauth() {
    return Response.ok().type(MediaType.APPLICATION_JSON).build();
  }

  @HEAD
  @Path("openid-configuration")
  public Response headOpenid() {
    return Response.ok().type(MediaType.APPLICATION_JSON).build();
  }

  JsonObject document() {
    JsonArrayBuilder scopes = Json.createArrayBuilder();
    for (BackendDefinition backend : configuration.backends()) {
      scopes.add(OAuthUris.scope(backend));
    }
    scopes.add("offline_access");
    return Json.createObjectBuilder()
        .add("issuer", OAuthUris.issuer(configuration))
        .add("authorization_endpoint", OAuthUris.endpoint(configuration, "/authorize"))
        .add("token_endpoint", OAuthUris.endpoint(configuration, "/token"))
        .add("registration_endpoint", OAuthUris.endpoint(configuration, "/register"))
        .add("revocation_endpoint", OAuthUris.endpoint(configuration, "/revoke"))
        .add("response_types_supported", Json.createArrayBuilder().add("code"))
        .add("response_modes_supported", Json.createArrayBuilder().add("query"))
        .add("grant_types_supported",
            Json.createArrayBuilder().add("authorization_code").add("refresh_token"))
        .add("token_endpoint_auth_methods_supported", Json.createArrayBuilder(Clients.AUTH_METHODS))
        .add("revocation_endpoint_auth_methods_supported", Json.createArrayBuilder(Clients.AUTH_METHODS))
        .add("token_endpoint_auth_signing_alg_values_supported",
            Json.createArrayBuilder(Clients.SIGNING_ALGORITHMS))
        .add("revocation_endpoint_auth_signing_alg_values_supported",
            Json.createArrayBuilder(Clients.SIGNING_ALGORITHMS))
        .add("code_challenge_methods_supported", Json.createArrayBuilder().add("S256"))
        .add("scopes_supported", scopes)
        .add("client_id_metadata_document_supported", true)
        .add("authorization_response_iss_parameter_supported", true)
        .build();
  }
}
