package dev.toriimcp.oauth.control;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * A per-key rate limit (one key per client address): a burst of {@code burst} requests, then one
 * per {@code interval}. It is the generic cell rate algorithm, so each key costs one {@code long}:
 * the time at which its bucket would be full again. Node-local and bounded: beyond
 * {@code maxKeys} the least recently seen key is forgotten, which only ever gives that key a full
 * bucket again (a flood of distinct addresses cannot grow the map, nor lock anyone out).
 */
public final class AddressRateLimit {

  private final long intervalNanos;
  private final long toleranceNanos;
  private final LongSupplier nanoClock;
  private final Map<String, Long> full;

  public AddressRateLimit(int burst, Duration interval, int maxKeys, LongSupplier nanoClock) {
    if (burst < 1 || interval.isNegative() || interval.isZero() || maxKeys < 1) {
      throw new IllegalArgumentException("burst, interval and maxKeys must be positive");
    }
    this.intervalNanos = interval.toNanos();
    this.toleranceNanos = intervalNanos * (burst - 1);
    this.nanoClock = nanoClock;
    this.full = new LinkedHashMap<>(64, 0.75f, true) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
        return size() > maxKeys;
      }
    };
  }

  /**
   * Counts one request of {@code key}: {@link Duration#ZERO} if it may go ahead, otherwise how
   * long until it would be allowed (for {@code Retry-After}); a refused request is not counted.
   */
  public synchronized Duration acquire(String key) {
    long now = nanoClock.getAsLong();
    Long stored = full.get(key);
    long tat = stored == null || stored - now < 0 ? now : stored;
    long wait = tat - now - toleranceNanos;
    if (wait > 0) {
      return Duration.ofNanos(wait);
    }
    full.put(key, tat + intervalNanos);
    return Duration.ZERO;
  }

  synchronized int size() {
    return full.size();
  }
}
