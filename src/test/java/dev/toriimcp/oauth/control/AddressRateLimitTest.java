package dev.toriimcp.oauth.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The burst-then-steady-rate limit per address, with a fake clock. */
class AddressRateLimitTest {

  private final AtomicLong now = new AtomicLong(1_000_000_000L);

  @Test
  void allowsTheBurstThenOnePerIntervalAndSaysHowLongToWait() {
    AddressRateLimit limit = new AddressRateLimit(3, Duration.ofSeconds(10), 100, now::get);
    for (int i = 0; i < 3; i++) {
      assertThat(limit.acquire("a")).as("request %d", i).isZero();
    }
    assertThat(limit.acquire("a")).isEqualTo(Duration.ofSeconds(10));
    assertThat(limit.acquire("b")).as("other addresses are not affected").isZero();

    now.addAndGet(Duration.ofSeconds(4).toNanos());
    assertThat(limit.acquire("a")).as("refused requests do not count").isEqualTo(Duration.ofSeconds(6));
    now.addAndGet(Duration.ofSeconds(6).toNanos());
    assertThat(limit.acquire("a")).isZero();
    assertThat(limit.acquire("a")).isEqualTo(Duration.ofSeconds(10));

    now.addAndGet(Duration.ofSeconds(30).toNanos());
    for (int i = 0; i < 3; i++) {
      assertThat(limit.acquire("a")).as("a full burst again after %d s idle", 30).isZero();
    }
    assertThat(limit.acquire("a")).isPositive();
  }

  @Test
  void forgetsTheLeastRecentlySeenAddressBeyondItsBound() {
    AddressRateLimit limit = new AddressRateLimit(1, Duration.ofMinutes(1), 2, now::get);
    assertThat(limit.acquire("a")).isZero();
    assertThat(limit.acquire("b")).isZero();
    assertThat(limit.acquire("a")).as("a is limited and now the most recent").isPositive();
    assertThat(limit.acquire("c")).isZero();
    assertThat(limit.size()).isEqualTo(2);
    assertThat(limit.acquire("a")).as("a was kept").isPositive();
    assertThat(limit.acquire("b")).as("b, the oldest, was forgotten").isZero();
  }

  @Test
  void refusesNonsenseSettings() {
    assertThatThrownBy(() -> new AddressRateLimit(0, Duration.ofSeconds(1), 1, now::get))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new AddressRateLimit(1, Duration.ZERO, 1, now::get))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void roundsRetryAfterUpToWholeSeconds() {
    assertThat(RateLimits.retryAfterSeconds(Duration.ofMillis(1))).isEqualTo(1);
    assertThat(RateLimits.retryAfterSeconds(Duration.ofMillis(5_001))).isEqualTo(6);
    assertThat(RateLimits.retryAfterSeconds(Duration.ZERO)).isEqualTo(1);
  }
}
