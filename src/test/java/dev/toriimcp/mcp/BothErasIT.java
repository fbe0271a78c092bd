package dev.toriimcp.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.toriimcp.testing.GatewayProcess;
import dev.toriimcp.testing.LoginBrokerUpstream;
import dev.toriimcp.testing.NetworkntSchemaValidator;
import dev.toriimcp.testing.OAuthFlows;
import dev.toriimcp.testing.PetstoreConfig;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Three official MCP clients on one backend URL of one gateway, each after its own real OAuth
 * flow through the login broker: the TypeScript SDK v2 client pinned to 2026-07-28 (stateless),
 * the same client in its legacy mode (the 2025 handshake) and the Java SDK client (handshake).
 * Each lists the tools (across pages) and calls one, which must reach the real loopback upstream
 * with the user's upstream credential and never the MCP token; the audit line names the era's
 * protocol version.
 */
class BothErasIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path SCRIPT_DIR = Path.of("src/test/node");
  private static final String LEGACY = "2024-11-05|2025-03-26|2025-06-18|2025-11-25";
  private static LoginBrokerUpstream upstream;
  private static GatewayProcess gateway;

  @BeforeAll
  static void start() throws Exception {
    upstream = LoginBrokerUpstream.start();
    String base = upstream.base();
    // Five tools a page: 19 tools take four pages, in either era.
    Path config = PetstoreConfig.write("both-eras", "{page_size: 5}",
        new PetstoreConfig.Backend("petstore", base + "/api/v3", base + "/login"));
    gateway = GatewayProcess.start("both-eras", config, Map.of());
    gateway.awaitReady(Duration.ofSeconds(300)); // boots slowly on a loaded 2-core machine
  }

  @AfterAll
  static void stop() {
    gateway.close();
    upstream.close();
  }

  @Test
  void theTypeScriptSdkV2ClientInItsModernModeSpeaks20260728Statelessly() throws Exception {
    JsonNode run = eras("modern", "alice", 101);

    assertThat(run.path("era").asText()).isEqualTo("modern");
    assertThat(run.path("protocolVersion").asText()).isEqualTo("2026-07-28");
    assertThat(run.path("sessionId").isNull()).as("no session").isTrue();
    List<String> methods = new ArrayList<>();
    for (JsonNode exchange : run.path("exchanges")) {
      String method = exchange.at("/methods/0").asText();
      methods.add(method);
      assertThat(exchange.path("sessionIdReceived").isNull()).as("an Mcp-Session-Id on the answer to "
          + method).isTrue();
      assertThat(exchange.path("sessionIdSent").isNull()).isTrue();
      assertThat(exchange.path("httpMethod").asText()).isEqualTo("POST");
      assertThat(exchange.path("status").asInt()).as(method).isEqualTo(200);
      assertThat(exchange.path("protocolVersionHeader").asText()).isEqualTo("2026-07-28");
      assertThat(exchange.at("/meta/0").asText()).as("_meta protocolVersion").isEqualTo("2026-07-28");
      assertThat(exchange.path("mcpMethodHeader").asText()).isEqualTo(method);
    }
    assertThat(methods).doesNotContain("initialize", "notifications/initialized").first()
        .isEqualTo("server/discover");
    assertThat(methods).filteredOn("tools/list"::equals).hasSize(4);
    assertThat(run.path("exchanges")).filteredOn(e -> e.at("/methods/0").asText().equals("tools/call"))
        .singleElement().satisfies(e -> assertThat(e.path("mcpNameHeader").asText()).isEqualTo("getPetById"));
    assertThat(run.at("/result/_meta/io.modelcontextprotocol~1serverInfo/name").asText())
        .isEqualTo("torii-mcp-petstore");

    assertUpstreamCalledAs("alice", 101, run.path("accessToken").asText());
    assertAudited("alice", "2026-07-28");
  }

  @Test
  void theTypeScriptSdkV2ClientInItsLegacyModeKeepsTheHandshake() throws Exception {
    JsonNode run = eras("legacy", "bob", 102);

    assertThat(run.path("era").asText()).isEqualTo("legacy");
    assertThat(run.path("protocolVersion").asText()).isEqualTo("2025-11-25");
    String session = run.path("sessionId").asText();
    assertThat(session).matches("[\\x21-\\x7E]{32,}");
    JsonNode first = run.at("/exchanges/0");
    assertThat(first.at("/methods/0").asText()).isEqualTo("initialize");
    assertThat(first.path("sessionIdReceived").asText()).isEqualTo(session);
    for (JsonNode exchange : run.path("exchanges")) {
      assertThat(exchange.path("mcpMethodHeader").isNull()).as("no 2026 headers").isTrue();
      assertThat(exchange.path("meta")).as("no 2026 _meta").allMatch(JsonNode::isNull);
    }
    assertThat(run.path("exchanges")).filteredOn(e -> e.at("/methods/0").asText().equals("tools/call"))
        .singleElement().satisfies(e -> {
          assertThat(e.path("sessionIdSent").asText()).isEqualTo(session);
          assertThat(e.path("protocolVersionHeader").asText()).isEqualTo("2025-11-25");
        });

    assertUpstreamCalledAs("bob", 102, run.path("accessToken").asText());
    assertAudited("bob", "2025-11-25");
  }

  @Test
  void theOfficialJavaSdkClientKeepsTheHandshake() throws Exception {
    String token = OAuthFlows.accessToken(gateway, "petstore", "carol", "secret");
    HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport
        .builder(gateway.uri("").toString()).endpoint("/mcp/petstore")
        .customizeRequest(request -> request.header("Authorization", "Bearer " + token))
        .build();
    McpSyncClient client = McpClient.sync(transport).requestTimeout(Duration.ofSeconds(20))
        .jsonSchemaValidator(new NetworkntSchemaValidator()).build();
    String version;
    try {
      version = client.initialize().protocolVersion();
      List<String> names = new ArrayList<>();
      String cursor = null;
      do {
        McpSchema.ListToolsResult page = client.listTools(cursor);
        page.tools().forEach(tool -> names.add(tool.name()));
        cursor = page.nextCursor();
      } while (cursor != null);
      assertThat(names).hasSize(19).doesNotHaveDuplicates().contains("getPetById");
      McpSchema.CallToolResult result = client.callTool(
          new McpSchema.CallToolRequest("getPetById", Map.of("petId", 103)));
      assertThat(result.isError()).isFalse();
      assertThat(JSON.valueToTree(result.structuredContent()).path("id").asInt()).isEqualTo(103);
    } finally {
      client.closeGracefully();
    }

    assertThat(version).matches(LEGACY);
    assertUpstreamCalledAs("carol", 103, token);
    assertAudited("carol", version);
  }

  /** Runs eras.mjs in {@code mode} for {@code user}, calling getPetById with {@code petId}. */
  private static JsonNode eras(String mode, String user, int petId) throws Exception {
    assertThat(SCRIPT_DIR.resolve("node_modules/@modelcontextprotocol/client")).as(
        "npm packages of src/test/node (installed by .ci/prerequisites: npm ci)").isDirectory();
    Process node = new ProcessBuilder("node", "eras.mjs", gateway.uri("/mcp/petstore").toString(),
        user, "secret", mode, "getPetById", "{\"petId\": " + petId + "}")
        .directory(SCRIPT_DIR.toFile()).redirectErrorStream(true).start();
    String output = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(node.waitFor(90, TimeUnit.SECONDS)).isTrue();
    assertThat(node.exitValue()).as(output).isZero();
    JsonNode run = JSON.readTree(output.lines().filter(l -> l.startsWith("{"))
        .reduce((a, b) -> b).orElseThrow());
    assertThat(run.at("/signedIn/first").asText()).isEqualTo("REDIRECT");
    assertThat(run.at("/signedIn/second").asText()).isEqualTo("AUTHORIZED");
    assertThat(run.at("/signedIn/callback/iss").asText()).isEqualTo(gateway.uri("").toString());
    assertThat(run.path("tools")).hasSize(19);
    assertThat(run.path("tools").toString()).contains("\"getPetById\"");
    assertThat(run.at("/result/isError").asBoolean()).isFalse();
    assertThat(run.at("/result/structuredContent/id").asInt()).isEqualTo(petId);
    return run;
  }

  /** The upstream got exactly one call for the pet, with the user's upstream credential. */
  private static void assertUpstreamCalledAs(String user, int petId, String mcpToken) {
    assertThat(mcpToken).isNotBlank();
    assertThat(upstream.received()).filteredOn(r -> r.startsWith("GET /api/v3/pet/" + petId + "\n"))
        .singleElement().satisfies(r -> assertThat(r)
            .contains("Authorization: Bearer upstream-" + user + "-token")
            .contains("Mcp-Session-Id: null").doesNotContain(mcpToken));
  }

  /** One audit line for the user's call, naming the protocol version; it is written in the background. */
  private static void assertAudited(String user, String protocol) throws Exception {
    Pattern line = Pattern.compile("tool-call backend=petstore tool=getPetById user=" + user
        + " client=\\S+ upstream_status=200 duration_ms=\\d+ protocol=(\\S+)");
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    String log = gateway.output();
    while (!line.matcher(log).find() && System.nanoTime() < deadline) {
      Thread.sleep(100);
      log = gateway.output();
    }
    Matcher audit = line.matcher(log);
    List<String> protocols = new ArrayList<>();
    while (audit.find()) {
      protocols.add(audit.group(1));
    }
    assertThat(protocols).as("audit lines of " + user).containsExactly(protocol);
  }
}
