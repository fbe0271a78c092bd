package dev.toriimcp.mcp.boundary;

import dev.toriimcp.catalog.control.Catalogs;
import dev.toriimcp.catalog.entity.BackendCatalog;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * The MCP endpoint of each backend, {@code /mcp/<backend>}. So far it only tells a client whether
 * the backend exists and is available: unknown backends are 404, a backend whose spec could not
 * be loaded is 503 with the reason. The Streamable HTTP transport (initialize, tools/list,
 * tools/call) is not implemented yet and answers 501.
 */
@Path("mcp/{backend}")
@Produces(MediaType.APPLICATION_JSON)
public class McpResource {

  @Inject Catalogs catalogs;

  @POST
  public Response post(@PathParam("backend") String backend) {
    return availability(backend);
  }

  @GET
  public Response get(@PathParam("backend") String backend) {
    return availability(backend);
  }

  @DELETE
  public Response delete(@PathParam("backend") String backend) {
    return availability(backend);
  }

  private Response availability(String backend) {
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
    return error(Response.Status.NOT_IMPLEMENTED,
        "the MCP transport of backend '" + backend + "' is not implemented yet");
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
