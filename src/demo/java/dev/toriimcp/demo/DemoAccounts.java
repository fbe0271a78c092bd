package dev.toriimcp.demo;

import jakarta.enterprise.context.ApplicationScoped;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** The demo's fixed users and the bearer tokens its login endpoint hands out. */
@ApplicationScoped
public class DemoAccounts {

  static final Duration TOKEN_LIFETIME = Duration.ofHours(8);
  private static final Map<String, String> PASSWORDS = Map.of("alice", "wonderland", "bob", "builder");

  private final SecureRandom random = new SecureRandom();
  private final Map<String, Session> sessions = new ConcurrentHashMap<>();

  record Session(String username, Instant expiresAt) {}

  /** A new token for valid credentials, or empty. */
  Optional<String> login(String username, String password) {
    String expected = username == null ? null : PASSWORDS.get(username);
    if (expected == null || password == null || !MessageDigest.isEqual(
        expected.getBytes(StandardCharsets.UTF_8), password.getBytes(StandardCharsets.UTF_8))) {
      return Optional.empty();
    }
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    sessions.put(token, new Session(username, Instant.now().plus(TOKEN_LIFETIME)));
    return Optional.of(token);
  }

  /** The user a bearer token belongs to, if it is known and not expired. */
  Optional<String> user(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return Optional.empty();
    }
    Session session = sessions.get(authorization.substring(7).trim());
    if (session == null || session.expiresAt().isBefore(Instant.now())) {
      return Optional.empty();
    }
    return Optional.of(session.username());
  }
}
