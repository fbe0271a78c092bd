package dev.toriimcp.platform;

import static org.assertj.core.api.Assertions.assertThat;

import dev.toriimcp.testing.GatewayProcess;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The README's run command, as a new user meets it: the bundled example configuration and demo
 * backend come up on embedded Derby, print the MCP URL, stop cleanly when signalled, and keep their
 * data across a restart.
 */
class RunCommandIT {

  private static final Path EXAMPLE = Path.of("examples/mcp-proxy.yaml");
  private static final Duration STARTUP = Duration.ofSeconds(120);

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
          .contains("demo: " + first.uri("/mcp/demo"));
      // The demo backend is deployed alongside, with its own login endpoint and spec.
      assertThat(first.postJson("/demo/api/login",
          "{\"username\":\"alice\",\"password\":\"wonderland\"}").body()).contains("access_token");
      assertThat(first.get("/demo/openapi.yaml").body()).startsWith("openapi: 3.0.3");
      // server-config/payara-micro.asadmin: no HTTP/2 on the plain listener (ADR 0019), so an
      // h2c upgrade is answered in HTTP/1.1 instead of switching protocols.
      assertThat(statusLineOfH2cUpgrade(first.uri("/health").getPort())).isEqualTo("HTTP/1.1 200 OK");

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

  /** RFC 7540 §3.2: a GET asking to upgrade to h2c, sent by hand (clients hide the exchange). */
  private static String statusLineOfH2cUpgrade(int port) throws IOException {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(("GET /health HTTP/1.1\r\nHost: localhost:" + port
          + "\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
          + "HTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      return new BufferedReader(new InputStreamReader(socket.getInputStream(),
          StandardCharsets.US_ASCII)).readLine();
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
