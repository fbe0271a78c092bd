package dev.toriimcp.mcp.control;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Rate limits for tool calls (MCP server/tools, security: servers MUST rate-limit invocations),
 * per key (a user on a backend) and per node: a token bucket of {@code perMinute} calls that
 * refills evenly over the minute, and at most {@code inFlight} calls running at once. One user
 * can then neither flood a backend nor hold every upstream thread of the node. Requests that
 * hold no upstream slot ({@code tools/list}, each message of a batch) take a token from the same
 * bucket (ADR 0013).
 *
 * <p>Buckets that are full and idle are the same as no bucket; they are dropped once the map
 * holds more than {@code SWEEP_ABOVE} keys, so distinct users cannot grow it without bound. A
 * sweep runs at most once a second: with that many users all busy, a sweep per call would walk
 * the whole map on every call.
 *
 * <p>When several nodes share the database, the per-minute buckets are a {@link MinuteBudget}
 * there instead ({@link SharedCallBudget}), so the limit holds across nodes; the in-flight limit
 * stays per node, since what it guards is this node's threads (ADR 0034).
 */
public final class CallLimiter {

  /** Admitted: call {@link #release()} exactly once when the call has ended. */
  public interface Permit {
    void release();
  }

  /** Either a permit or the reason for the refusal, fit for the model to read. */
  public record Decision(Permit permit, String refusal) {}

  /** Per-minute buckets kept elsewhere than in this node's memory. */
  public interface MinuteBudget {
    /** Takes one call from {@code key}'s bucket: null if admitted, else why not. */
    String take(String key);
  }

  static final int SWEEP_ABOVE = 10_000;
  private static final long SWEEP_INTERVAL_NANOS = 1_000_000_000L;

  private static final class Bucket {
    double tokens;
    long refilledAt;
    int running;
    boolean dropped;

    Bucket(double tokens, long now) {
      this.tokens = tokens;
      this.refilledAt = now;
    }
  }

  private final int perMinute;
  private final int inFlight;
  private final MinuteBudget shared;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
  private boolean swept;
  private long nextSweep;

  public CallLimiter(int perMinute, int inFlight) {
    this(perMinute, inFlight, null);
  }

  /** Limits whose per-minute buckets are {@code shared} (null: in this node's memory). */
  public CallLimiter(int perMinute, int inFlight, MinuteBudget shared) {
    this.perMinute = perMinute;
    this.inFlight = inFlight;
    this.shared = shared;
  }

  /** The refusal of a call over the per-minute limit that may be retried in {@code seconds}. */
  static String perMinuteRefusal(int perMinute, long seconds) {
    return "more than " + perMinute + " calls per minute from this user; try again in "
        + Math.max(1, seconds) + " s";
  }

  /** Admits one call for {@code key} at {@code nanoTime}, or says why not. */
  public Decision admit(String key, long nanoTime) {
    return decide(key, nanoTime, true);
  }

  /**
   * Charges one request that holds no upstream slot (a {@code tools/list}, a message of a
   * batch) to {@code key}'s per-minute bucket: null if admitted, else why not (ADR 0013).
   */
  public String charge(String key, long nanoTime) {
    return decide(key, nanoTime, false).refusal();
  }

  private Decision decide(String key, long nanoTime, boolean holds) {
    if (buckets.size() > SWEEP_ABOVE && sweepDue(nanoTime)) {
      sweep(nanoTime);
    }
    if (shared != null) {
      return decideShared(key, nanoTime, holds);
    }
    while (true) {
      Bucket bucket = buckets.computeIfAbsent(key, k -> new Bucket(perMinute, nanoTime));
      synchronized (bucket) {
        if (bucket.dropped) {
          continue; // swept between the look-up and the lock: take the new one
        }
        refill(bucket, nanoTime);
        if (holds && bucket.running >= inFlight) {
          return new Decision(null, "too many calls at once from this user (at most " + inFlight
              + "); try again when one has finished");
        }
        if (bucket.tokens < 1) {
          long seconds = (long) Math.ceil((1 - bucket.tokens) * 60 / perMinute);
          return new Decision(null, perMinuteRefusal(perMinute, seconds));
        }
        bucket.tokens -= 1;
        if (!holds) {
          return new Decision(() -> { }, null);
        }
        bucket.running++;
        return new Decision(new Release(bucket), null);
      }
    }
  }

  /**
   * The in-flight slot is taken here first and the shared bucket asked outside the node's lock,
   * so a database round trip never serialises one user's calls on this node.
   */
  private Decision decideShared(String key, long nanoTime, boolean holds) {
    if (!holds) {
      String refusal = shared.take(key);
      return refusal == null ? new Decision(() -> { }, null) : new Decision(null, refusal);
    }
    Release slot;
    while (true) {
      Bucket bucket = buckets.computeIfAbsent(key, k -> new Bucket(perMinute, nanoTime));
      synchronized (bucket) {
        if (bucket.dropped) {
          continue;
        }
        if (bucket.running >= inFlight) {
          return new Decision(null, "too many calls at once from this user (at most " + inFlight
              + "); try again when one has finished");
        }
        bucket.running++;
        slot = new Release(bucket);
        break;
      }
    }
    String refusal;
    try {
      refusal = shared.take(key);
    } catch (RuntimeException e) {
      slot.release();
      throw e;
    }
    if (refusal != null) {
      slot.release();
      return new Decision(null, refusal);
    }
    return new Decision(slot, null);
  }

  private void refill(Bucket bucket, long nanoTime) {
    double elapsedMinutes = Math.max(0, nanoTime - bucket.refilledAt) / 60e9;
    bucket.tokens = Math.min(perMinute, bucket.tokens + elapsedMinutes * perMinute);
    bucket.refilledAt = nanoTime;
  }

  private synchronized boolean sweepDue(long nanoTime) {
    if (swept && nanoTime - nextSweep < 0) {
      return false;
    }
    swept = true;
    nextSweep = nanoTime + SWEEP_INTERVAL_NANOS;
    return true;
  }

  private void sweep(long nanoTime) {
    buckets.forEach((key, bucket) -> {
      synchronized (bucket) {
        refill(bucket, nanoTime);
        if (bucket.running == 0 && bucket.tokens >= perMinute) {
          bucket.dropped = true;
          buckets.remove(key, bucket);
        }
      }
    });
  }

  /** How many keys are tracked (for tests). */
  int size() {
    return buckets.size();
  }

  private static final class Release implements Permit {
    private final Bucket bucket;
    private boolean released;

    Release(Bucket bucket) {
      this.bucket = bucket;
    }

    @Override
    public void release() {
      synchronized (bucket) {
        if (!released) {
          released = true;
          bucket.running--;
        }
      }
    }
  }
}
