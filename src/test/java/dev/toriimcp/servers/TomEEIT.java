package dev.toriimcp.servers;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.toriimcp.testing.AppServerChecks;
import dev.toriimcp.testing.PostgresServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The WAR on TomEE plume, set up as the README tells an administrator to: a fresh
 * {@code CATALINA_BASE} over the distribution from Maven Central (9.0.0, the newest it serves;
 * the README's target is 10.1), the JDBC driver in its lib, {@code server-config/tomee} applied
 * with its "adjust" values filled in (a real PostgreSQL, the configuration file, the WAR), the
 * secrets in the environment, then {@code bin/catalina.sh run}. The shared checks then hold on
 * it; and a sealing key that is not a key must keep readiness from ever being UP, with its
 * named problem in the log.
 */
class TomEEIT {

  private static final Path SERVERS = Path.of(System.getProperty("servers.directory",
      "target/servers"));
  private static final Path HOME = SERVERS.resolve("tomee/apache-tomee-plume-9.0.0")
      .toAbsolutePath();
  private static final Path CONFIG = Path.of("server-config/tomee/conf");
  private static final Path WORK = Path.of("target/it-servers/tomee").toAbsolutePath();
  private static final Path LOGS = Path.of("target/it-logs/tomee");

  private static final String REDIRECT = "https://client.example/cb";
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();
  private static final ObjectMapper JSON = new ObjectMapper();

  private static AppServerChecks checks;
  private static PostgresServer postgres;
  private Process server;
  private Path catalinaBase;
  private Instant started;

  @BeforeAll
  static void setUp() throws Exception {
    assertThat(HOME.resolve("bin/catalina.sh"))
        .as("TomEE unpacked by the pom's app-servers execution").exists();
    checks = AppServerChecks.start();
    postgres = PostgresServer.start();
    deleteRecursively(WORK);
  }

  @AfterAll
  static void tearDown() throws IOException {
    try {
      if (postgres != null) {
        postgres.close();
      }
    } finally {
      if (checks != null) {
        checks.close();
      }
    }
  }

  @AfterEach
  void stopServer() throws Exception {
    try {
      if (server != null) {
        server.destroy();
        if (!server.waitFor(60, TimeUnit.SECONDS)) {
          server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      }
    } finally {
      if (catalinaBase != null) {
        Path logs = Files.createDirectories(LOGS.resolve(catalinaBase.getFileName()));
        try (Stream<Path> files = Files.list(catalinaBase.resolve("logs"))) {
          for (Path log : files.toList()) {
            Files.copy(log, logs.resolve(log.getFileName()), StandardCopyOption.REPLACE_EXISTING);
          }
        }
      }
    }
  }

  @Test
  void theGatewayServesBothErasAsTheUserWithItsDataInPostgreSql() throws Exception {
    URI base = start("ok", AppServerChecks.SEALING_KEY, null);
    Duration serverUp = awaitServerStartup();
    AppServerChecks.awaitReady(base.resolve("/health/ready"), Duration.ofSeconds(30));
    System.out.println("TomEE: server started (WAR deployed) in " + serverUp.toMillis()
        + " ms, gateway ready in " + Duration.between(started, Instant.now()).toMillis() + " ms");

    checks.assertGatewayWorks(base, base.resolve("/health/ready"));
    AppServerChecks.assertSealedCredentialsIn(postgres, 2); // alice and bob

    // Servlet 5 has no SameSite in its API; the WAR's fallback must still set it (ADR 0029).
    assertThat(sessionCookie(base)).startsWith("torii-session=").containsIgnoringCase("; HttpOnly")
        .containsIgnoringCase("; SameSite=Lax").containsIgnoringCase("; Path=/")
        .doesNotContainIgnoringCase("Secure");
  }

  @Test
  void behindTlsTheSessionCookieIsSecureHostLaxAndResponsesCarryHsts() throws Exception {
    // A TLS-terminating proxy in front: public_url is https, requests arrive as plain http.
    URI base = start("https", AppServerChecks.SEALING_KEY, "https://torii.example");
    awaitServerStartup();
    AppServerChecks.awaitReady(base.resolve("/health/ready"), Duration.ofSeconds(30));
    HttpResponse<String> metadata = HTTP.send(HttpRequest.newBuilder(
        base.resolve("/.well-known/oauth-authorization-server")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(metadata.statusCode()).isEqualTo(200);
    assertThat(metadata.headers().firstValue("Strict-Transport-Security"))
        .hasValue("max-age=31536000");
    assertThat(sessionCookie(base)).startsWith("__Host-torii-session=")
        .containsIgnoringCase("; Secure").containsIgnoringCase("; HttpOnly")
        .containsIgnoringCase("; SameSite=Lax").containsIgnoringCase("; Path=/");
  }

  @Test
  void aSealingKeyThatIsNotAKeyKeepsTheGatewayFromBeingReady() throws Exception {
    URI base = start("bad-key", "not-a-key", null);
    awaitServerStartup();
    String logs = readLogs(catalinaBase.resolve("logs"));
    assertThat(logs).contains("torii-mcp is NOT started.")
        .contains(AppServerChecks.BAD_SEALING_KEY_PROBLEM).doesNotContain("not-a-key")
        .contains("Context [] startup failed");
    HttpResponse<String> readiness = HTTP.send(
        HttpRequest.newBuilder(base.resolve("/health/ready")).timeout(Duration.ofSeconds(20))
            .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(readiness.statusCode()).as(readiness.body()).isNotEqualTo(200);
    assertThat(readiness.body()).doesNotContain("not-a-key");
  }

  /**
   * A fresh CATALINA_BASE named {@code name} with server-config/tomee applied, started with
   * {@code catalina.sh run}; returns the server's URL, which is also the gateway's public URL
   * unless {@code publicUrl} is given.
   */
  private URI start(String name, String sealingKey, String publicUrl) throws Exception {
    catalinaBase = WORK.resolve(name);
    for (String directory : new String[] {"conf", "lib", "logs", "temp", "webapps", "work"}) {
      Files.createDirectories(catalinaBase.resolve(directory));
    }
    try (Stream<Path> files = Files.list(HOME.resolve("conf"))) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        Files.copy(file, catalinaBase.resolve("conf").resolve(file.getFileName()));
      }
    }
    Files.copy(SERVERS.resolve("postgresql.jar"), catalinaBase.resolve("lib/postgresql.jar"));
    int http = freePort();
    int shutdown = freePort();
    URI base = URI.create("http://127.0.0.1:" + http);

    // The administrator's steps (README, "TomEE"); the ports and the loopback address are the
    // test's own, so that servers of other tests can run beside it.
    Path conf = catalinaBase.resolve("conf");
    Path serverXml = conf.resolve("server.xml");
    String xml = Files.readString(serverXml);
    xml = replaceOnce(xml, "<Server port=\"8005\"", "<Server port=\"" + shutdown + "\"");
    xml = replaceOnce(xml, "<Connector port=\"8080\" protocol=\"HTTP/1.1\"",
        "<Connector port=\"" + http + "\" address=\"127.0.0.1\" protocol=\"HTTP/1.1\"");
    Files.writeString(serverXml, xml);
    append(conf.resolve("catalina.properties"), CONFIG.resolve("catalina.properties.append"));
    append(conf.resolve("system.properties"), CONFIG.resolve("system.properties.append"));
    Path config = checks.writeConfig("tomee-" + name, publicUrl == null ? base.toString() : publicUrl,
        "{datasource: jdbc/torii}");
    String context = Files.readString(CONFIG.resolve("Catalina/localhost/ROOT.xml"));
    context = replaceOnce(context, "docBase=\"/opt/torii/torii-mcp.war\"",
        "docBase=\"" + Path.of("target/torii-mcp.war").toAbsolutePath() + "\"");
    context = replaceOnce(context, "value=\"/etc/torii/mcp-proxy.yaml\"",
        "value=\"" + config + "\"");
    context = replaceOnce(context, "jdbc:postgresql://localhost:5432/torii",
        "jdbc:postgresql://127.0.0.1:" + postgres.port() + "/postgres");
    Files.writeString(Files.createDirectories(conf.resolve("Catalina/localhost"))
        .resolve("ROOT.xml"), context);

    // Through sh: the pom's unpack does not keep the zip's execute bits.
    ProcessBuilder builder = new ProcessBuilder("sh", HOME.resolve("bin/catalina.sh").toString(),
        "run")
        .redirectErrorStream(true)
        .redirectOutput(catalinaBase.resolve("logs/catalina.out").toFile());
    Map<String, String> environment = builder.environment();
    environment.put("CATALINA_HOME", HOME.toString());
    environment.put("CATALINA_BASE", catalinaBase.toString());
    environment.put("TORII_SEALING_KEY", sealingKey);
    environment.put("TORII_DB_PASSWORD", "unused-with-trust-authentication");
    started = Instant.now();
    server = builder.start();
    return base;
  }

  /**
   * Waits for Tomcat's "Server startup in" line: it deploys the context files before that, so
   * the gateway has then either started or failed. Returns the time since the start.
   */
  private Duration awaitServerStartup() throws Exception {
    Path out = catalinaBase.resolve("logs/catalina.out");
    Instant deadline = Instant.now().plus(Duration.ofSeconds(120));
    while (Instant.now().isBefore(deadline)) {
      if (Files.readString(out, StandardCharsets.ISO_8859_1).contains("Server startup in")) {
        return Duration.between(started, Instant.now());
      }
      assertThat(server.isAlive()).as("TomEE exited; see %s", out).isTrue();
      Thread.sleep(250);
    }
    throw new AssertionError("TomEE not started after 120 s; see " + out);
  }

  /** Registers a public client and opens its authorization page; returns the new session's cookie. */
  private static String sessionCookie(URI base) throws Exception {
    HttpResponse<String> registered = HTTP.send(HttpRequest.newBuilder(base.resolve("/register"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"redirect_uris\": [\"" + REDIRECT
            + "\"], \"token_endpoint_auth_method\": \"none\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(registered.statusCode()).as(registered.body()).isEqualTo(201);
    String client = JSON.readTree(registered.body()).path("client_id").asText();
    String issuer = JSON.readTree(HTTP.send(HttpRequest.newBuilder(
        base.resolve("/.well-known/oauth-authorization-server")).build(),
        HttpResponse.BodyHandlers.ofString()).body()).path("issuer").asText();
    String challenge = Base64.getUrlEncoder().withoutPadding().encodeToString(
        MessageDigest.getInstance("SHA-256").digest("v".repeat(43).getBytes(StandardCharsets.US_ASCII)));
    HttpResponse<String> page = HTTP.send(HttpRequest.newBuilder(base.resolve(
        "/authorize?response_type=code&client_id=" + enc(client) + "&redirect_uri=" + enc(REDIRECT)
            + "&code_challenge=" + challenge + "&code_challenge_method=S256&state=s&resource="
            + enc(issuer + "/mcp/petstore"))).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
    return page.headers().firstValue("Set-Cookie").orElseThrow();
  }

  private static String enc(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  private static String readLogs(Path directory) throws IOException {
    StringBuilder all = new StringBuilder();
    try (Stream<Path> files = Files.list(directory)) {
      for (Path file : files.sorted().toList()) {
        all.append(Files.readString(file, StandardCharsets.ISO_8859_1));
      }
    }
    return all.toString();
  }

  private static void append(Path file, Path addition) throws IOException {
    Files.writeString(file, Files.readString(addition), StandardOpenOption.APPEND);
  }

  private static String replaceOnce(String text, String literal, String replacement) {
    assertThat(text).as("the value to adjust").containsOnlyOnce(literal);
    return text.replace(literal, replacement);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static void deleteRecursively(Path directory) throws IOException {
    if (Files.exists(directory)) {
      try (Stream<Path> paths = Files.walk(directory)) {
        paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
