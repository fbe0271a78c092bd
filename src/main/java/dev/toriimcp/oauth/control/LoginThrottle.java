package dev.toriimcp.oauth.control;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Throttles failed logins per user (of a backend) and per client address: after
 * {@link #MAX_FAILURES} failures within {@link #WINDOW}, further attempts are refused until the
 * window has passed. In memory, per node.
 */
@ApplicationScoped
public class LoginThrottle {

  static final int MAX_FAILURES = 5;
  static final Duration WINDOW = Duration.ofMinutes(15);
  private static final int MAX_KEYS = 100_000;

  private final Map<String, Deque<Instant>> failures = new ConcurrentHashMap<>();

  public boolean blocked(String backend, String username, String address) {
    return count("u:" + backend + ":" + username) >= MAX_FAILURES
        || count("a:" + address) >= MAX_FAILURES * 4;
  }

  public void failed(String backend, String username, String address) {
    if (failures.size() > MAX_KEYS) {
      failures.clear(); // bounded memory under a flood; the window restarts
    }
    record("u:" + backend + ":" + username);
    record("a:" + address);
  }

  public void succeeded(String backend, String username) {
    failures.remove("u:" + backend + ":" + username);
  }

  private int count(String key) {
    Deque<Instant> times = failures.get(key);
    if (times == null) {
      return 0;
    }
    synchronized (times) {
      Instant cutoff = Instant.now().minus(WINDOW);
      while (!times.isEmpty() && times.peekFirst().isBefore(cutoff)) {
        times.pollFirst();
      }
      return times.size();
    }
  }

  private void record(String key) {
    Deque<Instant> times = failures.computeIfAbsent(key, k -> new ArrayDeque<>());
    synchronized (times) {
      times.addLast(Instant.now());
      if (times.size() > MAX_FAILURES * 8) {
        times.pollFirst();
      }
    }
  }
}
