package dev.toriimcp.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * What every application-server test checks, the same way on every server: a login-broker
 * upstream on loopback (its {@code /login} turns user {@code u} with password {@code secret}
 * into the upstream token {@code upstream-u-token}; its petstore API records who called), an
 * {@code mcp-proxy.yaml} whose sealing key comes from JNDI, and {@link #assertGatewayWorks}:
 * readiness UP, both OAuth metadata documents naming the public URL, and the TypeScript SDK
 * client's whole login-broker flow in both MCP eras ending in a tool call that reaches the
 * upstream as the user.
 */
public final class AppServerChecks implements AutoCloseable {

  /** The JNDI name the written configuration reads its sealing key from. */
  public static final String SEALING_KEY_JNDI_NAME = "torii/sealing-key";
  /** A valid test sealing key (32 bytes, base64) for the JNDI resource. */
  public static final String SEALING_KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
  /** The start-up problem a sealing key that is not 32 base64 bytes must be named by. */
  public static final String BAD_SEALING_KEY_PROBLEM =
      "key 'sealing.keys[0].secret': must be 32 random bytes, base64-encoded";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path SCRIPT_DIR = Path.of("src/test/node");
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();

  private final LoginBrokerUpstream upstream;

  private AppServerChecks() throws IOException {
    upstream = LoginBrokerUpstream.start();
  }

  /** Starts the login-broker upstream. */
  public static AppServerChecks start() throws IOException {
    return new AppServerChecks();
  }

  /** The upstream's base URL, {@code http://127.0.0.1:PORT}. */
  public String upstreamBase() {
    return upstream.base();
  }

  /**
   * Writes {@code target/it-config/<name>.yaml} with one login-broker backend, {@code petstore},
   * on this upstream, the literal {@code publicUrl}, {@code storage} as given (flow style, e.g.
   * {@code {datasource: jdbc/torii}}) and the sealing key {@code ${jndi:torii/sealing-key}}.
   * Returns its absolute path.
   */
  public Path writeConfig(String name, String publicUrl, String storage) throws IOException {
    String spec = SpecCorpus.named("petstore-v3.yaml").root().toAbsolutePath().normalize().toString();
    String yaml = String.join("\n",
        "public_url: " + publicUrl,
        "backends:",
        "  - name: petstore",
        "    spec_url: " + spec,
        "    base_url: " + upstreamBase() + "/api/v3",
        "    auth: {type: login-broker, login_url: \"" + upstreamBase() + "/login\"}",
        "storage: " + storage,
        "sealing: {keys: [{id: k, secret: \"${jndi:" + SEALING_KEY_JNDI_NAME + "}\"}]}", "");
    Path config = Files.createDirectories(Path.of("target/it-config")).resolve(name + ".yaml");
    Files.writeString(config, yaml);
    return config.toAbsolutePath().normalize();
  }

  /**
   * Polls {@code readiness} until it answers 200 with the gateway's check UP, or fails after
   * {@code timeout}; returns the readiness document.
   */
  public static JsonNode awaitReady(URI readiness, Duration timeout) throws InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    String last = "no answer";
    while (Instant.now().isBefore(deadline)) {
      try {
        HttpResponse<String> response = get(readiness);
        last = response.statusCode() + " " + response.body();
        if (response.statusCode() == 200 && gatewayCheckIsUp(JSON.readTree(response.body()))) {
          return JSON.readTree(response.body());
        }
      } catch (IOException notYetListening) {
        last = notYetListening.toString();
      }
      Thread.sleep(1000);
    }
    throw new AssertionError(readiness + " not UP after " + timeout + "; last answer: " + last);
  }

  /**
   * The whole check on a deployed gateway whose public URL is {@code base} (no trailing slash)
   * and whose MicroProfile readiness is served at {@code readiness}.
   */
  public void assertGatewayWorks(URI base, URI readiness) throws Exception {
    HttpResponse<String> ready = get(readiness);
    assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
    assertThat(gatewayCheckIsUp(JSON.readTree(ready.body()))).as(ready.body()).isTrue();

    String issuer = base.toString();
    HttpResponse<String> server = get(URI.create(issuer + "/.well-known/oauth-authorization-server"));
    assertThat(server.statusCode()).as(server.body()).isEqualTo(200);
    JsonNode metadata = JSON.readTree(server.body());
    assertThat(metadata.path("issuer").asText()).isEqualTo(issuer);
    assertThat(metadata.path("authorization_endpoint").asText()).isEqualTo(issuer + "/authorize");
    assertThat(metadata.path("token_endpoint").asText()).isEqualTo(issuer + "/token");
    assertThat(metadata.path("registration_endpoint").asText()).isEqualTo(issuer + "/register");
    assertThat(metadata.path("code_challenge_methods_supported").toString()).contains("\"S256\"");

    HttpResponse<String> resource = get(URI.create(
        issuer + "/.well-known/oauth-protected-resource/mcp/petstore"));
    assertThat(resource.statusCode()).as(resource.body()).isEqualTo(200);
    JsonNode protectedResource = JSON.readTree(resource.body());
    assertThat(protectedResource.path("resource").asText()).isEqualTo(issuer + "/mcp/petstore");
    assertThat(protectedResource.path("authorization_servers").toString())
        .contains("\"" + issuer + "\"");

    HttpResponse<String> anonymous = HTTP.send(HttpRequest.newBuilder(
            URI.create(issuer + "/mcp/petstore")).timeout(Duration.ofSeconds(20))
        .header("Content-Type", "application/json")
        .header("Accept", "application/json, text/event-stream")
        .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\": \"2.0\", \"id\": 1,"
            + " \"method\": \"tools/list\"}")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(anonymous.headers().firstValue("WWW-Authenticate").orElse(""))
        .contains("resource_metadata=\"" + issuer + "/.well-known/oauth-protected-resource/mcp/petstore\"");

    JsonNode legacy = eras(base, "legacy", "alice", 201);
    assertThat(legacy.path("protocolVersion").asText()).isEqualTo("2025-11-25");
    assertUpstreamCalledAs("alice", 201);
    JsonNode modern = eras(base, "modern", "bob", 202);
    assertThat(modern.path("protocolVersion").asText()).isEqualTo("2026-07-28");
    assertUpstreamCalledAs("bob", 202);
  }

  /** Runs eras.mjs against {@code base}'s petstore backend and checks the flow's outcome. */
  private JsonNode eras(URI base, String mode, String user, int petId) throws Exception {
    assertThat(SCRIPT_DIR.resolve("node_modules/@modelcontextprotocol/client")).as(
        "npm packages of src/test/node (installed by .ci/prerequisites: npm ci)").isDirectory();
    Process node = new ProcessBuilder("node", "eras.mjs", base + "/mcp/petstore", user, "secret",
        mode, "getPetById", "{\"petId\": " + petId + "}")
        .directory(SCRIPT_DIR.toFile()).redirectErrorStream(true).start();
    String output = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(node.waitFor(120, TimeUnit.SECONDS)).as(output).isTrue();
    assertThat(node.exitValue()).as(output).isZero();
    JsonNode run = JSON.readTree(output.lines().filter(l -> l.startsWith("{"))
        .reduce((a, b) -> b).orElseThrow());
    assertThat(run.path("era").asText()).isEqualTo(mode);
    assertThat(run.at("/signedIn/first").asText()).as(output).isEqualTo("REDIRECT");
    assertThat(run.at("/signedIn/second").asText()).as(output).isEqualTo("AUTHORIZED");
    assertThat(run.at("/signedIn/callback/iss").asText()).isEqualTo(base.toString());
    assertThat(run.path("tools")).hasSize(19);
    assertThat(run.at("/result/isError").asBoolean()).as(output).isFalse();
    assertThat(run.at("/result/structuredContent/id").asInt()).isEqualTo(petId);
    assertThat(run.path("accessToken").asText()).isNotBlank();
    return run;
  }

  /** The upstream got exactly one call for the pet, with that user's upstream credential. */
  private void assertUpstreamCalledAs(String user, int petId) {
    assertThat(upstream.received()).filteredOn(r -> r.startsWith("GET /api/v3/pet/" + petId + "\n"))
        .singleElement().satisfies(r ->
            assertThat(r).contains("\nAuthorization: Bearer upstream-" + user + "-token\n"));
  }

  private static boolean gatewayCheckIsUp(JsonNode health) {
    for (JsonNode check : health.path("checks")) {
      if ("torii-mcp".equals(check.path("name").asText())) {
        return "UP".equals(check.path("status").asText());
      }
    }
    return false;
  }

  private static HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /**
   * The gateway's data is in {@code postgres}: it holds exactly {@code expected} sealed upstream
   * credentials (one per user who signed in).
   */
  public static void assertSealedCredentialsIn(PostgresServer postgres, int expected)
      throws SQLException {
    try (Connection connection = postgres.connect();
        ResultSet rows = connection.createStatement().executeQuery(
            "SELECT COUNT(*) FROM upstream_credential")) {
      rows.next();
      assertThat(rows.getInt(1)).as("sealed upstream credentials in PostgreSQL")
          .isEqualTo(expected);
    }
  }

  @Override
  public void close() {
    upstream.close();
  }
}
