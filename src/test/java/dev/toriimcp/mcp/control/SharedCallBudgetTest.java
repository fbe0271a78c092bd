package dev.toriimcp.mcp.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.toriimcp.platform.control.TestStorage;
import dev.toriimcp.testing.PostgresServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The per-minute budget that several nodes share (ADR 0034), each "node" here being its own pool
 * and JPA unit on one real PostgreSQL, and once on embedded Derby, which runs the same SQL.
 */
class SharedCallBudgetTest {

  private static PostgresServer postgres;
  private static TestStorage nodeA;
  private static TestStorage nodeB;

  @BeforeAll
  static void startPostgres() throws Exception {
    postgres = PostgresServer.start();
    nodeA = TestStorage.postgres(postgres, true);
    nodeB = TestStorage.postgres(postgres, true);
  }

  @AfterAll
  static void stopPostgres() throws Exception {
    nodeA.close();
    nodeB.close();
    postgres.close();
  }

  @Test
  void twoNodesTogetherAdmitTheLimitAndNoMore() {
    AtomicLong clock = new AtomicLong(1_000_000);
    SharedCallBudget a = new SharedCallBudget(nodeA.storage(), 10, clock::get);
    SharedCallBudget b = new SharedCallBudget(nodeB.storage(), 10, clock::get);

    for (int i = 0; i < 10; i++) {
      assertThat((i % 2 == 0 ? a : b).take("alice\npetstore")).as("call " + i).isNull();
    }
    assertThat(a.take("alice\npetstore"))
        .isEqualTo("more than 10 calls per minute from this user; try again in 6 s");
    assertThat(b.take("alice\npetstore")).startsWith("more than 10 calls per minute");
    assertThat(a.take("bob\npetstore")).as("another user's bucket").isNull();
    assertThat(a.take("alice\nother")).as("the same user on another backend").isNull();

    clock.addAndGet(6_000); // one call's worth of refill at 10 a minute
    assertThat(b.take("alice\npetstore")).isNull();
    assertThat(a.take("alice\npetstore")).startsWith("more than 10 calls per minute");
  }

  @Test
  void aNodeWhoseClockLagsRefillsNothingAndTakesNothingExtra() {
    AtomicLong clock = new AtomicLong(5_000_000);
    SharedCallBudget ahead = new SharedCallBudget(nodeA.storage(), 2, clock::get);
    SharedCallBudget behind = new SharedCallBudget(nodeB.storage(), 2, () -> clock.get() - 20_000);

    assertThat(ahead.take("carol\nb")).isNull();
    assertThat(behind.take("carol\nb")).isNull();
    assertThat(behind.take("carol\nb")).as("20 s behind: no negative refill, no bonus")
        .isEqualTo("more than 2 calls per minute from this user; try again in 30 s");
  }

  @Test
  void concurrentCallsOnBothNodesNeverOvershoot() throws Exception {
    SharedCallBudget a = new SharedCallBudget(nodeA.storage(), 50, () -> 9_000_000);
    SharedCallBudget b = new SharedCallBudget(nodeB.storage(), 50, () -> 9_000_000);
    ExecutorService threads = Executors.newFixedThreadPool(16);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<Integer>> admitted = new ArrayList<>();
    try {
      for (int t = 0; t < 16; t++) {
        SharedCallBudget node = t % 2 == 0 ? a : b;
        Callable<Integer> caller = () -> {
          start.await();
          int mine = 0;
          for (int i = 0; i < 20; i++) {
            if (node.take("dave\nrace") == null) {
              mine++;
            }
          }
          return mine;
        };
        admitted.add(threads.submit(caller));
      }
      start.countDown(); // every first call races to create the row
      int total = 0;
      for (Future<Integer> f : admitted) {
        total += f.get();
      }
      assertThat(total).as("320 attempts, the clock standing still").isEqualTo(50);
    } finally {
      threads.shutdownNow();
    }
  }

  @Test
  void theTableNamesNoUser() throws Exception {
    new SharedCallBudget(nodeA.storage(), 5).take("erin@example.com\npetstore");
    try (Connection connection = postgres.connect();
        Statement statement = connection.createStatement();
        ResultSet keys = statement.executeQuery("SELECT budget_key FROM mcp_call_budget")) {
      while (keys.next()) {
        assertThat(keys.getString(1)).matches("[0-9a-f]{64}").doesNotContain("erin");
      }
    }
  }

  @Test
  void embeddedDerbyRunsTheSameStatements() {
    try (TestStorage derby = TestStorage.open("shared-budget")) {
      AtomicLong clock = new AtomicLong(1_000);
      SharedCallBudget budget = new SharedCallBudget(derby.storage(), 3, clock::get);
      assertThat(budget.take("frank\nx")).isNull();
      assertThat(budget.take("frank\nx")).isNull();
      assertThat(budget.take("frank\nx")).isNull();
      assertThat(budget.take("frank\nx"))
          .isEqualTo("more than 3 calls per minute from this user; try again in 20 s");
      clock.addAndGet(60_000);
      assertThat(budget.take("frank\nx")).as("a full minute refills to capacity, no more").isNull();
      assertThat(budget.take("frank\nx")).isNull();
      assertThat(budget.take("frank\nx")).isNull();
      assertThat(budget.take("frank\nx")).startsWith("more than 3 calls per minute");
    }
  }
}
