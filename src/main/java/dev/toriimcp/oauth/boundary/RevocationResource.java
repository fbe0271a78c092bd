package dev.toriimcp.oauth.boundary;

import dev.toriimcp.configuration.entity.GatewayConfiguration;
import dev.toriimcp.oauth.control.Clients;
import dev.toriimcp.oauth.control.OAuthUris;
import dev.toriimcp.oauth.control.Tokens;
import dev.toriimcp.oauth.entity.OAuthError;
import dev.toriimcp.oauth.entity.OAuthException;
import dev.toriimcp.oauth.entity.RegisteredClient;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;

/**
 * Token revocation (RFC 7009): the client's own access or refresh token; revoking a refresh token
 * revokes its whole grant. Unknown tokens get 200 as well (§2.2).
 */
@Path("revoke")
@RequestScoped
public class RevocationResource {

  @Inject GatewayConfiguration configuration;
  @Inject Clients clients;
  @Inject Tokens tokens;

  @POST
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  public Response revoke(MultivaluedMap<String, String> form,
      @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
    RegisteredClient client = clients.authenticate(
        TokenResource.ClientCredentials.presented(form, authorization),
        OAuthUris.endpoint(configuration, "/revoke"));
    String token = TokenResource.param(form, "token");
    if (token == null || token.isEmpty()) {
      throw new OAuthException(OAuthError.invalidRequest("token is required"));
    }
    tokens.revoke(client, token);
    return Response.ok().header("Cache-Control", "no-store").build();
  }
}
