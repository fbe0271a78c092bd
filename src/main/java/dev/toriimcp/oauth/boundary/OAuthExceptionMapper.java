package dev.toriimcp.oauth.boundary;

import dev.toriimcp.oauth.entity.OAuthError;
import dev.toriimcp.oauth.entity.OAuthException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.json.Json;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/** Renders OAuth errors as RFC 6749 §5.2 JSON, never cached. */
@Provider
@ApplicationScoped
public class OAuthExceptionMapper implements ExceptionMapper<OAuthException> {

  @Override
  public Response toResponse(OAuthException exception) {
    return render(exception.error());
  }

  static Response render(OAuthError error) {
    Response.ResponseBuilder response = Response.status(error.status())
        .type(MediaType.APPLICATION_JSON)
        .header("Cache-Control", "no-store")
        .header("Pragma", "no-cache")
        .entity(Json.createObjectBuilder().add("error", error.code())
            .add("error_description", error.description()).build());
    if (error.status() == 401) {
      response.header("WWW-Authenticate", "Basic realm=\"torii-mcp\"");
    }
    return response.build();
  }
}
