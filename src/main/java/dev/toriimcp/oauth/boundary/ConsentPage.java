package dev.toriimcp.oauth.boundary;

import dev.toriimcp.configuration.entity.BackendDefinition;
import dev.toriimcp.oauth.entity.PendingAuthorization;
import jakarta.ws.rs.core.Response;
import java.net.URI;

/**
 * The consent page: names the client, shows where it will be sent (the redirect host) and what
 * it will be able to do (MCP security best practices; research R-36, AZ-24). A client whose
 * redirect URI any program on the computer could claim is shown every time, with a warning
 * (RFC 8252 §8.6). After a denial, a client the gateway does not trust is not redirected to
 * without the user's click (RFC 9700 §4.11.2, AZ-17).
 */
final class ConsentPage {

  private ConsentPage() {}

  static Response render(BackendDefinition backend, PendingAuthorization pending,
      AuthorizationSession session, String id, String subject) {
    String client = pending.clientName() == null || pending.clientName().isBlank()
        ? "An unnamed application" : pending.clientName();
    String host = host(pending.redirectUri());
    boolean loopback = host.equals("127.0.0.1") || host.equals("localhost") || host.equals("[::1]");
    return Pages.page(200, "Allow access to " + backend.name(),
        "<h1>Allow <span id=\"client-name\">" + Pages.escape(client) + "</span> to use "
            + Pages.escape(backend.name()) + "?</h1>"
            + "<p>Signed in to " + Pages.escape(backend.name()) + " as <b>"
            + Pages.escape(subject) + "</b>.</p>"
            + "<p>It will be able to call every tool of <b>" + Pages.escape(backend.name())
            + "</b> as you (scope <code>" + Pages.escape(pending.scope()) + "</code>).</p>"
            + "<p class=\"muted\">You will be returned to <b id=\"redirect-host\">"
            + Pages.escape(host) + "</b>.</p>"
            + (loopback ? "<p class=\"muted\">This application runs on this computer.</p>" : "")
            + (pending.confirmEveryTime() ? "<p class=\"muted\" id=\"ask-every-time\">Any program"
                + " on this computer can use this application's return address, so you are asked"
                + " every time. Allow only if you have just started the sign-in yourself.</p>" : "")
            + (pending.clientId().startsWith("https://")
                ? "<p class=\"muted\">Application described by <b id=\"client-host\">"
                    + Pages.escape(host(pending.clientId())) + "</b>.</p>" : "")
            + "<form method=\"post\" action=\"/authorize/consent\">"
            + "<input type=\"hidden\" name=\"request\" value=\"" + Pages.escape(id) + "\">"
            + "<input type=\"hidden\" name=\"csrf\" value=\"" + Pages.escape(session.csrf()) + "\">"
            + "<button type=\"submit\" name=\"decision\" value=\"approve\" id=\"approve\">Allow</button>"
            + "<button type=\"submit\" name=\"decision\" value=\"deny\" id=\"deny\">Deny</button>"
            + "</form>");
  }

  /** After a denial: the user, not the gateway, decides whether to go back to the client. */
  static Response denied(PendingAuthorization pending, URI deniedRedirect) {
    String client = pending.clientName() == null || pending.clientName().isBlank()
        ? "the application" : pending.clientName();
    return Pages.page(200, "Access denied", "<h1>Access denied</h1>"
        + "<p>You did not allow " + Pages.escape(client) + " to use "
        + Pages.escape(pending.backend()) + ". You can close this window.</p>"
        + "<p class=\"muted\"><a id=\"return\" href=\"" + Pages.escape(deniedRedirect.toString())
        + "\">Tell the application at " + Pages.escape(host(pending.redirectUri()))
        + "</a></p>");
  }

  private static String host(String redirectUri) {
    try {
      String host = URI.create(redirectUri).getHost();
      return host == null ? redirectUri : host;
    } catch (IllegalArgumentException e) {
      return redirectUri;
    }
  }
}
