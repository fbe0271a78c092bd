package dev.toriimcp.oauth.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.toriimcp.platform.control.TestStorage;
import dev.toriimcp.testing.PostgresServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class LoginThrottleTest {

  private final MutableClock clock = new MutableClock();

  @Test
  void fiveFailuresOfOneUserBlockThatUserForTheWindow() {
    LoginThrottle throttle = new LoginThrottle(clock, 1000);
    for (int i = 0; i < LoginThrottle.MAX_FAILURES; i++) {
      assertThat(throttle.blocked("demo", "alice", "a" + i)).isFalse();
      throttle.failed("demo", "alice", "a" + i);
    }
    assertThat(throttle.blocked("demo", "alice", "fresh")).isTrue();
    assertThat(throttle.blocked("demo", "bob", "fresh")).isFalse();
    assertThat(throttle.blocked("other", "alice", "fresh")).isFalse();
    clock.advance(LoginThrottle.WINDOW.plusSeconds(1));
    assertThat(throttle.blocked("demo", "alice", "fresh")).isFalse();
  }

  @Test
  void spellingsOfOneUsernameShareOneBudget() {
    LoginThrottle throttle = new LoginThrottle(clock, 1000);
    String[] spellings = {"alice", "Alice", " ALICE ", "\uff41\uff4c\uff49\uff43\uff45", "aLiCe\t"};
    for (int i = 0; i < spellings.length; i++) {
      throttle.failed("demo", spellings[i], "a" + i);
    }
    assertThat(throttle.blocked("demo", "alice", "fresh")).isTrue();
    assertThat(LoginThrottle.normalize("Stra\u00dfe")).isEqualTo(LoginThrottle.normalize("STRASSE"));
    assertThat(LoginThrottle.normalize("\ufb01le")).isEqualTo("file");
  }

  @Test
  void twentyFailuresFromOneAddressKeyBlockThatKeyOnly() {
    LoginThrottle throttle = new LoginThrottle(clock, 1000);
    for (int i = 0; i < LoginThrottle.MAX_ADDRESS_FAILURES; i++) {
      throttle.failed("demo", "user" + i, "2001:db8:0:1:0:0:0:0/64");
    }
    assertThat(throttle.blocked("demo", "newcomer", "2001:db8:0:1:0:0:0:0/64")).isTrue();
    assertThat(throttle.blocked("demo", "newcomer", "2001:db8:0:2:0:0:0:0/64")).isFalse();
  }

  @Test
  void aFloodOfFreshKeysEvictsTheOldestInsteadOfClearingALockOut() {
    LoginThrottle throttle = new LoginThrottle(clock, 50);
    for (int i = 0; i < LoginThrottle.MAX_FAILURES; i++) {
      throttle.failed("demo", "victim", "attacker");
    }
    for (int i = 0; i < 200; i++) {
      throttle.failed("demo", "flood" + i, "flood" + i);
      // The attacker keeps probing the locked account, which keeps it among the recent keys.
      assertThat(throttle.blocked("demo", "victim", "attacker")).as("after %d", i).isTrue();
    }
  }

  @Test
  void nodesSharingTheDatabaseShareOneBudget() throws Exception {
    try (PostgresServer postgres = PostgresServer.start();
        TestStorage storageA = TestStorage.postgres(postgres, true);
        TestStorage storageB = TestStorage.postgres(postgres, true)) {
      LoginThrottle a = new LoginThrottle(clock, 1000);
      a.storage = storageA.storage();
      LoginThrottle b = new LoginThrottle(clock, 1000);
      b.storage = storageB.storage();

      for (int i = 0; i < LoginThrottle.MAX_FAILURES; i++) {
        LoginThrottle node = i % 2 == 0 ? a : b;
        assertThat(node.blocked("demo", "alice", "a" + i)).as("attempt " + i).isFalse();
        node.failed("demo", "Alice", "a" + i);
      }
      assertThat(a.blocked("demo", "alice", "fresh")).isTrue();
      assertThat(b.blocked("demo", "ALICE", "fresh")).as("one budget for both nodes").isTrue();
      assertThat(b.blocked("demo", "bob", "fresh")).isFalse();
      clock.advance(LoginThrottle.WINDOW.plusSeconds(1));
      assertThat(a.blocked("demo", "alice", "fresh")).as("the window passed").isFalse();

      for (int i = 0; i < LoginThrottle.MAX_ADDRESS_FAILURES; i++) {
        (i % 2 == 0 ? a : b).failed("demo", "user" + i, "192.0.2.7");
      }
      assertThat(a.blocked("demo", "newcomer", "192.0.2.7")).isTrue();
      assertThat(b.blocked("demo", "newcomer", "192.0.2.8")).isFalse();

      b.failed("demo", "carol", "c");
      a.succeeded("demo", "carol");
      for (int i = 0; i < LoginThrottle.MAX_FAILURES - 1; i++) {
        b.failed("demo", "carol", "c" + i);
      }
      assertThat(b.blocked("demo", "carol", "fresh")).as("a sign-in on A cleared B's count")
          .isFalse();

      try (Connection connection = postgres.connect();
          Statement statement = connection.createStatement();
          ResultSet keys = statement.executeQuery("SELECT DISTINCT throttle_key FROM login_failure")) {
        while (keys.next()) {
          assertThat(keys.getString(1)).matches("[0-9a-f]{64}");
        }
      }
    }
  }

  private static final class MutableClock extends Clock {
    private Instant now = Instant.parse("2026-12-02T12:00:00Z");

    void advance(Duration duration) {
      now = now.plus(duration);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }
}
