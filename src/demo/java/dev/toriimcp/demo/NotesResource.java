package dev.toriimcp.demo;

import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
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
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** Each user's notes, kept in memory. Every call needs the demo's own bearer token. */
@Path("")
@Produces(MediaType.APPLICATION_JSON)
public class NotesResource {

  record Note(long id, String owner, String title, String body, List<String> tags, Instant created) {
    JsonObject json() {
      JsonArrayBuilder tagArray = Json.createArrayBuilder();
      tags.forEach(tagArray::add);
      return Json.createObjectBuilder().add("id", id).add("title", title).add("body", body)
          .add("tags", tagArray).add("created", created.toString()).build();
    }
  }

  private static final Map<Long, Note> NOTES = new ConcurrentHashMap<>();
  private static final AtomicLong IDS = new AtomicLong();

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
    String user = user(authorization);
    JsonArrayBuilder notes = Json.createArrayBuilder();
    NOTES.values().stream()
        .filter(n -> n.owner().equals(user))
        .filter(n -> tag == null || n.tags().contains(tag))
        .sorted((a, b) -> Long.compare(a.id(), b.id()))
        .forEach(n -> notes.add(n.json()));
    return Response.ok(Json.createObjectBuilder().add("notes", notes).build()).build();
  }

  @POST
  @Path("notes")
  @Consumes(MediaType.APPLICATION_JSON)
  public Response create(
      @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, JsonObject request) {
    String user = user(authorization);
    if (request == null || request.getString("title", "").isBlank()) {
      return Response.status(Response.Status.BAD_REQUEST)
          .entity(Json.createObjectBuilder().add("error", "title is required").build()).build();
    }
    List<String> tags = request.containsKey("tags")
        ? request.getJsonArray("tags").getValuesAs(JsonString.class).stream()
            .map(JsonString::getString).toList()
        : List.of();
    Note note = new Note(IDS.incrementAndGet(), user, request.getString("title"),
        request.getString("body", ""), tags, Instant.now());
    NOTES.put(note.id(), note);
    return Response.status(Response.Status.CREATED).entity(note.json()).build();
  }

  @GET
  @Path("notes/{id}")
  public Response get(
      @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, @PathParam("id") long id) {
    String user = user(authorization);
    Note note = NOTES.get(id);
    if (note == null || !note.owner().equals(user)) {
      return notFound();
    }
    return Response.ok(note.json()).build();
  }

  @DELETE
  @Path("notes/{id}")
  public Response delete(
      @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, @PathParam("id") long id) {
    String user = user(authorization);
    Note note = NOTES.get(id);
    if (note == null || !note.owner().equals(user)) {
      return notFound();
    }
    NOTES.remove(id);
    return Response.noContent().build();
  }

  private String user(String authorization) {
    return accounts.user(authorization).orElseThrow(() -> new NotAuthorizedException(
        Response.status(Response.Status.UNAUTHORIZED)
            .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"demo\"")
            .entity(Json.createObjectBuilder().add("error", "log in first").build()).build()));
  }

  private static Response notFound() {
    return Response.status(Response.Status.NOT_FOUND)
        .entity(Json.createObjectBuilder().add("error", "no such note").build()).build();
  }
}
