package dev.toriimcp.oauth.boundary;

import dev.toriimcp.oauth.control.Secrets;
import dev.toriimcp.oauth.entity.PendingAuthorization;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the authorization pages keep in the user's HTTP session: a CSRF token, the pending
 * authorization requests, and the backends the user has logged in to (with the upstream
 * credential already sealed). Nothing here is ever sent to the MCP client.
 */
final class AuthorizationSession implements Serializable {

  private static final long serialVersionUID = 1L;
  private static final String ATTRIBUTE = "torii.authorization";
  private static final int MAX_PENDING = 20;

  /** A backend login of this browser session. */
  record Login(String subject, String sealedCredential, java.time.Instant expiresAt)
      implements Serializable {}

  private final String csrf = Secrets.newToken();
  private final Map<String, PendingAuthorization> pending = new LinkedHashMap<>();
  private final Map<String, Login> logins = new ConcurrentHashMap<>();

  static AuthorizationSession of(HttpServletRequest request) {
    HttpSession session = request.getSession(true);
    synchronized (session) {
      AuthorizationSession state = (AuthorizationSession) session.getAttribute(ATTRIBUTE);
      if (state == null) {
        state = new AuthorizationSession();
        session.setAttribute(ATTRIBUTE, state);
      }
      return state;
    }
  }

  String csrf() {
    return csrf;
  }

  boolean csrfMatches(String presented) {
    return presented != null && MessageDigest.isEqual(
        presented.getBytes(StandardCharsets.UTF_8), csrf.getBytes(StandardCharsets.UTF_8));
  }

  synchronized String add(PendingAuthorization request) {
    if (pending.size() >= MAX_PENDING) {
      String oldest = pending.keySet().iterator().next();
      pending.remove(oldest);
    }
    String id = Secrets.newToken();
    pending.put(id, request);
    return id;
  }

  synchronized PendingAuthorization pending(String id) {
    return id == null ? null : pending.get(id);
  }

  synchronized PendingAuthorization take(String id) {
    return id == null ? null : pending.remove(id);
  }

  Login login(String backend) {
    return logins.get(backend);
  }

  void loggedIn(String backend, Login login) {
    logins.put(backend, login);
  }
}
