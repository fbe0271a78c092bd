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
 *
 * <p>A login changes what the session is worth, so it gets a new CSRF token and keeps only the
 * request it was for ({@link #loggedIn}): a token or a request planted in the session before the
 * login (session fixation, login CSRF) is then worthless (OWASP Session Management, "Renew the
 * Session ID After Any Privilege Level Change"; research R-14, AZ-20).
 */
final class AuthorizationSession implements Serializable {

  private static final long serialVersionUID = 3L;
  private static final String ATTRIBUTE = "torii.authorization";
  private static final int MAX_PENDING = 20;

  /**
   * A sign-in under way at an {@code oauth2} backend's identity provider, kept under its
   * {@code state} (ADR 0020): for which pending request and backend, the gateway's PKCE verifier
   * and OpenID Connect nonce, and until when the callback is accepted.
   */
  record ProviderSignIn(String requestId, String backend, String verifier, String nonce,
      java.time.Instant expiresAt) implements Serializable {}

  /** A backend login of this browser session. */
  record Login(String subject, String sealedCredential, java.time.Instant expiresAt)
      implements Serializable {}

  private volatile String csrf = Secrets.newToken();
  private final Map<String, PendingAuthorization> pending = new LinkedHashMap<>();
  private final Map<String, Login> logins = new ConcurrentHashMap<>();
  private final Map<String, ProviderSignIn> signIns = new LinkedHashMap<>();

  /** The session's state, creating the HTTP session if there is none. */
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

  /** The session's state, or {@code null} without creating an HTTP session. */
  static AuthorizationSession existing(HttpServletRequest request) {
    HttpSession session = request.getSession(false);
    if (session == null) {
      return null;
    }
    synchronized (session) {
      return (AuthorizationSession) session.getAttribute(ATTRIBUTE);
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

  /** Remembers a sign-in sent to an identity provider; returns its {@code state}. */
  synchronized String signingIn(ProviderSignIn signIn) {
    signIns.values().removeIf(s -> s.expiresAt().isBefore(java.time.Instant.now()));
    if (signIns.size() >= MAX_PENDING) {
      signIns.remove(signIns.keySet().iterator().next());
    }
    String state = Secrets.newToken();
    signIns.put(state, signIn);
    return state;
  }

  /**
   * The sign-in of {@code state}, removed so that it is used once; {@code null} if unknown,
   * used or expired.
   */
  synchronized ProviderSignIn takeSignIn(String state) {
    ProviderSignIn signIn = state == null ? null : signIns.remove(state);
    return signIn == null || signIn.expiresAt().isBefore(java.time.Instant.now()) ? null : signIn;
  }

  Login login(String backend) {
    return logins.get(backend);
  }

  /** Drops the session's login to the backend, so that the next request signs in again. */
  void forget(String backend) {
    logins.remove(backend);
  }

  /** The backend logins of this session, by backend name. */
  Map<String, Login> logins() {
    return Map.copyOf(logins);
  }

  /**
   * Records a login made for the pending request {@code requestId}: a new CSRF token, and every
   * other pending request dropped.
   */
  synchronized void loggedIn(String backend, Login login, String requestId) {
    PendingAuthorization kept = pending.get(requestId);
    pending.clear();
    if (kept != null) {
      pending.put(requestId, kept);
    }
    signIns.clear();
    csrf = Secrets.newToken();
    logins.put(backend, login);
  }
}
