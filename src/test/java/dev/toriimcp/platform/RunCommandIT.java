package dev.toriimcp.platform;

import static org.assertj.core.api.Assertions.assertThat;

import dev.toriimcp.testing.GatewayProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The README's run command, as a new user meets it: the bundled example configuration and both
 * demo backends come up on embedded Derby (their flows: DemoBackendsIT), print the MCP URL, stop cleanly when signalled, and keep their
 * data across a restart.
 */
class RunCommandIT {

  private static final Path EXAMPLE = Path.of("examples/mcp-proxy.yaml");
  // Two WARs, the demo one with its identity provider: minutes on a busy 2-core machine.
  private static final Duration STARTUP = Duration.ofSeconds(300);

  @Test
  void startsStopsAndKeepsItsDataAcrossARestart() throws Exception {
    Path data = Path.of("target/it-data/run-command");
    deleteRecursively(data);
    Map<String, String> environment = Map.of("TORII_DATA", data.toString());

    try (GatewayProcess first = GatewayProcess.start("run-command-1", EXAMPLE, environment)) {
      String health = first.awaitReady(STARTUP).body();
      assertThat(health).contains("\"status\":\"UP\"").contains("\"startups\":\"1\"")
          .contains("embedded Derby at " + data.toAbsolutePath());
      assertThat(first.output()).contains("torii-mcp is ready. MCP endpoints:")
          .contains("backend 'demo': 5 tools, tools/list ")
          .contains("1 operations skipped [POST /login: denied by policy rule 'POST /login']")
          .contains("demo: " + first.uri("/mcp/demo"))
          .contains("backend 'demo-oauth': 5 tools, tools/list ")
          .contains("demo-oauth: " + first.uri("/mcp/demo-oauth"));
      // The demo backend is deployed alongside, with its own login endpoint and spec.
      assertThat(first.postJson("/demo/api/login",
          "{\"username\":\"alice\",\"password\":\"wonderland\"}").body()).contains("access_token");
      assertThat(first.get("/demo/openapi.yaml").body()).startsWith("openapi: 3.0.3");
      assertThat(first.get("/demo/openapi-oauth.yaml").body()).startsWith("openapi: 3.0.3");

      // A clean stop: the JVM ran its shutdown hooks and exited on the signal within the limit.
      // (Payara's own "STOPPED" log line is not checked: the log manager's shutdown hook races
      // with it and drops it under load.)
      assertThat(first.stop(Duration.ofSeconds(60))).as("exit code after SIGTERM").isIn(0, 143);
    }
    assertThat(data.resolve("derby")).isDirectory();

    try (GatewayProcess second = GatewayProcess.start("run-command-2", EXAMPLE, environment)) {
      assertThat(second.awaitReady(STARTUP).body()).contains("\"startups\":\"2\"");
      second.stop(Duration.ofSeconds(60));
    }
  }

  static void deleteRecursively(Path directory) throws IOException {
    if (!Files.exists(directory)) {
      return;
    }
    try (Stream<Path> files = Files.walk(directory)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
