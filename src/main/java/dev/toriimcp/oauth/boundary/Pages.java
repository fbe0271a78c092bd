package dev.toriimcp.oauth.boundary;

import dev.toriimcp.platform.boundary.Html;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * The authorization server's HTML pages (login, consent, errors): self-contained, escaped, not
 * framable, not cached, no referrer (research, AZ-19).
 */
final class Pages {

  private Pages() {}

  static Response page(int status, String title, String body) {
    String html = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        + "<title>" + escape(title) + "</title><style>"
        + "body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem;"
        + "color:#222}h1{font-size:1.4rem}label{display:block;margin:.8rem 0 .2rem}"
        + "input[type=text],input[type=password]{width:100%;padding:.5rem;box-sizing:border-box}"
        + "button{margin-top:1rem;padding:.5rem 1rem;margin-right:.5rem}.error{color:#b00020}"
        + ".muted{color:#555;font-size:.9rem}</style></head><body>" + body + "</body></html>";
    return secure(Response.status(status)).type(MediaType.TEXT_HTML_TYPE.withCharset("utf-8"))
        .entity(html).build();
  }

  static Response error(String message) {
    return page(400, "Cannot continue", "<h1>Cannot continue</h1><p class=\"error\">"
        + escape(message) + "</p><p class=\"muted\">Return to the application and try again.</p>");
  }

  /** A backend's sign-in service (its identity provider) cannot be reached. */
  static Response unavailable(String backend) {
    return page(503, "Sign-in unavailable", "<h1>Sign-in unavailable</h1><p class=\"error\">The"
        + " sign-in service of " + escape(backend) + " cannot be reached.</p>"
        + "<p class=\"muted\">Return to the application and try again later.</p>");
  }

  /** A per-address limit refused a new sign-in (RFC 6585 §4). */
  static Response tooManyRequests(long retryAfterSeconds) {
    return Response.fromResponse(page(429, "Too many sign-ins", "<h1>Too many sign-ins</h1>"
        + "<p class=\"error\">Too many sign-ins were started from your network in a short time.</p>"
        + "<p class=\"muted\">Wait " + retryAfterSeconds + " seconds, then return to the"
        + " application and try again.</p>")).header("Retry-After", retryAfterSeconds).build();
  }

  static Response.ResponseBuilder secure(Response.ResponseBuilder response) {
    Html.HEADERS.forEach(response::header);
    return response.header("Content-Security-Policy",
        "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'");
  }

  static String escape(String text) {
    return Html.escape(text);
  }
}
