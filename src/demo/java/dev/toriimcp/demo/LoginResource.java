package dev.toriimcp.demo;

import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** {@code POST /demo/api/login}: JSON username and password in, bearer token out. */
@Path("login")
public class LoginResource {

  @Inject DemoAccounts accounts;

  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  @Produces(MediaType.APPLICATION_JSON)
  public Response login(JsonObject credentials) {
    String username = credentials == null ? null : credentials.getString("username", null);
    String password = credentials == null ? null : credentials.getString("password", null);
    return accounts.login(username, password)
        .map(token -> Response.ok(Json.createObjectBuilder()
            .add("access_token", token)
            .add("token_type", "Bearer")
            .add("expires_in", DemoAccounts.TOKEN_LIFETIME.toSeconds())
            .build()).build())
        .orElseGet(() -> Response.status(Response.Status.UNAUTHORIZED)
            .entity(Json.createObjectBuilder().add("error", "invalid username or password").build())
            .build());
  }
}
