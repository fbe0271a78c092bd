package dev.toriimcp.servers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.toriimcp.testing.AppServerChecks;
import dev.toriimcp.testing.PostgresServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The WAR on Payara Server 6, set up as the README tells an administrator to: a new domain from
 * the distribution on Maven Central, the JDBC driver in the domain's lib, the two secrets as
 * password aliases, then {@code server-config/payara-server.asadmin} with its "adjust" values
 * filled in (a real PostgreSQL, the configuration file, the WAR). The shared checks then hold
 * on it; last, a sealing key that is not a key must stop the gateway with its named problem.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PayaraServerIT {

  private static final Path SERVERS = Path.of(System.getProperty("servers.directory",
      "target/servers"));
  private static final Path ASADMIN = SERVERS.resolve("payara-server/payara6/bin/asadmin");
  private static final Path SCRIPT = Path.of("server-config/payara-server.asadmin");
  private static final Path WORK = Path.of("target/it-servers/payara-server").toAbsolutePath();
  private static final Path LOGS = Path.of("target/it-logs/payara-server");
  private static final String DOMAIN = "torii";

  private static AppServerChecks checks;
  private static PostgresServer postgres;
  private static int portBase;
  private static URI base;
  private static int lastExit;

  @BeforeAll
  static void setUp() throws Exception {
    assertThat(ASADMIN).as("Payara Server unpacked by the pom's app-servers execution").exists();
    checks = AppServerChecks.start();
    postgres = PostgresServer.start();
    deleteRecursively(WORK);
    Files.createDirectories(WORK);
    portBase = freePortBase();
    base = URI.create("http://127.0.0.1:" + (portBase + 80));
    Instant started = Instant.now();
    asadmin("create-domain", "--domaindir", WORK.toString(), "--portbase", String.valueOf(portBase),
        "--nopassword=true", DOMAIN);
    Path lib = Files.createDirectories(WORK.resolve(DOMAIN).resolve("lib"));
    // What "asadmin add-library" does, before the first start instead of needing a restart.
    Files.copy(SERVERS.resolve("postgresql.jar"), lib.resolve("postgresql.jar"),
        StandardCopyOption.REPLACE_EXISTING);
    asadmin("start-domain", "--domaindir", WORK.toString(), DOMAIN);
    System.out.println("Payara Server: domain created and started in "
        + Duration.between(started, Instant.now()).toMillis() + " ms");

    alias("torii-sealing-key", AppServerChecks.SEALING_KEY, "create-password-alias");
    alias("torii-db-password", "unused-with-trust-authentication", "create-password-alias");
    Path config = checks.writeConfig("payara-server", base.toString(), "{datasource: jdbc/torii}");
    String script = Files.readString(SCRIPT);
    script = replaceOnce(script, "value=/etc/torii/mcp-proxy.yaml", "value=" + config);
    script = replaceOnce(script, "serverName=localhost:portNumber=5432:databaseName=torii:user=torii",
        "serverName=127.0.0.1:portNumber=" + postgres.port() + ":databaseName=postgres:user=torii");
    script = replaceOnce(script, " target/torii-mcp.war",
        " " + Path.of("target/torii-mcp.war").toAbsolutePath());
    Path applied = WORK.resolve("payara-server.asadmin");
    Files.writeString(applied, script);
    Instant deploying = Instant.now();
    asadmin("--port", String.valueOf(portBase + 48), "multimode", "--file", applied.toString());
    AppServerChecks.awaitReady(base.resolve("/health/ready"), Duration.ofSeconds(120));
    System.out.println("Payara Server: script applied and gateway ready in "
        + Duration.between(deploying, Instant.now()).toMillis() + " ms");
  }

  @AfterAll
  static void tearDown() throws Exception {
    try {
      if (portBase != 0) {
        asadmin("stop-domain", "--domaindir", WORK.toString(), DOMAIN);
      }
    } finally {
      Path log = WORK.resolve(DOMAIN).resolve("logs/server.log");
      if (Files.exists(log)) {
        Files.createDirectories(LOGS);
        Files.copy(log, LOGS.resolve("server.log"), StandardCopyOption.REPLACE_EXISTING);
      }
      if (postgres != null) {
        postgres.close();
      }
      if (checks != null) {
        checks.close();
      }
    }
  }

  @Test
  @Order(1)
  void theGatewayServesBothErasAsTheUserWithItsDataInPostgreSql() throws Exception {
    checks.assertGatewayWorks(base, base.resolve("/health/ready"));

    AppServerChecks.assertSealedCredentialsIn(postgres, 2); // alice and bob
  }

  @Test
  @Order(2)
  void aSealingKeyThatIsNotAKeyStopsTheGatewayByName() throws Exception {
    String log = WORK.resolve(DOMAIN).resolve("logs/server.log").toString();
    long before = Files.size(Path.of(log));
    String adminPort = String.valueOf(portBase + 48);
    // As an administrator would in the console (Resources > JNDI > Custom Resources): a new value.
    asadmin("--port", adminPort, "set",
        "resources.custom-resource.torii/sealing-key.property.value=not-a-key");
    asadmin("--port", adminPort, "disable", "torii-mcp");
    List<String> enable = asadminMayFail("--port", adminPort, "enable", "torii-mcp");

    String written = readFrom(Path.of(log), before);
    assertThat(written + String.join("\n", enable))
        .contains(AppServerChecks.BAD_SEALING_KEY_PROBLEM)
        .doesNotContain("not-a-key");
    assertThat(written).contains("torii-mcp is NOT started.")
        .as("Liquibase's thread-local left on the server's threads at undeploy")
        .doesNotContain("liquibase.SingletonScopeManager");
  }

  private static void alias(String name, String value, String command) throws Exception {
    Path file = WORK.resolve("alias-password");
    Files.writeString(file, "AS_ADMIN_ALIASPASSWORD=" + value + "\n");
    try {
      asadmin("--port", String.valueOf(portBase + 48), "--passwordfile", file.toString(),
          command, name);
    } finally {
      Files.delete(file);
    }
  }

  private static List<String> asadmin(String... arguments) throws Exception {
    List<String> output = asadminMayFail(arguments);
    assertThat(lastExit).as("asadmin %s:%n%s", String.join(" ", arguments),
        String.join("\n", output)).isZero();
    return output;
  }

  /** Runs asadmin and returns its output; its exit code is left in {@link #lastExit}. */
  private static List<String> asadminMayFail(String... arguments) throws Exception {
    List<String> command = new ArrayList<>(List.of(ASADMIN.toString()));
    command.addAll(List.of(arguments));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(300, TimeUnit.SECONDS)).as("asadmin %s", arguments[0]).isTrue();
    lastExit = process.exitValue();
    return output.lines().toList();
  }

  private static String replaceOnce(String text, String literal, String replacement) {
    assertThat(text).as("the script's value to adjust").containsOnlyOnce(literal);
    return text.replace(literal, replacement);
  }

  private static String readFrom(Path file, long offset) throws IOException {
    byte[] all = Files.readAllBytes(file);
    return new String(all, (int) Math.min(offset, all.length),
        (int) Math.max(0, all.length - offset), StandardCharsets.UTF_8);
  }

  /** A base whose ports base+0 … base+99 (the ones a Payara domain uses) are all free. */
  private static int freePortBase() throws IOException {
    for (int attempt = 0; attempt < 50; attempt++) {
      int candidate = 100 * ThreadLocalRandom.current().nextInt(200, 600);
      if (allFree(candidate)) {
        return candidate;
      }
    }
    throw new IOException("no free block of 100 ports for the Payara domain");
  }

  private static boolean allFree(int candidate) {
    for (int port = candidate; port < candidate + 100; port++) {
      try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName("0.0.0.0"))) {
        socket.setReuseAddress(true);
      } catch (IOException taken) {
        return false;
      }
    }
    return true;
  }

  private static void deleteRecursively(Path directory) throws IOException {
    if (Files.exists(directory)) {
      try (var paths = Files.walk(directory)) {
        paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
