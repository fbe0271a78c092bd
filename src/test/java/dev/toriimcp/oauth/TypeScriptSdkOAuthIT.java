package dev.toriimcp.oauth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.toriimcp.testing.GatewayProcess;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The official TypeScript MCP SDK (npm {@code @modelcontextprotocol/sdk}) against the gateway: its
 * OAuth client's discovery, registration, PKCE and code exchange must all accept what the gateway
 * serves, and its MCP client must then initialize, list and call the demo's tools with the token.
 */
class TypeScriptSdkOAuthIT {

  private static final Path SCRIPT_DIR = Path.of("src/test/node");

  @Test
  void theTypeScriptSdkCompletesTheAuthorizationFlow() throws Exception {
    assertThat(SCRIPT_DIR.resolve("node_modules/@modelcontextprotocol/sdk")).as(
        "npm packages of src/test/node (installed by .ci/prerequisites: npm ci)").isDirectory();
    Path data = Path.of("target/it-data/ts-sdk");
    try (GatewayProcess gateway = GatewayProcess.start("ts-sdk-oauth",
        Path.of("examples/mcp-proxy.yaml"), Map.of("TORII_DATA", data.toString()))) {
      gateway.awaitReady(Duration.ofSeconds(120));
      String server = gateway.uri("/mcp/demo").toString();

      Process node = new ProcessBuilder("node", "oauth-flow.mjs", server, "alice", "wonderland")
          .directory(SCRIPT_DIR.toFile()).redirectErrorStream(true).start();
      String output = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(node.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(node.exitValue()).as(output).isZero();

      JsonNode result = new ObjectMapper().readTree(output.lines()
          .filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElseThrow());
      assertThat(result.path("first").asText()).isEqualTo("REDIRECT");
      assertThat(result.path("second").asText()).isEqualTo("AUTHORIZED");
      String authorizationUrl = URLDecoder.decode(result.path("authorizationUrl").asText(),
          StandardCharsets.UTF_8);
      assertThat(authorizationUrl).contains("code_challenge_method=S256")
          .contains("resource=" + server).contains("scope=demo");
      assertThat(result.at("/callback/iss").asText()).isEqualTo(gateway.uri("").toString());
      assertThat(result.at("/client/client_id").asText()).startsWith("torii-");
      assertThat(result.at("/tokens/token_type").asText()).isEqualTo("Bearer");
      assertThat(result.at("/tokens/refresh_token").asText()).isNotEmpty();
      // The SDK's MCP client, with the same credentials: tools listed and called as alice.
      assertThat(result.path("tools").toString())
          .isEqualTo("[\"whoAmI\",\"listNotes\",\"createNote\",\"getNote\",\"deleteNote\"]");
      assertThat(result.at("/whoAmI/username").asText()).isEqualTo("alice");
      assertThat(result.at("/created/title").asText()).isEqualTo("From the TS SDK");

      HttpResponse<String> mcp = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
              gateway.uri("/mcp/demo"))
          .header("Authorization", "Bearer " + result.at("/tokens/access_token").asText())
          .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": \"ping\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
      assertThat(mcp.statusCode()).as("the SDK's token passes authentication").isEqualTo(200);
      gateway.stop(Duration.ofSeconds(60));
    }
  }
}
