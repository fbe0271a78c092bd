package dev.toriimcp.oauth.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Research TK-19: guessing codes is refused after a threshold, per client and address. */
class CodeThrottleTest {

  private final CodeThrottle throttle = new CodeThrottle();
  private final Instant now = Instant.parse("2026-12-02T12:00:00Z");

  @Test
  void refusesAfterTheThresholdUntilTheWindowEnds() {
    for (int i = 0; i < CodeThrottle.MAX_FAILURES; i++) {
      assertThat(throttle.blocked("client", "192.0.2.1", now)).as("attempt %d", i).isFalse();
      throttle.failed("client", "192.0.2.1", now);
    }
    assertThat(throttle.blocked("client", "192.0.2.1", now)).isTrue();
    assertThat(throttle.blocked("client", "192.0.2.1", now.plus(CodeThrottle.WINDOW))).isFalse();
  }

  @Test
  void anotherAddressOrClientIsNotHeldUp() {
    for (int i = 0; i < CodeThrottle.MAX_FAILURES; i++) {
      throttle.failed("client", "192.0.2.1", now);
    }
    assertThat(throttle.blocked("client", "192.0.2.2", now)).isFalse();
    assertThat(throttle.blocked("other", "192.0.2.1", now)).isFalse();
  }
}
