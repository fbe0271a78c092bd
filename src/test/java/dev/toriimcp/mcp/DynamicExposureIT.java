package dev.toriimcp.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.toriimcp.testing.GatewayProcess;
import dev.toriimcp.testing.LargeApisGateway;
import dev.toriimcp.testing.NetworkntSchemaValidator;
import dev.toriimcp.testing.OAuthFlows;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Large APIs served dynamically (issue 16, ADR 0031), with the official SDK clients: backends
 * from the shared GitHub and Kubernetes specs under the default exposure ({@code auto}) list three
 * tools, and {@code search_tools} → {@code describe_tool} → {@code call_tool} reaches a real
 * loopback upstream exactly as the direct call does: the same request bytes, the same audit line,
 * and the same errors for an unknown name or invalid arguments.
 */
class DynamicExposureIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path SCRIPT_DIR = Path.of("src/test/node");
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static LargeApisGateway large;
  private static GatewayProcess gateway;

  @BeforeAll
  static void start() throws Exception {
    large = LargeApisGateway.get();
    gateway = large.gateway();
  }

  @Test
  void theJavaSdkFindsDescribesAndCallsAGitHubToolAsADirectCallWould() throws Exception {
    String token = OAuthFlows.accessToken(gateway, "github", "dora", "secret");
    HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport
        .builder(gateway.uri("").toString()).endpoint("/mcp/github")
        .customizeRequest(request -> request.header("Authorization", "Bearer " + token))
        .build();
    McpSyncClient client = McpClient.sync(transport).requestTimeout(Duration.ofSeconds(20))
        .jsonSchemaValidator(new NetworkntSchemaValidator()).build();
    Map<String, Object> arguments = Map.of("owner", "octo", "repo", "hello",
        "body", Map.of("title", "Found a bug", "labels", List.of("bug")));
    try {
      client.initialize();
      McpSchema.ListToolsResult listed = client.listTools();
      assertThat(listed.tools()).extracting(McpSchema.Tool::name)
          .containsExactly("search_tools", "describe_tool", "call_tool");
      assertThat(listed.nextCursor()).isNull();

      JsonNode found = JSON.readTree(text(client.callTool(new McpSchema.CallToolRequest(
          "search_tools", Map.of("query", "create an issue in a repository")))));
      assertThat(found.get("tools")).extracting(hit -> hit.get("name").asText())
          .contains("issues_create");
      assertThat(found.at("/tools/0").fieldNames()).toIterable()
          .containsExactly("name", "summary", "method", "path");

      JsonNode described = JSON.readTree(text(client.callTool(new McpSchema.CallToolRequest(
          "describe_tool", Map.of("name", "issues_create")))));
      assertThat(described.path("name").asText()).isEqualTo("issues_create");
      assertThat(described.at("/inputSchema/required").toString()).contains("owner", "repo", "body");

      McpSchema.CallToolResult viaMeta = client.callTool(new McpSchema.CallToolRequest(
          "call_tool", Map.of("name", "issues_create", "arguments", arguments)));
      McpSchema.CallToolResult direct = client.callTool(
          new McpSchema.CallToolRequest("issues_create", arguments));
      assertThat(viaMeta.isError()).as(text(viaMeta)).isFalse();
      assertThat(text(viaMeta)).isEqualTo(text(direct)).contains("\"ok\"");

      // The same named errors: an unknown tool is a JSON-RPC error, bad arguments a tool error.
      McpError unknownViaMeta = catchThrowableOfType(McpError.class, () -> client.callTool(
          new McpSchema.CallToolRequest("call_tool", Map.of("name", "no_such_tool"))));
      McpError unknownDirect = catchThrowableOfType(McpError.class, () -> client.callTool(
          new McpSchema.CallToolRequest("no_such_tool", Map.of())));
      assertThat(unknownViaMeta.getMessage()).isEqualTo(unknownDirect.getMessage())
          .contains("unknown tool no_such_tool");
      McpSchema.CallToolResult invalidViaMeta = client.callTool(new McpSchema.CallToolRequest(
          "call_tool", Map.of("name", "issues_create", "arguments", Map.of("owner", "octo"))));
      McpSchema.CallToolResult invalidDirect = client.callTool(
          new McpSchema.CallToolRequest("issues_create", Map.of("owner", "octo")));
      assertThat(invalidViaMeta.isError()).isTrue();
      assertThat(text(invalidViaMeta)).isEqualTo(text(invalidDirect)).contains("repo");
    } finally {
      client.closeGracefully();
    }

    List<String> calls = upstreamCalls("POST /repos/octo/hello/issues");
    assertThat(calls).hasSize(2);
    assertThat(calls.get(0)).as("the same request bytes").isEqualTo(calls.get(1))
        .contains("authorization=[Bearer upstream-dora-token]", "\"title\":\"Found a bug\"")
        .doesNotContain(token);
    assertThat(auditLines("github", "issues_create", "dora")).containsExactly(
        "upstream_status=200", "upstream_status=200",
        "upstream_status=invalid-arguments", "upstream_status=invalid-arguments");
  }

  @Test
  void theTypeScriptSdkDoesTheSameOnKubernetesStatelessly() throws Exception {
    JsonNode run = dynamic("modern", "erin", "list the pods in a namespace",
        "listCoreV1NamespacedPod", "{\"namespace\": \"shop\", \"labelSelector\": \"app=web\"}",
        "{\"namespace\": 7}");

    assertThat(run.path("protocolVersion").asText()).isEqualTo("2026-07-28");
    assertThat(run.path("tools")).extracting(tool -> tool.get("name").asText())
        .containsExactly("search_tools", "describe_tool", "call_tool");
    assertThat(JSON.readTree(run.at("/search/content/0/text").asText()).get("tools"))
        .extracting(hit -> hit.get("name").asText()).contains("listCoreV1NamespacedPod");
    JsonNode described = JSON.readTree(run.at("/describe/content/0/text").asText());
    assertThat(described.at("/inputSchema/properties/namespace/type").asText()).isEqualTo("string");
    assertThat(run.path("viaCallTool")).isEqualTo(run.path("direct"));
    assertThat(run.at("/viaCallTool/isError").asBoolean()).isFalse();
    assertThat(run.path("unknownViaCallTool")).isEqualTo(run.path("unknownDirect"));
    assertThat(run.at("/unknownDirect/error/code").asInt()).isEqualTo(-32602);
    assertThat(run.path("invalidViaCallTool")).isEqualTo(run.path("invalidDirect"));
    assertThat(run.at("/invalidDirect/isError").asBoolean()).isTrue();
    assertThat(run.at("/invalidDirect/content/0/text").asText()).contains("namespace");

    List<String> calls = upstreamCalls("GET /api/v1/namespaces/shop/pods");
    assertThat(calls).hasSize(2);
    assertThat(calls.get(0)).isEqualTo(calls.get(1)).contains("labelSelector=app%3Dweb",
        "authorization=[Bearer upstream-erin-token]");
    assertThat(auditLines("kubernetes", "listCoreV1NamespacedPod", "erin")).containsExactly(
        "upstream_status=200", "upstream_status=200",
        "upstream_status=invalid-arguments", "upstream_status=invalid-arguments");
  }

  @Test
  void theDynamicToolsListCostsUnder1000Bytes() throws Exception {
    String token = OAuthFlows.accessToken(gateway, "kubernetes", "finn", "secret");
    HttpResponse<String> listed = HTTP.send(HttpRequest.newBuilder(gateway.uri("/mcp/kubernetes"))
        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
        .header("Accept", "application/json, text/event-stream")
        .header("MCP-Protocol-Version", "2026-07-28")
        .header("Mcp-Method", "tools/list")
        .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\":"
            + " \"tools/list\", \"params\": {\"_meta\": {\"io.modelcontextprotocol/protocolVersion\":"
            + " \"2026-07-28\", \"io.modelcontextprotocol/clientCapabilities\": {}}}}"))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(listed.statusCode()).as(listed.body()).isEqualTo(200);
    JsonNode result = JSON.readTree(listed.body()).path("result");
    int bytes = JSON.createObjectNode().set("tools", result.get("tools")).toString()
        .getBytes(StandardCharsets.UTF_8).length;
    System.out.println("dynamic tools/list of kubernetes: " + bytes + " bytes");
    assertThat(bytes).isLessThanOrEqualTo(1000);
  }

  private static String text(McpSchema.CallToolResult result) {
    return ((McpSchema.TextContent) result.content().get(0)).text();
  }

  private static List<String> upstreamCalls(String requestLine) {
    return large.received().stream().filter(call -> call.startsWith(requestLine)).toList();
  }

  /** The statuses of the user's audit lines for the tool, in order; written in the background. */
  private static List<String> auditLines(String backend, String tool, String user)
      throws Exception {
    Pattern line = Pattern.compile("tool-call backend=" + backend + " tool=" + tool + " user="
        + user + " client=\\S+ (upstream_status=\\S+) duration_ms=\\d+ protocol=\\S+");
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    List<String> statuses = new ArrayList<>();
    while (System.nanoTime() < deadline) {
      statuses.clear();
      Matcher audit = line.matcher(gateway.output());
      while (audit.find()) {
        statuses.add(audit.group(1));
      }
      if (statuses.size() >= 4) {
        break;
      }
      Thread.sleep(100);
    }
    return statuses;
  }

  private static JsonNode dynamic(String mode, String user, String query, String tool,
      String arguments, String invalid) throws Exception {
    assertThat(SCRIPT_DIR.resolve("node_modules/@modelcontextprotocol/client")).as(
        "npm packages of src/test/node (installed by .ci/prerequisites: npm ci)").isDirectory();
    Process node = new ProcessBuilder("node", "dynamic.mjs",
        gateway.uri("/mcp/kubernetes").toString(), user, "secret", mode, query, tool, arguments,
        invalid).directory(SCRIPT_DIR.toFile()).redirectErrorStream(true).start();
    String output = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(node.waitFor(90, TimeUnit.SECONDS)).isTrue();
    assertThat(node.exitValue()).as(output).isZero();
    return JSON.readTree(output.lines().filter(l -> l.startsWith("{"))
        .reduce((a, b) -> b).orElseThrow());
  }
}
