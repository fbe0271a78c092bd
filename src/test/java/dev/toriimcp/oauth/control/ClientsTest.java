package dev.toriimcp.oauth.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.toriimcp.configuration.entity.ConfiguredClient;
import dev.toriimcp.platform.control.TestStorage;
import dev.toriimcp.testing.PostgresServer;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** The configured clients, written by every node at its start (ADR 0034). */
class ClientsTest {

  private static final List<ConfiguredClient> CONFIGURED = List.of(
      new ConfiguredClient("claude-desktop", "Claude", List.of("http://127.0.0.1/callback"), null,
          "none", true),
      new ConfiguredClient("reporting", "Reports", List.of("https://reports.example/cb"),
          "a-secret-of-enough-length-0123456789", "client_secret_basic", false));

  @Test
  void twoNodesStartingTogetherBothWriteTheConfiguredClients() throws Exception {
    try (PostgresServer postgres = PostgresServer.start();
        TestStorage a = TestStorage.postgres(postgres, true);
        TestStorage b = TestStorage.postgres(postgres, true)) {
      Clients onA = new Clients();
      onA.storage = a.storage();
      Clients onB = new Clients();
      onB.storage = b.storage();
      ExecutorService nodes = Executors.newFixedThreadPool(2);
      try {
        for (int round = 0; round < 25; round++) {
          CyclicBarrier start = new CyclicBarrier(2);
          Future<?> first = nodes.submit(() -> {
            start.await();
            onA.configure(CONFIGURED);
            return null;
          });
          Future<?> second = nodes.submit(() -> {
            start.await();
            onB.configure(CONFIGURED);
            return null;
          });
          first.get();
          second.get();
        }
      } finally {
        nodes.shutdownNow();
      }
      assertThat(onA.find("claude-desktop")).isPresent();
      assertThat(onB.find("reporting")).get()
          .satisfies(c -> assertThat(c.clientName()).isEqualTo("Reports"));
    }
  }
}
