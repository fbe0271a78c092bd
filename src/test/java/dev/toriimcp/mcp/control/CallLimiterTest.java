package dev.toriimcp.mcp.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CallLimiterTest {

  private static final long SECOND = 1_000_000_000L;

  @Test
  void aUserGetsPerMinuteCallsThenWaitsForTheBucketToRefill() {
    CallLimiter limiter = new CallLimiter(3, 10);
    long start = 42 * SECOND;
    for (int i = 0; i < 3; i++) {
      limiter.admit("alice\ndemo", start).permit().release();
    }

    CallLimiter.Decision refused = limiter.admit("alice\ndemo", start);

    assertThat(refused.permit()).isNull();
    assertThat(refused.refusal())
        .isEqualTo("more than 3 calls per minute from this user; try again in 20 s");
    assertThat(limiter.admit("alice\ndemo", start + 19 * SECOND).permit()).isNull();
    assertThat(limiter.admit("alice\ndemo", start + 20 * SECOND).permit()).isNotNull();
    assertThat(limiter.admit("bob\ndemo", start).permit()).as("another user").isNotNull();
    assertThat(limiter.admit("alice\nother", start).permit()).as("another backend").isNotNull();
  }

  @Test
  void chargedRequestsShareTheBucketButHoldNoSlot() {
    CallLimiter limiter = new CallLimiter(3, 1);
    CallLimiter.Permit running = limiter.admit("alice\ndemo", 0).permit();

    assertThat(limiter.charge("alice\ndemo", 0)).as("beside a running call").isNull();
    assertThat(limiter.charge("alice\ndemo", 0)).isNull();
    assertThat(limiter.charge("alice\ndemo", 0))
        .isEqualTo("more than 3 calls per minute from this user; try again in 20 s");
    running.release();
    assertThat(limiter.admit("alice\ndemo", 0).refusal()).as("the charges spent the minute")
        .startsWith("more than 3 calls per minute");
  }

  @Test
  void aUserRunsAtMostInFlightCallsAtOnce() {
    CallLimiter limiter = new CallLimiter(1000, 2);
    CallLimiter.Permit first = limiter.admit("alice\ndemo", 0).permit();
    CallLimiter.Permit second = limiter.admit("alice\ndemo", 0).permit();

    CallLimiter.Decision third = limiter.admit("alice\ndemo", 0);

    assertThat(first).isNotNull();
    assertThat(second).isNotNull();
    assertThat(third.refusal()).startsWith("too many calls at once from this user (at most 2)");
    first.release();
    first.release(); // a second release frees nothing more
    assertThat(limiter.admit("alice\ndemo", 0).permit()).isNotNull();
    assertThat(limiter.admit("alice\ndemo", 0).permit()).isNull();
  }

  @Test
  void idleFullBucketsAreDroppedOnceThereAreManyButRunningOnesStay() {
    CallLimiter limiter = new CallLimiter(10, 5);
    CallLimiter.Permit running = limiter.admit("busy", 0).permit();
    for (int i = 0; i <= CallLimiter.SWEEP_ABOVE; i++) {
      limiter.admit("user-" + i, 0).permit().release();
    }
    assertThat(limiter.size()).isGreaterThan(CallLimiter.SWEEP_ABOVE);

    // A minute later every idle bucket is full again: the next admission sweeps them.
    limiter.admit("late", 60 * SECOND).permit().release();

    assertThat(limiter.size()).isEqualTo(2); // "busy" and "late"
    running.release();
    // Its bucket still counts: the cap of 5 holds.
    for (int i = 0; i < 5; i++) {
      assertThat(limiter.admit("busy", 60 * SECOND).permit()).isNotNull();
    }
    assertThat(limiter.admit("busy", 60 * SECOND).permit()).isNull();
  }

  @Test
  void aSweepRunsAtMostOnceASecond() {
    // 60,000 a minute: a bucket used once is full again within a tenth of a second.
    CallLimiter limiter = new CallLimiter(60_000, 5);
    for (int i = 0; i <= CallLimiter.SWEEP_ABOVE + 1; i++) {
      limiter.admit("user-" + i, 0).permit().release();
    }
    int many = limiter.size();
    assertThat(many).isGreaterThan(CallLimiter.SWEEP_ABOVE);

    limiter.admit("half-a-second-later", SECOND / 2).permit().release();
    assertThat(limiter.size()).as("the sweep at 0 s was the last for a second").isEqualTo(many + 1);

    limiter.admit("a-second-later", SECOND).permit().release();
    assertThat(limiter.size()).isEqualTo(1);
  }

  @Test
  void aSharedBudgetCountsTheMinuteWhileThisNodeCountsItsOwnSlots() {
    List<String> asked = new ArrayList<>();
    AtomicInteger left = new AtomicInteger(2);
    CallLimiter limiter = new CallLimiter(60, 1, key -> {
      asked.add(key);
      return left.getAndDecrement() > 0 ? null : "the shared budget says no";
    });

    CallLimiter.Permit running = limiter.admit("alice\ndemo", 0).permit();
    assertThat(running).isNotNull();
    assertThat(limiter.admit("alice\ndemo", 0).refusal()).as("this node's one slot is taken")
        .startsWith("too many calls at once from this user (at most 1)");
    assertThat(asked).as("a call refused for its slot costs no minute").hasSize(1);
    assertThat(limiter.charge("alice\ndemo", 0)).as("a charge holds no slot").isNull();
    running.release();

    CallLimiter.Decision refused = limiter.admit("alice\ndemo", 0);
    assertThat(refused.refusal()).isEqualTo("the shared budget says no");
    assertThat(limiter.admit("alice\ndemo", 0).refusal())
        .as("the refused call gave its slot back").isEqualTo("the shared budget says no");
    assertThat(asked).containsOnly("alice\ndemo").hasSize(4);
  }

  @Test
  void aSharedBudgetThatFailsGivesTheSlotBack() {
    CallLimiter limiter = new CallLimiter(60, 1, key -> {
      throw new IllegalStateException("database down");
    });
    for (int i = 0; i < 2; i++) {
      assertThatThrownBy(() -> limiter.admit("alice\ndemo", 0))
          .hasMessage("database down");
    }
  }
}
