package dev.toriimcp.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.toriimcp.testing.ConformanceSuite;
import dev.toriimcp.testing.GatewayProcess;
import dev.toriimcp.testing.OAuthFlows;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The MCP endpoint end to end on the run command's setup: a user signs in through the
 * login-broker, then the client initializes, lists the demo's tools and calls them, and every
 * call reaches the demo backend as that user.
 */
class McpEndpointIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static GatewayProcess gateway;
  private static String alice;
  private static String bob;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    gateway = GatewayProcess.start("mcp-endpoint", Path.of("examples/mcp-proxy.yaml"),
        Map.of("TORII_DATA", "target/it-data/mcp-endpoint-" + System.nanoTime()));
    gateway.awaitReady(Duration.ofSeconds(120));
    alice = OAuthFlows.accessToken(gateway, "demo", "alice", "wonderland");
    bob = OAuthFlows.accessToken(gateway, "demo", "bob", "builder");
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  /** A POST as a current client sends it, with the version header on every request. */
  private HttpResponse<String> post(String token, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(gateway.uri("/mcp/demo"))
        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
        .header("Accept", "application/json, text/event-stream").header("MCP-Protocol-Version", "2025-11-25")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode call(String token, String method, String params) throws Exception {
    HttpResponse<String> response = post(token, "{\"jsonrpc\": \"2.0\", \"id\": 7, \"method\": \""
        + method + "\", \"params\": " + params + "}");
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonNode body = JSON.readTree(response.body());
    assertThat(body.path("id").asInt()).isEqualTo(7);
    return body;
  }

  @Test
  void initializesAndListsTheDemoTools() throws Exception {
    JsonNode init = call(alice, "initialize", "{\"protocolVersion\": \"2025-06-18\","
        + " \"capabilities\": {}, \"clientInfo\": {\"name\": \"it\", \"version\": \"1\"}}");
    assertThat(init.at("/result/protocolVersion").asText()).isEqualTo("2025-06-18");
    assertThat(init.at("/result/capabilities/tools").isObject()).isTrue();
    assertThat(call(alice, "initialize", "{\"protocolVersion\": \"1999-01-01\"}")
        .at("/result/protocolVersion").asText()).isEqualTo("2025-11-25");
    assertThat(post(alice, "{\"jsonrpc\": \"2.0\", \"method\": \"notifications/initialized\"}")
        .statusCode()).isEqualTo(202);

    JsonNode list = call(alice, "tools/list", "{}");
    List<String> names = new ArrayList<>();
    list.at("/result/tools").forEach(t -> names.add(t.path("name").asText()));
    assertThat(names).containsExactly("whoAmI", "listNotes", "createNote", "getNote", "deleteNote");
    assertThat(list.at("/result").has("nextCursor")).isFalse();
  }

  @Test
  void callsToolsUpstreamAsTheSignedInUser() throws Exception {
    assertThat(call(alice, "tools/call", "{\"name\": \"whoAmI\"}")
        .at("/result/structuredContent/username").asText()).isEqualTo("alice");
    assertThat(call(bob, "tools/call", "{\"name\": \"whoAmI\", \"arguments\": {}}")
        .at("/result/structuredContent/username").asText()).isEqualTo("bob");

    JsonNode created = call(alice, "tools/call", "{\"name\": \"createNote\", \"arguments\":"
        + " {\"body\": {\"title\": \"From MCP\", \"tags\": [\"it\"]}}}");
    assertThat(created.at("/result/isError").asBoolean()).isFalse();
    long id = created.at("/result/structuredContent/id").asLong();
    JsonNode fetched = call(alice, "tools/call", "{\"name\": \"getNote\", \"arguments\": {\"id\": " + id + "}}");
    assertThat(fetched.at("/result/structuredContent/title").asText()).isEqualTo("From MCP");
    JsonNode otherUser = call(bob, "tools/call", "{\"name\": \"getNote\", \"arguments\": {\"id\": " + id + "}}");
    assertThat(otherUser.at("/result/isError").asBoolean()).as("bob cannot see alice's note").isTrue();
    assertThat(otherUser.at("/result/content/0/text").asText()).startsWith("HTTP 404 from upstream");
  }

  private HttpResponse<String> withSession(String token, String session, String method, String body)
      throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(gateway.uri("/mcp/demo"))
        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
        .header("Mcp-Session-Id", session);
    request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(body));
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void shapesAnswersForTheNegotiatedVersion() throws Exception {
    String whoAmI = "{\"jsonrpc\": \"2.0\", \"id\": 3, \"method\": \"tools/call\","
        + " \"params\": {\"name\": \"whoAmI\"}}";
    String list = "{\"jsonrpc\": \"2.0\", \"id\": 2, \"method\": \"tools/list\"}";

    // The newest version gets every field.
    JsonNode tools = call(alice, "tools/list", "{}").at("/result/tools");
    assertThat(tools).anyMatch(t -> t.has("title"));
    assertThat(tools.get(0).has("annotations")).isTrue();
    assertThat(call(alice, "tools/call", "{\"name\": \"whoAmI\"}").at("/result").has("structuredContent")).isTrue();

    // A 2025-03-26 session (its clients send no version header): no title, no structuredContent.
    HttpResponse<String> init = http.send(HttpRequest.newBuilder(gateway.uri("/mcp/demo"))
        .header("Authorization", "Bearer " + alice).header("Content-Type", "application/json")
        .header("Accept", "application/json, text/event-stream")
        .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\":"
            + " \"initialize\", \"params\": {\"protocolVersion\": \"2025-03-26\"}}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(JSON.readTree(init.body()).at("/result/protocolVersion").asText()).isEqualTo("2025-03-26");
    assertThat(JSON.readTree(init.body()).at("/result/serverInfo/name").asText()).isEqualTo("torii-mcp-demo");
    assertThat(JSON.readTree(init.body()).at("/result/serverInfo").has("title")).isFalse();
    String older = init.headers().firstValue("Mcp-Session-Id").orElseThrow();
    JsonNode olderTools = JSON.readTree(withSession(alice, older, "POST", list).body()).at("/result/tools");
    assertThat(olderTools.size()).isEqualTo(tools.size());
    olderTools.forEach(t -> assertThat(t.has("title")).isFalse());
    assertThat(olderTools.get(0).has("annotations")).isTrue();
    for (int i = 0; i < tools.size(); i++) {
      if (tools.get(i).has("title")) {
        assertThat(olderTools.get(i).at("/annotations/title").asText()).as("2025-03-26's own title")
            .isEqualTo(tools.get(i).path("title").asText());
      }
    }
    JsonNode olderCall = JSON.readTree(withSession(alice, older, "POST", whoAmI).body()).at("/result");
    assertThat(olderCall.has("structuredContent")).isFalse();
    assertThat(JSON.readTree(olderCall.at("/content/0/text").asText()).path("username").asText())
        .as("the JSON is still in the text").isEqualTo("alice");
    // The session's version wins over a header that names another.
    HttpResponse<String> conflicting = http.send(HttpRequest.newBuilder(gateway.uri("/mcp/demo"))
        .header("Authorization", "Bearer " + alice).header("Content-Type", "application/json")
        .header("Mcp-Session-Id", older).header("MCP-Protocol-Version", "2025-11-25")
        .POST(HttpRequest.BodyPublishers.ofString(whoAmI)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(conflicting.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(conflicting.body()).at("/result/isError").asBoolean()).isFalse();
    assertThat(JSON.readTree(conflicting.body()).at("/result").has("structuredContent")).isFalse();

    // 2024-11-05 has no annotations either.
    String oldest = post(alice, "{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": \"initialize\","
        + " \"params\": {\"protocolVersion\": \"2024-11-05\"}}").headers().firstValue("Mcp-Session-Id")
        .orElseThrow();
    JsonNode oldestTools = JSON.readTree(withSession(alice, oldest, "POST", list).body()).at("/result/tools");
    assertThat(oldestTools.size()).isEqualTo(tools.size());
    oldestTools.forEach(t -> assertThat(t.has("annotations") || t.has("title")).isFalse());

    // Neither a session nor the header: MCP says to assume 2025-03-26.
    HttpResponse<String> bare = http.send(HttpRequest.newBuilder(gateway.uri("/mcp/demo"))
        .header("Authorization", "Bearer " + alice).header("Content-Type", "application/json")
        .header("Accept", "application/json").POST(HttpRequest.BodyPublishers.ofString(whoAmI)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(bare.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(bare.body()).at("/result").has("structuredContent")).isFalse();
    assertThat(JSON.readTree(JSON.readTree(bare.body()).at("/result/content/0/text").asText())
        .path("username").asText()).isEqualTo("alice");
  }

  @Test
  void answersBatchesOnlyInA20250326Session() throws Exception {
    HttpResponse<String> init = post(alice, "{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\":"
        + " \"initialize\", \"params\": {\"protocolVersion\": \"2025-03-26\"}}");
    String older = init.headers().firstValue("Mcp-Session-Id").orElseThrow();

    HttpResponse<String> answered = withSession(alice, older, "POST", "["
        + "{\"jsonrpc\": \"2.0\", \"id\": \"a\", \"method\": \"tools/call\", \"params\": {\"name\": \"whoAmI\"}},"
        + "{\"jsonrpc\": \"2.0\", \"method\": \"notifications/initialized\"},"
        + "{\"jsonrpc\": \"2.0\", \"id\": 2, \"method\": \"ping\"},"
        + "{\"jsonrpc\": \"2.0\", \"id\": 3, \"method\": \"no/such\"}, 42]");
    assertThat(answered.statusCode()).as(answered.body()).isEqualTo(200);
    JsonNode replies = JSON.readTree(answered.body());
    assertThat(replies.isArray()).isTrue();
    assertThat(replies.size()).as("no reply to the notification").isEqualTo(4);
    assertThat(replies.get(0).path("id").asText()).isEqualTo("a");
    assertThat(JSON.readTree(replies.get(0).at("/result/content/0/text").asText()).path("username").asText())
        .isEqualTo("alice");
    assertThat(replies.get(1).path("id").asInt()).isEqualTo(2);
    assertThat(replies.get(1).path("result").isObject()).isTrue();
    assertThat(replies.get(2).at("/error/code").asInt()).isEqualTo(-32601);
    assertThat(replies.get(3).at("/error/code").asInt()).isEqualTo(-32600);
    assertThat(replies.get(3).path("id").isNull()).isTrue();

    assertThat(withSession(alice, older, "POST", "[{\"jsonrpc\": \"2.0\", \"method\":"
        + " \"notifications/initialized\"}]").statusCode()).isEqualTo(202);
    HttpResponse<String> empty = withSession(alice, older, "POST", "[]");
    assertThat(empty.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(empty.body()).at("/error/code").asInt()).isEqualTo(-32600);
    // A refused notification: never a reply in the array; alone, an HTTP error.
    String badCancel = "{\"jsonrpc\": \"2.0\", \"method\": \"notifications/cancelled\", \"params\": {}}";
    assertThat(withSession(alice, older, "POST", "[" + badCancel + "]").statusCode()).isEqualTo(400);
    JsonNode onlyPing = JSON.readTree(withSession(alice, older, "POST", "[" + badCancel
        + ", {\"jsonrpc\": \"2.0\", \"id\": 5, \"method\": \"ping\"}]").body());
    assertThat(onlyPing.size()).isEqualTo(1);
    assertThat(onlyPing.get(0).path("id").asInt()).isEqualTo(5);
    // A client that accepts only a stream gets one event per response.
    HttpResponse<String> streamed = http.send(HttpRequest.newBuilder(gateway.uri("/mcp/demo"))
        .header("Authorization", "Bearer " + alice).header("Content-Type", "application/json")
        .header("Accept", "text/event-stream").header("Mcp-Session-Id", older)
        .POST(HttpRequest.BodyPublishers.ofString("[{\"jsonrpc\": \"2.0\", \"id\": 6, \"method\": \"ping\"},"
            + " {\"jsonrpc\": \"2.0\", \"id\": 7, \"method\": \"ping\"}]")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(streamed.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
    assertThat(streamed.body()).contains("\"id\":6").contains("\"id\":7");
    assertThat(streamed.body().split("event: message", -1)).hasSize(3);
    // Neither a session nor a version header: 2025-03-26 is assumed, so batches are allowed.
    HttpResponse<String> bare = http.send(HttpRequest.newBuilder(gateway.uri("/mcp/demo"))
        .header("Authorization", "Bearer " + alice).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("[{\"jsonrpc\": \"2.0\", \"id\": 8, \"method\": \"ping\"}]"))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(bare.statusCode()).as(bare.body()).isEqualTo(200);
    assertThat(JSON.readTree(bare.body()).get(0).path("id").asInt()).isEqualTo(8);
    HttpResponse<String> withInitialize = withSession(alice, older, "POST", "[{\"jsonrpc\": \"2.0\","
        + " \"id\": 9, \"method\": \"initialize\", \"params\": {\"protocolVersion\": \"2025-03-26\"}}]");
    assertThat(withInitialize.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(withInitialize.body()).at("/error/code").asInt()).isEqualTo(-32600);

    // 2025-06-18 removed batches.
    String newer = post(alice, "{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": \"initialize\","
        + " \"params\": {\"protocolVersion\": \"2025-06-18\"}}").headers().firstValue("Mcp-Session-Id")
        .orElseThrow();
    HttpResponse<String> refused = withSession(alice, newer, "POST",
        "[{\"jsonrpc\": \"2.0\", \"id\": 2, \"method\": \"ping\"}]");
    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(refused.body()).at("/error/code").asInt()).isEqualTo(-32600);
  }

  private HttpResponse<String> bare(String body) throws Exception {
    // Neither a session nor a version header: 2025-03-26 is assumed, where batches are allowed.
    return http.send(HttpRequest.newBuilder(gateway.uri("/mcp/demo"))
        .header("Authorization", "Bearer " + alice).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String batchOf(int count, String method) {
    StringBuilder batch = new StringBuilder("[");
    for (int i = 0; i < count; i++) {
      batch.append(i == 0 ? "" : ",").append("{\"jsonrpc\":\"2.0\",\"id\":").append(i)
          .append(",\"method\":\"").append(method).append("\"}");
    }
    return batch.append("]").toString();
  }

  @Test
  void refusesABatchOfMoreThan32MessagesAndABodyOverTheLimit() throws Exception {
    // Issue 12: one POST under 4 MiB held some 87,000 tools/list messages, each a page to build.
    String huge = batchOf(80_000, "tools/list");
    assertThat(huge.length()).isLessThan(4 * 1024 * 1024);
    long start = System.nanoTime();
    HttpResponse<String> refused = bare(huge);
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(400);
    assertThat(JSON.readTree(refused.body()).at("/error/code").asInt()).isEqualTo(-32600);
    assertThat(JSON.readTree(refused.body()).at("/error/message").asText()).isEqualTo("Invalid"
        + " Request: a batch holds at most 32 messages; this one has 80000. Send fewer per POST");
    assertThat((System.nanoTime() - start) / 1_000_000_000).as("refused before any is handled")
        .isLessThan(10);
    assertThat(bare(batchOf(33, "ping")).statusCode()).isEqualTo(400);
    HttpResponse<String> most = bare(batchOf(32, "ping"));
    assertThat(most.statusCode()).as(most.body()).isEqualTo(200);
    assertThat(JSON.readTree(most.body()).size()).isEqualTo(32);

    // TR-10: a body over the 4 MiB limit is 413, whatever it holds.
    HttpResponse<String> tooLarge = bare("[" + " ".repeat(4 * 1024 * 1024) + "]");
    assertThat(tooLarge.statusCode()).isEqualTo(413);
    assertThat(JSON.readTree(tooLarge.body()).at("/error/message").asText()).isEqualTo("Request too large");
    assertThat(bare("{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": \"ping\"}" + " ".repeat(4 * 1024 * 1024))
        .statusCode()).as("a single message padded past the limit").isEqualTo(413);
  }

  @Test
  void passesEveryScenarioOfTheOfficialConformanceSuiteThatAppliesToAGateway() throws Exception {
    assertThat(ConformanceSuite.installed()).as("npm packages of src/test/node (installed by"
        + " .ci/prerequisites: npm ci)").isTrue();
    List<ConformanceSuite.Scenario> listed = ConformanceSuite.serverScenarios();
    List<String> names = listed.stream().map(ConformanceSuite.Scenario::name).toList();
    assertThat(names).as("every scenario said not to apply exists")
        .containsAll(ConformanceSuite.NOT_APPLICABLE.keySet());
    List<String> handshake = ConformanceSuite.scenarios(listed, ConformanceSuite.HANDSHAKE);
    List<String> stateless = ConformanceSuite.scenarios(listed, ConformanceSuite.STATELESS);
    assertThat(handshake).contains("server-initialize", "server-session-lifecycle", "ping",
        "tools-list", "logging-set-level", "dns-rebinding-protection");
    assertThat(stateless).contains("server-stateless", "caching", "http-header-validation",
        "tools-list", "dns-rebinding-protection");
    assertThat(names).as("every scenario runs in an era or is said not to apply").allMatch(name ->
        handshake.contains(name) || stateless.contains(name)
            || ConformanceSuite.NOT_APPLICABLE.containsKey(name));
    assertThat(ConformanceSuite.UNTESTABLE.keySet()).as("every excused check is in a scenario"
        + " that runs").allMatch(check -> stateless.contains(check.substring(0, check.indexOf('/')))
            || handshake.contains(check.substring(0, check.indexOf('/'))));

    List<ConformanceSuite.Run> runs = new ArrayList<>(
        ConformanceSuite.run(gateway, "demo", alice, ConformanceSuite.HANDSHAKE, handshake));
    runs.addAll(ConformanceSuite.run(gateway, "demo", alice, ConformanceSuite.STATELESS, stateless));

    assertThat(runs).hasSize(handshake.size() + stateless.size());
    assertThat(runs.stream().filter(run -> !run.passed()).map(run -> "== " + run.scenario()
        + " at " + run.version() + ": " + run.problems() + "\n" + run.output()).toList())
        .as("failed scenarios").isEmpty();
  }

  @Test
  void sessionsAreBoundToTheUserAndEndWithDelete() throws Exception {
    HttpResponse<String> init = post(alice, "{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\":"
        + " \"initialize\", \"params\": {\"protocolVersion\": \"2025-11-25\"}}");
    String session = init.headers().firstValue("Mcp-Session-Id").orElseThrow();
    assertThat(session).matches("[\\x21-\\x7E]{32,}");
    String ping = "{\"jsonrpc\": \"2.0\", \"id\": 2, \"method\": \"ping\"}";

    assertThat(withSession(alice, session, "POST", ping).statusCode()).isEqualTo(200);
    assertThat(withSession(bob, session, "POST", ping).statusCode()).as("another user").isEqualTo(404);
    assertThat(withSession(alice, "made-up-session", "POST", ping).statusCode()).isEqualTo(404);
    assertThat(withSession(alice, session, "DELETE", null).statusCode()).isEqualTo(204);
    assertThat(withSession(alice, session, "POST", ping).statusCode()).as("ended").isEqualTo(404);
    assertThat(withSession(alice, session, "DELETE", null).statusCode()).isEqualTo(404);
  }

  @Test
  void checksOriginAndProtocolVersion() throws Exception {
    String ping = "{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": \"ping\"}";
    HttpResponse<String> evil = http.send(HttpRequest.newBuilder(gateway.uri("/mcp/demo"))
        .header("Authorization", "Bearer " + alice).header("Origin", "http://evil.example")
        .POST(HttpRequest.BodyPublishers.ofString(ping)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(evil.statusCode()).isEqualTo(403);
    HttpResponse<String> inspector = http.send(HttpRequest.newBuilder(gateway.uri("/mcp/demo"))
        .header("Authorization", "Bearer " + alice).header("Origin", "http://localhost:6274")
        .header("MCP-Protocol-Version", "2025-11-25")
        .POST(HttpRequest.BodyPublishers.ofString(ping)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(inspector.statusCode()).isEqualTo(200);
    assertThat(inspector.headers().firstValue("Access-Control-Allow-Origin")).contains("http://localhost:6274");
    HttpResponse<String> future = http.send(HttpRequest.newBuilder(gateway.uri("/mcp/demo"))
        .header("Authorization", "Bearer " + alice).header("MCP-Protocol-Version", "2099-01-01")
        .POST(HttpRequest.BodyPublishers.ofString(ping)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(future.statusCode()).isEqualTo(400);
  }

  @Test
  void refusesARequestForAnotherHostName() throws Exception {
    // A page on evil.example whose name now resolves to 127.0.0.1 (DNS rebinding), no Origin.
    // java.net.http will not send another Host, so these are raw requests.
    assertThat(rawPing("evil.example:" + gateway.uri("").getPort())).startsWith("HTTP/1.1 403");
    assertThat(rawPing("127.0.0.1:" + gateway.uri("").getPort())).startsWith("HTTP/1.1 200");
  }

  private static String rawPing(String host) throws Exception {
    String body = "{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": \"ping\"}";
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", gateway.uri("").getPort())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(("POST /mcp/demo HTTP/1.1\r\nHost: " + host
          + "\r\nAuthorization: Bearer " + alice + "\r\nContent-Type: application/json"
          + "\r\nContent-Length: " + body.length() + "\r\nConnection: close\r\n\r\n" + body)
          .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      return new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
    }
  }

  @Test
  void reportsProtocolAndArgumentErrors() throws Exception {
    assertThat(call(alice, "tools/call", "{\"name\": \"noSuchTool\"}").at("/error/code").asInt())
        .isEqualTo(-32602);
    assertThat(call(alice, "resources/list", "{}").at("/error/code").asInt()).isEqualTo(-32601);
    JsonNode invalid = call(alice, "tools/call", "{\"name\": \"getNote\", \"arguments\": {\"id\": \"x\"}}");
    assertThat(invalid.at("/result/isError").asBoolean()).isTrue();
    assertThat(invalid.at("/result/content/0/text").asText()).contains("'id'");
    HttpResponse<String> malformed = post(alice, "{not json");
    assertThat(malformed.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(malformed.body()).at("/error/code").asInt()).isEqualTo(-32700);
    HttpResponse<String> get = http.send(HttpRequest.newBuilder(gateway.uri("/mcp/demo"))
        .header("Authorization", "Bearer " + alice).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(get.statusCode()).isEqualTo(405);
    // MCP basic/transports: no standalone stream; DELETE ends a session, so it is allowed too.
    assertThat(get.headers().firstValue("Allow")).contains("POST, DELETE");
  }

  private HttpResponse<String> postAccepting(String accept, String json) throws Exception {
    HttpRequest.Builder builder = HttpRequest.newBuilder(gateway.uri("/mcp/demo"))
        .header("Authorization", "Bearer " + alice).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json));
    if (accept != null) {
      builder.header("Accept", accept);
    }
    return http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void answersAsAnEventStreamWhenTheClientAcceptsOnlyAStream() throws Exception {
    String ping = "{\"jsonrpc\": \"2.0\", \"id\": 9, \"method\": \"ping\"}";

    HttpResponse<String> stream = postAccepting("text/event-stream", ping);
    HttpResponse<String> both = postAccepting("application/json, text/event-stream", ping);
    HttpResponse<String> none = postAccepting(null, ping);
    HttpResponse<String> wildcard = postAccepting("*/*", ping);
    HttpResponse<String> neither = postAccepting("text/html", ping);
    HttpResponse<String> refusedJson = postAccepting("application/json;q=0, text/event-stream", ping);

    assertThat(stream.statusCode()).isEqualTo(200);
    assertThat(stream.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/event-stream");
    assertThat(stream.body()).isEqualTo("event: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":9,\"result\":{}}\n\n");
    assertThat(refusedJson.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/event-stream");
    for (HttpResponse<String> json : List.of(both, none, wildcard)) {
      assertThat(json.statusCode()).isEqualTo(200);
      assertThat(json.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/json");
      assertThat(JSON.readTree(json.body()).path("id").asInt()).isEqualTo(9);
    }
    assertThat(neither.statusCode()).isEqualTo(406);
    // A notification has no reply to frame: accepted whatever the client accepts.
    assertThat(postAccepting("text/html", "{\"jsonrpc\": \"2.0\", \"method\":"
        + " \"notifications/initialized\"}").statusCode()).isEqualTo(202);
  }

  @Test
  void initializeIsNotRefusedForItsVersionHeader() throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(gateway.uri("/mcp/demo"))
        .header("Authorization", "Bearer " + alice).header("Content-Type", "application/json")
        .header("MCP-Protocol-Version", "2099-01-01")
        .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\":"
            + " \"initialize\", \"params\": {\"protocolVersion\": \"2099-01-01\", \"capabilities\": {},"
            + " \"clientInfo\": {\"name\": \"it\", \"version\": \"1\"}}}")).build(),
        HttpResponse.BodyHandlers.ofString());

    // The version is negotiated in the body: the gateway answers with its latest.
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(response.body()).at("/result/protocolVersion").asText()).isEqualTo("2025-11-25");
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpRequest.Builder mcp(String method, String body) {
    return HttpRequest.newBuilder(gateway.uri("/mcp/demo")).header("Authorization", "Bearer " + alice)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
  }

  @Test
  void refusesMalformedMessagesAsTheResearchCatalogueSays() throws Exception {
    String ping = "{\"jsonrpc\": \"2.0\", \"id\": 3, \"method\": \"ping\"}";
    // TR-6: a body declared as something else than JSON; JSON with a charset is fine.
    assertThat(send(mcp("POST", ping).header("Content-Type", "text/plain")).statusCode()).isEqualTo(415);
    assertThat(send(mcp("POST", ping).header("Content-Type", "application/json; charset=utf-8"))
        .statusCode()).isEqualTo(200);
    // TR-9: neither a request, a notification nor a response; a real response is still 202.
    HttpResponse<String> noMethod = post(alice, "{\"jsonrpc\": \"2.0\", \"id\": 4}");
    assertThat(noMethod.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(noMethod.body()).at("/error/code").asInt()).isEqualTo(-32600);
    assertThat(post(alice, "{\"jsonrpc\": \"2.0\"}").statusCode()).isEqualTo(400);
    assertThat(post(alice, "{\"jsonrpc\": \"2.0\", \"id\": 4, \"result\": {}}").statusCode()).isEqualTo(202);
    // TR-21: a notification of the wrong shape.
    assertThat(post(alice, "{\"jsonrpc\": \"2.0\", \"method\": \"notifications/cancelled\","
        + " \"params\": {}}").statusCode()).isEqualTo(400);
    assertThat(post(alice, "{\"jsonrpc\": \"2.0\", \"method\": \"notifications/initialized\","
        + " \"params\": [1]}").statusCode()).isEqualTo(400);
    // TR-27: arguments that are not an object; params that are not an object.
    assertThat(call(alice, "tools/call", "{\"name\": \"getNote\", \"arguments\": [1]}")
        .at("/error/code").asInt()).isEqualTo(-32602);
    assertThat(call(alice, "tools/list", "[]").at("/error/code").asInt()).isEqualTo(-32602);
  }

  @Test
  void refusesBadSessionIdsASecondInitializeAndBadVersionsOnDelete() throws Exception {
    String initialize = "{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": \"initialize\","
        + " \"params\": {\"protocolVersion\": \"2025-11-25\"}}";
    String session = post(alice, initialize).headers().firstValue("Mcp-Session-Id").orElseThrow();
    String ping = "{\"jsonrpc\": \"2.0\", \"id\": 3, \"method\": \"ping\"}";

    // TR-13: not visible ASCII (java.net.http sends Latin-1 as is).
    assertThat(send(mcp("POST", ping).header("Mcp-Session-Id", "caf\u00e9")).statusCode()).isEqualTo(400);
    // TR-14: initialize again on a live session; a stale id on initialize is let through.
    HttpResponse<String> again = send(mcp("POST", initialize).header("Mcp-Session-Id", session));
    assertThat(again.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(again.body()).at("/error/code").asInt()).isEqualTo(-32600);
    assertThat(send(mcp("POST", initialize).header("Mcp-Session-Id", "ended-long-ago")).statusCode())
        .isEqualTo(200);
    // Research §1.6: an unsupported version header is 400 on DELETE too, and ends nothing.
    assertThat(send(mcp("DELETE", null).header("Mcp-Session-Id", session)
        .header("MCP-Protocol-Version", "1999-01-01")).statusCode()).isEqualTo(400);
    assertThat(send(mcp("POST", ping).header("Mcp-Session-Id", session)).statusCode()).isEqualTo(200);
  }

  @Test
  void anotherSchemeOrAnEmptyBearerIsNoTokenAtAll() throws Exception {
    // RS-3: the challenge of a request without credentials, with no error attribute.
    for (String authorization : List.of("Basic YWxpY2U6d29uZGVybGFuZA==", "Bearer ", "Bearer")) {
      HttpResponse<String> response = send(HttpRequest.newBuilder(gateway.uri("/mcp/demo"))
          .header("Authorization", authorization)
          .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": \"ping\"}")));
      assertThat(response.statusCode()).as(authorization).isEqualTo(401);
      assertThat(response.headers().firstValue("WWW-Authenticate").orElseThrow()).as(authorization)
          .contains("resource_metadata=").doesNotContain("error=");
    }
    HttpResponse<String> garbage = send(HttpRequest.newBuilder(gateway.uri("/mcp/demo"))
        .header("Authorization", "Bearer garbage")
        .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": \"ping\"}")));
    assertThat(garbage.headers().firstValue("WWW-Authenticate").orElseThrow()).contains("error=\"invalid_token\"");
  }
}
