package dev.toriimcp.servers;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.toriimcp.testing.AppServerChecks;
import dev.toriimcp.testing.PostgresServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The WAR on WildFly as the README's "WildFly" section tells an administrator to run it: the
 * distribution from Maven Central (unpacked by the pom), {@code standalone.sh -c standalone.xml}
 * with the sealing key and database password in the server's environment,
 * {@code server-config/wildfly.cli} applied with {@code jboss-cli}, the WAR at {@code /}, and a
 * real PostgreSQL behind {@code jdbc/torii}. The server runs on a port offset that is free at
 * runtime, on loopback, with a fresh copy of {@code standalone/} as its base directory, so runs
 * neither collide nor inherit state; its logs go to {@code target/it-logs/wildfly/}.
 *
 * <p>The tests share the server for speed; each brings it to the state it needs, so they pass in
 * any order (the order below only avoids a reload).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WildFlyIT {

  private static final Path SERVERS = Path.of(System.getProperty("servers.directory",
      "target/servers"));
  private static final Path LOGS = Path.of("target/it-logs/wildfly").toAbsolutePath();
  private static final Path BASE = Path.of("target/it-servers/wildfly").toAbsolutePath();
  private static final String SEALING_KEY_BINDING =
      "/subsystem=naming/binding=java\\:\\/torii\\/sealing-key";
  private static final String NOT_A_KEY = "not-a-sealing-key";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(2)).build();

  private static PostgresServer postgres;
  private static AppServerChecks checks;
  private static Path home;
  private static int offset;
  private static Process server;

  @BeforeAll
  static void startWildFly() throws Exception {
    Instant begin = Instant.now();
    home = wildFlyHome();
    postgres = PostgresServer.start();
    checks = AppServerChecks.start();
    offset = freePortOffset();
    Path config = checks.writeConfig("wildfly", base().toString(), "{datasource: jdbc/torii}");

    deleteRecursively(BASE);
    deleteRecursively(LOGS);
    Files.createDirectories(LOGS);
    copyRecursively(home.resolve("standalone"), BASE);
    Instant launch = Instant.now();
    ProcessBuilder standalone = new ProcessBuilder(home.resolve("bin/standalone.sh").toString(),
        "-c", "standalone.xml", "-b", "127.0.0.1", "-bmanagement", "127.0.0.1",
        "-Djboss.socket.binding.port-offset=" + offset,
        "-Djboss.server.base.dir=" + BASE, "-Djboss.server.log.dir=" + LOGS)
        .redirectErrorStream(true)
        .redirectOutput(LOGS.resolve("console.log").toFile());
    standalone.environment().put("JAVA_HOME", System.getProperty("java.home"));
    // As the README says: the secrets are in the server's environment, not in the CLI script.
    standalone.environment().put("TORII_SEALING_KEY", AppServerChecks.SEALING_KEY);
    standalone.environment().put("TORII_DB_PASSWORD", "unused-with-trust-auth");
    standalone.environment().remove("TORII_CONFIG");
    server = standalone.start();
    awaitServerStarted(Duration.ofSeconds(120));
    Instant started = Instant.now();

    Path properties = Files.writeString(Path.of("target/it-config/wildfly-cli.properties"),
        String.join("\n",
            "torii.config.file=" + config,
            "torii.war=" + Path.of("target/torii-mcp.war").toAbsolutePath(),
            "torii.jdbc.driver=" + SERVERS.resolve("postgresql.jar").toAbsolutePath(),
            "torii.db.url=" + postgres.jdbcUrl(),
            "torii.db.user=torii", ""));
    String output = cli("--resolve-parameter-values", "--properties=" + properties,
        "--file=" + Path.of("server-config/wildfly.cli").toAbsolutePath());
    Instant configured = Instant.now();
    System.out.printf("WildFly: %d s to start, %d s to apply wildfly.cli and deploy, %d s in all%n",
        Duration.between(launch, started).toSeconds(),
        Duration.between(started, configured).toSeconds(),
        Duration.between(begin, configured).toSeconds());
    assertThat(output).doesNotContain(AppServerChecks.SEALING_KEY);
    assertThat(Files.readString(BASE.resolve("configuration/standalone.xml")))
        .as("the server configuration holds the key's expression, not the key")
        .contains("${env.TORII_SEALING_KEY}")
        .doesNotContain(AppServerChecks.SEALING_KEY);
  }

  @Test
  @Order(1)
  void theGatewayWorksOnWildFlyWithTheAdministratorsResources() throws Exception {
    if (!gatewayIsUp()) {
      // Another test left a different sealing key bound: bind the administrator's again.
      bindSealingKeyAndReload("\"${env.TORII_SEALING_KEY}\"");
    }
    JsonNode ready = AppServerChecks.awaitReady(readiness(), Duration.ofSeconds(60));
    assertThat(ready.toString()).contains("\"storage\":\"DataSource jdbc/torii\"");
    assertThat(serverLog()).contains("reading configuration " + Path.of(
        "target/it-config/wildfly.yaml").toAbsolutePath() + " (JNDI torii/config)");

    checks.assertGatewayWorks(base(), readiness());
  }

  @Test
  @Order(2)
  void aSealingKeyThatIsNotThirtyTwoBytesStopsTheDeploymentWithANamedProblem() throws Exception {
    long logStart = Files.size(LOGS.resolve("server.log"));

    bindSealingKeyAndReload(NOT_A_KEY);

    JsonNode health = awaitDeploymentOutcome(Duration.ofSeconds(90));
    assertThat(health.at("/checks").toString()).contains("\"torii-mcp.war\":\"FAILED\"");
    assertThat(gatewayIsUp()).isFalse();
    String log = serverLog().substring((int) logStart);
    assertThat(log).contains("torii-mcp is NOT started")
        .contains(AppServerChecks.BAD_SEALING_KEY_PROBLEM)
        .doesNotContain(NOT_A_KEY);
    HttpResponse<String> metadata = get(URI.create(base() + "/.well-known/oauth-authorization-server"));
    assertThat(metadata.statusCode()).isEqualTo(404);
  }

  @AfterAll
  static void stopWildFly() throws Exception {
    try {
      if (server != null && server.isAlive()) {
        try {
          cli("--command=shutdown");
        } catch (AssertionError | IOException e) {
          System.out.println("WildFly shutdown by CLI failed: " + e.getMessage());
        }
        if (!server.waitFor(60, TimeUnit.SECONDS)) {
          server.descendants().forEach(ProcessHandle::destroyForcibly);
          server.destroyForcibly();
        }
      }
    } finally {
      try {
        if (checks != null) {
          checks.close();
        }
      } finally {
        if (postgres != null) {
          postgres.close();
        }
      }
    }
  }

  private static void bindSealingKeyAndReload(String value) throws Exception {
    // A naming binding's new value takes effect at the next reload, which restarts the gateway.
    Path script = Files.writeString(Path.of("target/it-config/wildfly-sealing-key.cli"),
        SEALING_KEY_BINDING + ":write-attribute(name=value, value=" + value + ")\nreload\n");
    cli("--file=" + script.toAbsolutePath());
  }

  /** Runs jboss-cli against this server; fails with its output if it exits non-zero. */
  private static String cli(String... arguments) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(home.resolve("bin/jboss-cli.sh").toString(),
        "--connect", "--controller=remote+http://127.0.0.1:" + (9990 + offset),
        // Also how long "reload" waits for the server to come back, the gateway's start included.
        "--timeout=120000"));
    command.addAll(List.of(arguments));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
    // The CLI must not see the key: the script stores the server's expression, not a value.
    builder.environment().remove("TORII_SEALING_KEY");
    Process cli = builder.start();
    String output = new String(cli.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    boolean exited = cli.waitFor(180, TimeUnit.SECONDS);
    Files.writeString(LOGS.resolve("jboss-cli.log"), "=== " + String.join(" ", arguments) + "\n"
        + output, StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE,
        java.nio.file.StandardOpenOption.APPEND);
    assertThat(exited && cli.exitValue() == 0).as("jboss-cli %s:%n%s", arguments[0], output)
        .isTrue();
    return output;
  }

  /** Polls readiness until the gateway's deployment has an outcome (OK or FAILED). */
  private static JsonNode awaitDeploymentOutcome(Duration timeout) throws Exception {
    Instant deadline = Instant.now().plus(timeout);
    String last = "no answer";
    while (Instant.now().isBefore(deadline)) {
      try {
        HttpResponse<String> response = get(readiness());
        last = response.body();
        JsonNode health = JSON.readTree(last);
        for (JsonNode check : health.path("checks")) {
          String status = check.at("/data/torii-mcp.war").asText();
          if ("deployments-status".equals(check.path("name").asText())
              && (status.equals("OK") || status.equals("FAILED"))) {
            return health;
          }
        }
      } catch (IOException reloading) {
        last = reloading.toString();
      }
      Thread.sleep(500);
    }
    throw new AssertionError("no outcome of the torii-mcp.war deployment after " + timeout
        + "; last readiness answer: " + last);
  }

  private static boolean gatewayIsUp() throws InterruptedException {
    try {
      for (JsonNode check : JSON.readTree(get(readiness()).body()).path("checks")) {
        if ("torii-mcp".equals(check.path("name").asText())) {
          return "UP".equals(check.path("status").asText());
        }
      }
    } catch (IOException notAnswering) {
      return false;
    }
    return false;
  }

  private static void awaitServerStarted(Duration timeout) throws Exception {
    Path console = LOGS.resolve("console.log");
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      String output = Files.exists(console) ? Files.readString(console) : "";
      if (output.contains("WFLYSRV0025") || output.contains("WFLYSRV0026")) {
        return;
      }
      if (!server.isAlive()) {
        throw new AssertionError("WildFly exited with " + server.exitValue() + ":\n" + output);
      }
      Thread.sleep(250);
    }
    throw new AssertionError("WildFly did not start within " + timeout + "; see " + console);
  }

  private static URI base() {
    return URI.create("http://127.0.0.1:" + (8080 + offset));
  }

  /** MicroProfile Health on WildFly is served by the management interface. */
  private static URI readiness() {
    return URI.create("http://127.0.0.1:" + (9990 + offset) + "/health/ready");
  }

  private static String serverLog() throws IOException {
    return Files.readString(LOGS.resolve("server.log"));
  }

  private static HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static Path wildFlyHome() throws IOException {
    try (Stream<Path> unpacked = Files.list(SERVERS.resolve("wildfly"))) {
      return unpacked.filter(p -> p.getFileName().toString().startsWith("wildfly-"))
          .findFirst().orElseThrow(() -> new IOException("no WildFly unpacked in "
              + SERVERS.resolve("wildfly") + " (the pom's app-servers execution does it)"))
          .toAbsolutePath();
    }
  }

  /** A port offset whose HTTP, HTTPS and management ports are all free on loopback. */
  private static int freePortOffset() throws IOException {
    for (int attempt = 0; attempt < 50; attempt++) {
      int candidate = ThreadLocalRandom.current().nextInt(1000, 50000);
      if (Stream.of(8080, 8443, 9990, 9993).allMatch(p -> isFree(p + candidate))) {
        return candidate;
      }
    }
    throw new IOException("no free port offset for WildFly found");
  }

  private static boolean isFree(int port) {
    try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException taken) {
      return false;
    }
  }

  private static void copyRecursively(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        Path target = to.resolve(from.relativize(file).toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(target);
        } else {
          Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  private static void deleteRecursively(Path directory) throws IOException {
    if (Files.exists(directory)) {
      try (Stream<Path> files = Files.walk(directory)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
