package dev.toriimcp.demo;

import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.NotAuthorizedException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * The notes API again, under {@code /demo/api/oauth}, for the holders of access tokens of the
 * demo identity provider only (RFC 6750): each caller has the notes of the token's {@code sub},
 * kept apart from the password-login notes, and {@code GET /me} says whose token arrived.
 */
@Path("oauth")
@Produces(MediaType.APPLICATION_JSON)
public class IdpNotesResource {

  private static final Notebook NOTES = new Notebook();

  @Inject IdpTokens tokens;

  @GET
  @Path("me")
  public JsonObject me(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
    IdpTokens.Caller caller = caller(authorization);
    return Json.createObjectBuilder().add("username", caller.subject())
        .add("issuer", caller.issuer()).add("client", caller.client())
        .add("token_expires_at", caller.expiresAt().toString()).build();
  }

  @GET
  @Path("notes")
  public Response list(
      @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, @QueryParam("tag") String tag) {
    return NOTES.list(caller(authorization).subject(), tag);
  }

  @POST
  @Path("notes")
  @Consumes(MediaType.APPLICATION_JSON)
  public Response create(
      @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, JsonObject request) {
    return NOTES.create(caller(authorization).subject(), request);
  }

  @GET
  @Path("notes/{id}")
  public Response get(
      @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, @PathParam("id") long id) {
    return NOTES.get(caller(authorization).subject(), id);
  }

  @DELETE
  @Path("notes/{id}")
  public Response delete(
      @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, @PathParam("id") long id) {
    return NOTES.delete(caller(authorization).subject(), id);
  }

  private IdpTokens.Caller caller(String authorization) {
    try {
      return tokens.verify(authorization);
    } catch (IdpTokens.InvalidTokenException e) {
      // RFC 6750 §3: no error code when no token came; invalid_token with a description else.
      String challenge = e.missing ? "Bearer realm=\"demo-oauth\""
          : "Bearer realm=\"demo-oauth\", error=\"invalid_token\", error_description=\""
              + e.getMessage().replace('"', '\'').replace('\\', '/') + "\"";
      JsonObject body = e.missing
          ? Json.createObjectBuilder().add("error", e.getMessage()).build()
          : Json.createObjectBuilder().add("error", "invalid_token")
              .add("error_description", e.getMessage()).build();
      throw new NotAuthorizedException(Response.status(Response.Status.UNAUTHORIZED)
          .header(HttpHeaders.WWW_AUTHENTICATE, challenge).entity(body).build());
    }
  }
}
