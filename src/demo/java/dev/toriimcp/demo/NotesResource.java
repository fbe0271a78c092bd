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

/** Each user's notes, kept in memory. Every call needs the demo's own bearer token. */
@Path("")
@Produces(MediaType.APPLICATION_JSON)
public class NotesResource {

  private static final Notebook NOTES = new Notebook();

  @Inject DemoAccounts accounts;

  @GET
  @Path("me")
  public JsonObject me(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
    return Json.createObjectBuilder().add("username", user(authorization)).build();
  }

  @GET
  @Path("notes")
  public Response list(
      @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, @QueryParam("tag") String tag) {
    return NOTES.list(user(authorization), tag);
  }

  @POST
  @Path("notes")
  @Consumes(MediaType.APPLICATION_JSON)
  public Response create(
      @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, JsonObject request) {
    return NOTES.create(user(authorization), request);
  }

  @GET
  @Path("notes/{id}")
  public Response get(
      @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, @PathParam("id") long id) {
    return NOTES.get(user(authorization), id);
  }

  @DELETE
  @Path("notes/{id}")
  public Response delete(
      @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, @PathParam("id") long id) {
    return NOTES.delete(user(authorization), id);
  }

  private String user(String authorization) {
    return accounts.user(authorization).orElseThrow(() -> new NotAuthorizedException(
        Response.status(Response.Status.UNAUTHORIZED)
            .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"demo\"")
            .entity(Json.createObjectBuilder().add("error", "log in first").build()).build()));
  }
}
