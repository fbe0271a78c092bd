package dev.toriimcp.oauth.control;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;

/**
 * The per-address limits of the endpoints anyone can call without credentials and that store
 * something (research §2.5 "rate-limit registrations", RG-12): dynamic client registration
 * (a row per request) and new browser sessions at {@code GET /authorize} (memory per request).
 * Generous enough for real clients (Claude registers a new client at every fresh connection) and
 * a human signing in, far below a flood. In memory, per node.
 */
@ApplicationScoped
public class RateLimits {

  /** Registrations: 30 at once, then one every 6 s (600 an hour) per address. */
  static final int REGISTRATION_BURST = 30;
  static final Duration REGISTRATION_INTERVAL = Duration.ofSeconds(6);
  /** New authorization sessions: 30 at once, then one every 2 s per address. */
  static final int SESSION_BURST = 30;
  static final Duration SESSION_INTERVAL = Duration.ofSeconds(2);
  private static final int MAX_ADDRESSES = 10_000;

  private final AddressRateLimit registrations = new AddressRateLimit(REGISTRATION_BURST,
      REGISTRATION_INTERVAL, MAX_ADDRESSES, System::nanoTime);
  private final AddressRateLimit sessions = new AddressRateLimit(SESSION_BURST,
      SESSION_INTERVAL, MAX_ADDRESSES, System::nanoTime);

  /** Zero if the address may register a client now, else how long it must wait. */
  public Duration registration(String address) {
    return registrations.acquire(address);
  }

  /** Zero if the address may open a new authorization session now, else how long to wait. */
  public Duration newSession(String address) {
    return sessions.acquire(address);
  }

  /** The whole seconds to put in {@code Retry-After} for a wait (at least one). */
  public static long retryAfterSeconds(Duration wait) {
    return Math.max(1, (wait.toMillis() + 999) / 1000);
  }
}
