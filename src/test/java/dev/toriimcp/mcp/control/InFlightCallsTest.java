package dev.toriimcp.mcp.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.toriimcp.platform.control.TestStorage;
import dev.toriimcp.testing.PostgresServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Cancellation on one node, and through a shared PostgreSQL across two (ADR 0034). */
class InFlightCallsTest {

  private static PostgresServer postgres;
  private static TestStorage storageA;
  private static TestStorage storageB;

  @BeforeAll
  static void startPostgres() throws Exception {
    postgres = PostgresServer.start();
    storageA = TestStorage.postgres(postgres, true);
    storageB = TestStorage.postgres(postgres, true);
  }

  @AfterAll
  static void stopPostgres() throws Exception {
    storageA.close();
    storageB.close();
    postgres.close();
  }

  private static InFlightCalls node(TestStorage storage) {
    InFlightCalls calls = new InFlightCalls();
    calls.storage = storage.storage();
    return calls;
  }

  @Test
  void aSingleNodeCancelsOnlyTheNamedCallOfTheSameConversation() {
    InFlightCalls calls = new InFlightCalls();
    CompletableFuture<String> mine = new CompletableFuture<>();
    CompletableFuture<String> other = new CompletableFuture<>();
    calls.register("alice\nclient\ndemo", IntNode.valueOf(7), mine);
    calls.register("bob\nclient\ndemo", IntNode.valueOf(7), other);

    assertThat(calls.cancel("alice\nclient\ndemo", TextNode.valueOf("7"))).as("\"7\" is not 7")
        .isFalse();
    assertThat(calls.cancel("alice\nclient\ndemo", IntNode.valueOf(7))).isTrue();
    assertThat(mine).isCancelled();
    assertThat(other).isNotDone();
    assertThat(calls.cancel("alice\nclient\ndemo", IntNode.valueOf(7))).as("once").isFalse();
  }

  @Test
  void aCancellationReceivedByOneNodeCancelsTheCallRunningOnTheOther() throws Exception {
    InFlightCalls a = node(storageA);
    InFlightCalls b = node(storageB);
    try {
      CompletableFuture<String> running = new CompletableFuture<>();
      CompletableFuture<String> untouched = new CompletableFuture<>();
      b.register("carol\nclient\ndemo\nsession-1", IntNode.valueOf(3), running);
      b.register("carol\nclient\ndemo\nsession-2", IntNode.valueOf(3), untouched);

      long sent = System.nanoTime();
      assertThat(a.cancel("carol\nclient\ndemo\nsession-1", IntNode.valueOf(3)))
          .as("not on this node").isFalse();

      assertThat(running).failsWithin(2, TimeUnit.SECONDS);
      assertThat(running).isCancelled();
      long millis = (System.nanoTime() - sent) / 1_000_000;
      assertThat(millis).as("within a few polls").isLessThan(1_000);
      assertThat(untouched).as("another session's request 3").isNotDone();
      try (Connection connection = postgres.connect();
          Statement statement = connection.createStatement();
          ResultSet rows = statement.executeQuery(
              "SELECT conversation_hash FROM mcp_cancellation")) {
        while (rows.next()) {
          assertThat(rows.getString(1)).matches("[0-9a-f]{64}").doesNotContain("carol");
        }
      }
    } finally {
      a.stop();
      b.stop();
    }
  }

  @Test
  void aRelayedCancellationSparesACallRegisteredLaterWithTheSameId() throws Exception {
    InFlightCalls a = node(storageA);
    InFlightCalls b = node(storageB);
    try {
      a.cancel("dave\nclient\ndemo", IntNode.valueOf(1)); // arrives after the call finished
      Thread.sleep(InFlightCalls.SKEW_MILLIS + 300);
      CompletableFuture<String> reused = new CompletableFuture<>();
      b.register("dave\nclient\ndemo", IntNode.valueOf(1), reused);
      b.poll();

      assertThat(reused).isNotDone();

      CompletableFuture<String> early = new CompletableFuture<>();
      a.cancel("dave\nclient\ndemo", IntNode.valueOf(2)); // arrives before the call registered
      b.register("dave\nclient\ndemo", IntNode.valueOf(2), early);
      b.poll();
      assertThat(early).isCancelled();
    } finally {
      a.stop();
      b.stop();
    }
  }
}
