package dev.toriimcp.oauth.control;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Throttles guessing at the token endpoint (research TK-19; RFC 9700 §4.5): after {@link
 * #MAX_FAILURES} refused code redemptions by one client from one address within {@link #WINDOW},
 * further redemptions from there are refused with 429 until the window ends. A code is 256 random
 * bits, so this is defence in depth, keyed by client and address so that a stranger cannot lock
 * a shared client (a metadata-document URL, a configured client) out for everyone. In memory, per
 * node, bounded: a full map drops the windows that have ended, then the oldest.
 */
@ApplicationScoped
public class CodeThrottle {

  static final int MAX_FAILURES = 10;
  static final Duration WINDOW = Duration.ofMinutes(5);
  private static final int MAX_KEYS = 50_000;

  /** Failures counted since {@code start}. */
  private record Window(Instant start, int failures) {}

  private final Map<String, Window> windows = new ConcurrentHashMap<>();

  public boolean blocked(String clientId, String address, Instant now) {
    Window window = windows.get(key(clientId, address));
    return window != null && window.start().plus(WINDOW).isAfter(now)
        && window.failures() >= MAX_FAILURES;
  }

  public void failed(String clientId, String address, Instant now) {
    if (windows.size() >= MAX_KEYS) {
      windows.values().removeIf(w -> !w.start().plus(WINDOW).isAfter(now));
      if (windows.size() >= MAX_KEYS) {
        windows.entrySet().stream().min(Map.Entry.comparingByValue(
            java.util.Comparator.comparing(Window::start)))
            .ifPresent(oldest -> windows.remove(oldest.getKey()));
      }
    }
    windows.compute(key(clientId, address), (k, w) -> w == null || !w.start().plus(WINDOW).isAfter(now)
        ? new Window(now, 1) : new Window(w.start(), w.failures() + 1));
  }

  private static String key(String clientId, String address) {
    return clientId + "\n" + address;
  }
}
