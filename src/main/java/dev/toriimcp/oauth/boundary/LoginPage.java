package dev.toriimcp.oauth.boundary;

import dev.toriimcp.configuration.entity.BackendDefinition;
import jakarta.ws.rs.core.Response;

/** The login-broker page: the backend's own username and password, posted to the gateway. */
final class LoginPage {

  private LoginPage() {}

  static Response render(int status, BackendDefinition backend, AuthorizationSession session,
      String id, String username, String error) {
    String name = Pages.escape(backend.name());
    return Pages.page(status, "Sign in to " + backend.name(),
        "<h1>Sign in to " + name + "</h1>"
            + "<p class=\"muted\">Use your " + name + " account. Your password goes only to "
            + name + "; the gateway does not keep it.</p>"
            + (error == null ? "" : "<p class=\"error\" role=\"alert\">" + Pages.escape(error) + "</p>")
            + "<form method=\"post\" action=\"/authorize/login\">"
            + "<input type=\"hidden\" name=\"request\" value=\"" + Pages.escape(id) + "\">"
            + "<input type=\"hidden\" name=\"csrf\" value=\"" + Pages.escape(session.csrf()) + "\">"
            + "<label for=\"username\">Username</label>"
            + "<input type=\"text\" id=\"username\" name=\"username\" autocomplete=\"username\""
            + " value=\"" + Pages.escape(username) + "\" required autofocus>"
            + "<label for=\"password\">Password</label>"
            + "<input type=\"password\" id=\"password\" name=\"password\""
            + " autocomplete=\"current-password\" required>"
            + "<button type=\"submit\" id=\"sign-in\">Sign in</button></form>");
  }
}
