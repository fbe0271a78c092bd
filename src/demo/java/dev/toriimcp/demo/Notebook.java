package dev.toriimcp.demo;

import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** One API's notes, kept in memory, each owned by one user; the JSON answers of its endpoints. */
final class Notebook {

  record Note(long id, String owner, String title, String body, List<String> tags, Instant created) {
    JsonObject json() {
      JsonArrayBuilder tagArray = Json.createArrayBuilder();
      tags.forEach(tagArray::add);
      return Json.createObjectBuilder().add("id", id).add("title", title).add("body", body)
          .add("tags", tagArray).add("created", created.toString()).build();
    }
  }

  private final Map<Long, Note> notes = new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong();

  Response list(String owner, String tag) {
    JsonArrayBuilder found = Json.createArrayBuilder();
    notes.values().stream()
        .filter(n -> n.owner().equals(owner))
        .filter(n -> tag == null || n.tags().contains(tag))
        .sorted((a, b) -> Long.compare(a.id(), b.id()))
        .forEach(n -> found.add(n.json()));
    return Response.ok(Json.createObjectBuilder().add("notes", found).build()).build();
  }

  Response create(String owner, JsonObject request) {
    if (request == null || request.getString("title", "").isBlank()) {
      return Response.status(Response.Status.BAD_REQUEST)
          .entity(Json.createObjectBuilder().add("error", "title is required").build()).build();
    }
    List<String> tags = request.containsKey("tags")
        ? request.getJsonArray("tags").getValuesAs(JsonString.class).stream()
            .map(JsonString::getString).toList()
        : List.of();
    Note note = new Note(ids.incrementAndGet(), owner, request.getString("title"),
        request.getString("body", ""), tags, Instant.now());
    notes.put(note.id(), note);
    return Response.status(Response.Status.CREATED).entity(note.json()).build();
  }

  Response get(String owner, long id) {
    Note note = notes.get(id);
    if (note == null || !note.owner().equals(owner)) {
      return notFound();
    }
    return Response.ok(note.json()).build();
  }

  Response delete(String owner, long id) {
    Note note = notes.get(id);
    if (note == null || !note.owner().equals(owner)) {
      return notFound();
    }
    notes.remove(id);
    return Response.noContent().build();
  }

  private static Response notFound() {
    return Response.status(Response.Status.NOT_FOUND)
        .entity(Json.createObjectBuilder().add("error", "no such note").build()).build();
  }
}
