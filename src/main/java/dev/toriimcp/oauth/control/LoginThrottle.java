package dev.toriimcp.oauth.control;

import dev.toriimcp.platform.control.Storage;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.text.Normalizer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Throttles failed logins per user (of a backend) and per client address key: after {@link
 * #MAX_FAILURES} failures of one user, or {@code 4 ×} that from one address key, within {@link
 * #WINDOW}, further attempts are refused until the window has passed (NIST SP 800-63B §5.2.2,
 * rate limiting). In memory, per node.
 *
 * <p>Every attempt that does not sign in counts, whatever the backend answered: a backend that
 * says 404, 422 or 429 to a wrong password must not give an attacker unlimited guesses. Usernames
 * are compared after {@link #normalize}, so {@code Alice}, {@code alice } and {@code ａｌｉｃｅ}
 * share one budget. The address key comes from {@code platform.control.ClientAddress} (trusted
 * proxies, IPv6 by /64). When more than {@link #MAX_KEYS} keys are tracked the least recently
 * used is dropped, never the whole map: a flood of fresh keys cannot reset a lock-out in progress.
 *
 * <p>When several nodes share the database ({@link Storage#shared()}), the failures are rows of
 * {@code login_failure} instead, keyed by a hash of the throttle key, so that N nodes behind a
 * load balancer give an attacker the guesses of one, not N times as many (ADR 0034).
 */
@ApplicationScoped
public class LoginThrottle {

  static final int MAX_FAILURES = 5;
  static final int MAX_ADDRESS_FAILURES = MAX_FAILURES * 4;
  static final Duration WINDOW = Duration.ofMinutes(15);
  static final int MAX_KEYS = 100_000;

  private static final String COUNT = "SELECT COUNT(*) FROM login_failure"
      + " WHERE throttle_key = ? AND failed_at > ?";
  private static final String RECORD =
      "INSERT INTO login_failure (throttle_key, failed_at) VALUES (?, ?)";
  private static final String FORGET = "DELETE FROM login_failure WHERE throttle_key = ?";
  private static final String PURGE = "DELETE FROM login_failure WHERE failed_at < ?";
  private static final long PURGE_EVERY_MILLIS = 60_000;

  @Inject Storage storage;

  private final Clock clock;
  private final Map<String, Deque<Instant>> failures;
  private volatile long purgedAt;

  public LoginThrottle() {
    this(Clock.systemUTC(), MAX_KEYS);
  }

  LoginThrottle(Clock clock, int maxKeys) {
    this.clock = clock;
    this.failures = new LinkedHashMap<>(16, 0.75f, true) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Deque<Instant>> eldest) {
        return size() > maxKeys;
      }
    };
  }

  public boolean blocked(String backend, String username, String addressKey) {
    if (shared()) {
      return storage.withConnection(connection ->
          stored(connection, userKey(backend, username)) >= MAX_FAILURES
              || stored(connection, addressKey(addressKey)) >= MAX_ADDRESS_FAILURES);
    }
    synchronized (failures) {
      return count(userKey(backend, username)) >= MAX_FAILURES
          || count(addressKey(addressKey)) >= MAX_ADDRESS_FAILURES;
    }
  }

  public void failed(String backend, String username, String addressKey) {
    if (shared()) {
      long now = clock.millis();
      storage.withConnection(connection -> {
        store(connection, userKey(backend, username), now);
        store(connection, addressKey(addressKey), now);
        if (now - purgedAt > PURGE_EVERY_MILLIS) {
          purgedAt = now;
          try (PreparedStatement purge = connection.prepareStatement(PURGE)) {
            purge.setLong(1, now - WINDOW.toMillis());
            purge.executeUpdate();
          }
        }
        return null;
      });
      return;
    }
    synchronized (failures) {
      record(userKey(backend, username));
      record(addressKey(addressKey));
    }
  }

  public void succeeded(String backend, String username) {
    if (shared()) {
      storage.withConnection(connection -> {
        try (PreparedStatement forget = connection.prepareStatement(FORGET)) {
          forget.setString(1, Secrets.hash(userKey(backend, username)));
          forget.executeUpdate();
        }
        return null;
      });
      return;
    }
    synchronized (failures) {
      failures.remove(userKey(backend, username));
    }
  }

  /**
   * The throttle's form of a username: trimmed, Unicode NFKC (compatibility forms such as
   * full-width letters fold to their plain form, UAX #15) and case-folded (upper then lower case,
   * so {@code ß} and {@code SS} meet). Only the throttle key; the backend gets what was typed.
   */
  static String normalize(String username) {
    String text = Normalizer.normalize(username == null ? "" : username, Normalizer.Form.NFKC);
    return Normalizer.normalize(text.strip().toUpperCase(Locale.ROOT).toLowerCase(Locale.ROOT),
        Normalizer.Form.NFKC);
  }

  private boolean shared() {
    return storage != null && storage.shared();
  }

  private int stored(Connection connection, String key) throws SQLException {
    try (PreparedStatement count = connection.prepareStatement(COUNT)) {
      count.setString(1, Secrets.hash(key));
      count.setLong(2, clock.millis() - WINDOW.toMillis());
      try (ResultSet row = count.executeQuery()) {
        row.next();
        return row.getInt(1);
      }
    }
  }

  private static void store(Connection connection, String key, long now) throws SQLException {
    try (PreparedStatement record = connection.prepareStatement(RECORD)) {
      record.setString(1, Secrets.hash(key));
      record.setLong(2, now);
      record.executeUpdate();
    }
  }

  private static String userKey(String backend, String username) {
    return "u:" + backend + ":" + normalize(username);
  }

  private static String addressKey(String key) {
    return "a:" + key;
  }

  private int count(String key) {
    Deque<Instant> times = failures.get(key);
    if (times == null) {
      return 0;
    }
    Instant cutoff = clock.instant().minus(WINDOW);
    while (!times.isEmpty() && times.peekFirst().isBefore(cutoff)) {
      times.pollFirst();
    }
    if (times.isEmpty()) {
      failures.remove(key);
    }
    return times.size();
  }

  private void record(String key) {
    Deque<Instant> times = failures.computeIfAbsent(key, k -> new ArrayDeque<>());
    times.addLast(clock.instant());
    if (times.size() > MAX_ADDRESS_FAILURES * 2) {
      times.pollFirst();
    }
  }
}
