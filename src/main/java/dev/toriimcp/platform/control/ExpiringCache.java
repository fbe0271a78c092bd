package dev.toriimcp.platform.control;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A node-local cache whose entries each have a time after which they no longer count. It holds
 * at most {@code capacity} entries: when full, it forgets everything and refills from the source
 * (every user of it can, and a flood of distinct keys cannot grow it without bound).
 */
public final class ExpiringCache<K, V> {

  private record Entry<V>(V value, Instant until) {}

  private final int capacity;
  private final Map<K, Entry<V>> entries = new ConcurrentHashMap<>();

  public ExpiringCache(int capacity) {
    this.capacity = capacity;
  }

  /** The value, or null when there is none or its time has passed at {@code now}. */
  public V get(K key, Instant now) {
    Entry<V> entry = entries.get(key);
    return entry != null && entry.until().isAfter(now) ? entry.value() : null;
  }

  /** Keeps the value until {@code until}. */
  public void put(K key, V value, Instant until) {
    if (entries.size() >= capacity) {
      entries.clear();
    }
    entries.put(key, new Entry<>(value, until));
  }

  public void remove(K key) {
    entries.remove(key);
  }

  public void clear() {
    entries.clear();
  }
}
