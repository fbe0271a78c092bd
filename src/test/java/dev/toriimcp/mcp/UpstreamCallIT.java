package dev.toriimcp.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.toriimcp.testing.Exchanges;
import dev.toriimcp.testing.GatewayProcess;
import dev.toriimcp.testing.OAuthFlows;
import dev.toriimcp.testing.PetstoreConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Tool calls against a real upstream HTTP server built from the corpus's petstore-v3 spec, with
 * its own username/password login: the upstream must receive the user's upstream credential and
 * never the MCP token; a slow upstream, an unreachable one and an upstream 401 are handled.
 */
class UpstreamCallIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static HttpServer upstream;
  private static GatewayProcess gateway;
  private static final List<String> received = new CopyOnWriteArrayList<>();
  private static final AtomicBoolean rejectAll = new AtomicBoolean();
  private static String token;
  private static final java.util.concurrent.atomic.AtomicReference<CountDownLatch> holding =
      new java.util.concurrent.atomic.AtomicReference<>(new CountDownLatch(1));
  // HTTP/1.1, as MCP clients speak it (see CallLimitsIT): calls held upstream must not hold back
  // the next request behind an h2c upgrade.
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void start() throws Exception {
    upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    upstream.createContext("/login", exchange -> {
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      JsonNode login = JSON.readTree(body);
      boolean ok = "secret".equals(login.path("password").asText());
      byte[] answer = (ok ? "{\"access_token\": \"upstream-" + login.path("username").asText() + "-token\"}"
          : "{\"error\": \"no\"}").getBytes(StandardCharsets.UTF_8);
      Exchanges.json(exchange, ok ? 200 : 401, answer);
    });
    upstream.createContext("/api/v3", exchange -> {
      StringBuilder record = new StringBuilder(exchange.getRequestMethod() + " "
          + exchange.getRequestURI().getRawPath() + "?" + exchange.getRequestURI().getRawQuery() + "\n");
      exchange.getRequestHeaders().forEach((k, v) -> record.append(k).append(": ").append(v).append('\n'));
      record.append(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      received.add(record.toString());
      if (exchange.getRequestURI().getPath().endsWith("/998")) {
        holding.get().countDown(); // a call the cancellation tests catch in flight
      }
      if (exchange.getRequestURI().getPath().endsWith("/999")
          || exchange.getRequestURI().getPath().endsWith("/998")) {
        try {
          Thread.sleep(3_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      String authorization = exchange.getRequestHeaders().getFirst("Authorization");
      if (exchange.getRequestURI().getPath().endsWith("/996")) {
        // An upstream that echoes the request, as debug endpoints do: the exact header, its
        // base64 and, JSON-escaped, the way a library that escapes '/' writes it.
        com.fasterxml.jackson.databind.node.ObjectNode echo =
            JSON.createObjectNode().put("id", 996).put("name", authorization);
        echo.putArray("photoUrls")
            .add(java.util.Base64.getEncoder().encodeToString(
                ("Authorization: " + authorization).getBytes(StandardCharsets.UTF_8)))
            .add("https://upstream/?access_token=" + java.net.URLEncoder.encode(
                authorization.substring("Bearer ".length()), StandardCharsets.UTF_8));
        Exchanges.json(exchange, 200, echo.toString().replace("/", "\\/")
            .getBytes(StandardCharsets.UTF_8));
        return;
      }
      if (exchange.getRequestURI().getPath().endsWith("/995")) {
        byte[] page = ("<h1>500</h1><pre>GET " + exchange.getRequestURI() + "\nAuthorization: "
            + authorization + "</pre>").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
        exchange.sendResponseHeaders(500, page.length);
        exchange.getResponseBody().write(page);
        exchange.close();
        return;
      }
      // Pet 994 is an upstream fault.
      int status = rejectAll.get() ? 401 : exchange.getRequestURI().getPath().endsWith("/994") ? 503 : 200;
      // Pet 997 answers with an array, which the pet's output schema does not allow.
      byte[] answer = (exchange.getRequestURI().getPath().endsWith("/997") ? "[1, 2]"
          : "{\"id\": 7, \"name\": \"Rex\", \"photoUrls\": []}").getBytes();
      Exchanges.json(exchange, status, answer);
    });
    // Several threads: the deliberately slow request must not hold up the others.
    upstream.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(16));
    upstream.start();
    String base = "http://127.0.0.1:" + upstream.getAddress().getPort();
    int closed;
    try (ServerSocket socket = new ServerSocket(0)) {
      closed = socket.getLocalPort();
    }
    Path config = PetstoreConfig.write("upstream-call",
        "{upstream_timeout: 1, page_size: 5, user_calls_per_minute: 40}",
        new PetstoreConfig.Backend("petstore", base + "/api/v3", base + "/login"),
        new PetstoreConfig.Backend("down", "http://127.0.0.1:" + closed + "/api/v3", base + "/login"),
        new PetstoreConfig.Backend("typed", base + "/api/v3", base + "/login",
            "{getPetById: {output_schema: true}}"));
    gateway = GatewayProcess.start("upstream-call", config, Map.of());
    gateway.awaitReady(Duration.ofSeconds(300)); // boots slowly on a loaded 2-core machine
    token = OAuthFlows.accessToken(gateway, "petstore", "carol", "secret");
  }

  @AfterAll
  static void stop() {
    gateway.close();
    upstream.stop(0);
  }

  private HttpResponse<String> call(String backend, String mcpToken, String tool, String arguments)
      throws Exception {
    return http.send(HttpRequest.newBuilder(gateway.uri("/mcp/" + backend))
        .header("Authorization", "Bearer " + mcpToken).header("Content-Type", "application/json")
        .header("MCP-Protocol-Version", "2025-11-25")
        .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\":"
            + " \"tools/call\", \"params\": {\"name\": \"" + tool + "\", \"arguments\": " + arguments + "}}"))
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void anOlderClientIsNotHeldToAnOutputSchemaItWasNotShown() throws Exception {
    String typed = OAuthFlows.accessToken(gateway, "typed", "carol", "secret");

    // 2025-11-25 (call() sends that header): the schema is published, an array breaks it.
    JsonNode current = JSON.readTree(call("typed", typed, "getPetById", "{\"petId\": 997}").body());
    assertThat(current.at("/result/isError").asBoolean()).isTrue();
    assertThat(current.at("/result/content/0/text").asText()).contains("outputSchema");

    // Neither session nor header, so 2025-03-26: no schema shown, the array is an answer.
    HttpResponse<String> older = http.send(HttpRequest.newBuilder(gateway.uri("/mcp/typed"))
        .header("Authorization", "Bearer " + typed).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\":"
            + " \"tools/call\", \"params\": {\"name\": \"getPetById\", \"arguments\": {\"petId\": 997}}}"))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(older.statusCode()).isEqualTo(200);
    JsonNode result = JSON.readTree(older.body()).path("result");
    assertThat(result.path("isError").asBoolean()).as(older.body()).isFalse();
    assertThat(result.at("/content/0/text").asText()).isEqualTo("[1, 2]");
  }

  @Test
  void theUpstreamGetsTheUsersCredentialAndNeverTheMcpToken() throws Exception {
    received.clear();
    HttpResponse<String> response = call("petstore", token, "getPetById", "{\"petId\": 7}");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(response.body()).at("/result/structuredContent/name").asText()).isEqualTo("Rex");
    assertThat(received).hasSize(1);
    String request = received.get(0);
    assertThat(request).startsWith("GET /api/v3/pet/7?null\n")
        .contains("Authorization: [Bearer upstream-carol-token]")
        .doesNotContain(token);

    received.clear();
    call("petstore", token, "addPet", "{\"body\": {\"name\": \"Rex\", \"photoUrls\": [\"u\"]}}");
    assertThat(received).singleElement().satisfies(r -> assertThat(r).startsWith("POST /api/v3/pet?null")
        .contains("\"name\":\"Rex\"").doesNotContain(token));
  }

  /** Issue 12 item 6: the upstream echoes the user's credential; the model must not get it. */
  @Test
  void anUpstreamThatEchoesTheCredentialDoesNotHandItToTheModel() throws Exception {
    received.clear();
    HttpResponse<String> echoed = call("petstore", token, "getPetById", "{\"petId\": 996}");
    HttpResponse<String> errorPage = call("petstore", token, "getPetById", "{\"petId\": 995}");

    assertThat(received).hasSize(2).allSatisfy(r ->
        assertThat(r).contains("Authorization: [Bearer upstream-carol-token]"));
    String base64 = java.util.Base64.getEncoder().encodeToString(
        "Authorization: Bearer upstream-carol-token".getBytes(StandardCharsets.UTF_8));
    for (HttpResponse<String> response : List.of(echoed, errorPage)) {
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).doesNotContain("upstream-carol-token")
          .doesNotContain(base64.substring(30, 50)).contains("[redacted]");
    }
    JsonNode result = JSON.readTree(echoed.body()).path("result");
    assertThat(result.path("isError").asBoolean()).isFalse();
    assertThat(result.at("/structuredContent/name").asText()).isEqualTo("Bearer [redacted]");
    assertThat(result.at("/structuredContent/photoUrls/1").asText())
        .isEqualTo("https://upstream/?access_token=[redacted]");
    JsonNode error = JSON.readTree(errorPage.body()).path("result");
    assertThat(error.path("isError").asBoolean()).isTrue();
    assertThat(error.at("/content/0/text").asText()).startsWith("HTTP 500 from upstream:")
        .contains("Authorization: Bearer [redacted]</pre>");
  }

  /** Issue 12 item 8: dot-segments and slashes in a path value never reach the upstream. */
  @Test
  void aPathValueThatCouldLeaveTheOperationsPathIsRefusedBeforeTheUpstream() throws Exception {
    received.clear();
    for (String value : List.of("..", "../admin", "a%2Fb", "%252e%252e")) {
      JsonNode result = JSON.readTree(call("petstore", token, "getUserByName",
          JSON.createObjectNode().put("username", value).toString()).body()).path("result");

      assertThat(result.path("isError").asBoolean()).as(value).isTrue();
      assertThat(result.at("/content/0/text").asText()).as(value)
          .startsWith("Invalid arguments: 'username' is a path segment and must not");
    }
    assertThat(received).isEmpty();
    // An ordinary name still goes through.
    call("petstore", token, "getUserByName", "{\"username\": \"carol.smith\"}");
    assertThat(received).singleElement().asString().startsWith("GET /api/v3/user/carol.smith?");
  }

  @Test
  void eachCallWritesOneAuditLineWithoutSecrets() throws Exception {
    HttpResponse<String> response = call("petstore", token, "findPetsByStatus", "{\"status\": \"sold\"}");
    assertThat(response.statusCode()).isEqualTo(200);

    // Written by a background thread: wait for it, bounded.
    java.util.regex.Pattern line = java.util.regex.Pattern.compile("tool-call backend=petstore"
        + " tool=findPetsByStatus user=carol client=\\S+ upstream_status=200 duration_ms=\\d+");
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    String log = gateway.output();
    while (!line.matcher(log).find() && System.nanoTime() < deadline) {
      Thread.sleep(100);
      log = gateway.output();
    }
    assertThat(line.matcher(log).results().count()).isEqualTo(1);
    assertThat(log).doesNotContain(token).doesNotContain("upstream-carol-token");
  }

  @Test
  void theOfficialJavaSdkClientListsEveryToolAcrossPagesAndCallsOne() throws Exception {
    io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport transport =
        io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport
            .builder(gateway.uri("").toString()).endpoint("/mcp/petstore")
            .customizeRequest(request -> request.header("Authorization", "Bearer " + token))
            .build();
    io.modelcontextprotocol.client.McpSyncClient client = io.modelcontextprotocol.client.McpClient
        .sync(transport).requestTimeout(Duration.ofSeconds(20))
        .jsonSchemaValidator(new dev.toriimcp.testing.NetworkntSchemaValidator()).build();
    try {
      client.initialize();
      java.util.List<String> names = new java.util.ArrayList<>();
      int pages = 0;
      String cursor = null;
      do {
        io.modelcontextprotocol.spec.McpSchema.ListToolsResult page = client.listTools(cursor);
        page.tools().forEach(tool -> names.add(tool.name()));
        cursor = page.nextCursor();
        pages++;
      } while (cursor != null);
      assertThat(pages).isEqualTo(4);
      assertThat(names).hasSize(19).doesNotHaveDuplicates().contains("getPetById", "addPet", "uploadFile");

      received.clear();
      io.modelcontextprotocol.spec.McpSchema.CallToolResult result = client.callTool(
          new io.modelcontextprotocol.spec.McpSchema.CallToolRequest("getPetById", Map.of("petId", 7)));
      assertThat(result.isError()).isFalse();
      assertThat(received).singleElement().satisfies(r -> assertThat(r)
          .contains("Authorization: [Bearer upstream-carol-token]").doesNotContain(token));
    } finally {
      client.closeGracefully();
    }
  }

  private HttpRequest post(String session, String json) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(gateway.uri("/mcp/petstore"))
        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
        .header("Accept", "application/json, text/event-stream")
        .POST(HttpRequest.BodyPublishers.ofString(json));
    if (session != null) {
      builder.header("Mcp-Session-Id", session).header("MCP-Protocol-Version", "2025-11-25");
    }
    return builder.build();
  }

  private String initialize() throws Exception {
    HttpResponse<String> response = http.send(post(null, "{\"jsonrpc\": \"2.0\", \"id\": 0,"
        + " \"method\": \"initialize\", \"params\": {\"protocolVersion\": \"2025-11-25\","
        + " \"capabilities\": {}, \"clientInfo\": {\"name\": \"it\", \"version\": \"1\"}}}"),
        HttpResponse.BodyHandlers.ofString());
    return response.headers().firstValue("Mcp-Session-Id").orElseThrow();
  }

  /** Starts a call the upstream holds (petId 998) and waits until the upstream has it. */
  private CompletableFuture<HttpResponse<String>> callHeldUpstream(String session, String requestId)
      throws Exception {
    CountDownLatch arrived = new CountDownLatch(1);
    holding.set(arrived);
    CompletableFuture<HttpResponse<String>> pending = http.sendAsync(post(session,
        "{\"jsonrpc\": \"2.0\", \"id\": " + requestId + ", \"method\": \"tools/call\","
            + " \"params\": {\"name\": \"getPetById\", \"arguments\": {\"petId\": 998}}}"),
        HttpResponse.BodyHandlers.ofString());
    assertThat(arrived.await(10, TimeUnit.SECONDS)).as("the upstream got the call").isTrue();
    return pending;
  }

  private HttpResponse<String> cancel(String session, String requestId) throws Exception {
    return http.send(post(session, "{\"jsonrpc\": \"2.0\", \"method\": \"notifications/cancelled\","
        + " \"params\": {\"requestId\": " + requestId + ", \"reason\": \"the user gave up\"}}"),
        HttpResponse.BodyHandlers.ofString());
  }

  /** A POST as heidi on {@code backend}, in {@code session} (or none), accepting {@code accept}. */
  private HttpResponse<String> asHeidi(String backend, String mcpToken, String session,
      String accept, String json) throws Exception {
    HttpRequest.Builder builder = HttpRequest.newBuilder(gateway.uri("/mcp/" + backend))
        .header("Authorization", "Bearer " + mcpToken).header("Content-Type", "application/json")
        .header("Accept", accept).header("MCP-Protocol-Version", "2025-11-25")
        .POST(HttpRequest.BodyPublishers.ofString(json));
    if (session != null) {
      builder.header("Mcp-Session-Id", session);
    }
    return http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String setLevel(String level) {
    return "{\"jsonrpc\": \"2.0\", \"id\": 2, \"method\": \"logging/setLevel\","
        + " \"params\": {\"level\": \"" + level + "\"}}";
  }

  private static String getPet(int petId) {
    return "{\"jsonrpc\": \"2.0\", \"id\": 3, \"method\": \"tools/call\", \"params\":"
        + " {\"name\": \"getPetById\", \"arguments\": {\"petId\": " + petId + "}}}";
  }

  /** The JSON-RPC messages of an event stream, in order. */
  private static List<JsonNode> events(String stream) throws Exception {
    List<JsonNode> messages = new java.util.ArrayList<>();
    for (String line : stream.split("\n")) {
      if (line.startsWith("data: ")) {
        messages.add(JSON.readTree(line.substring(6)));
      }
    }
    return messages;
  }

  @Test
  void aSessionThatChoseALevelHearsOfUpstreamFailuresOnTheCallsStream() throws Exception {
    String heidi = OAuthFlows.accessToken(gateway, "petstore", "heidi", "secret");
    String both = "application/json, text/event-stream";
    HttpResponse<String> init = asHeidi("petstore", heidi, null, both, "{\"jsonrpc\": \"2.0\","
        + " \"id\": 1, \"method\": \"initialize\", \"params\": {\"protocolVersion\": \"2025-11-25\"}}");
    assertThat(JSON.readTree(init.body()).at("/result/capabilities/logging").isObject())
        .as("the logging capability").isTrue();
    String session = init.headers().firstValue("Mcp-Session-Id").orElseThrow();

    // No level chosen yet: the timeout is in the result only, and the answer plain JSON.
    HttpResponse<String> quiet = asHeidi("petstore", heidi, session, both, getPet(999));
    assertThat(quiet.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
    assertThat(JSON.readTree(asHeidi("petstore", heidi, session, both, setLevel("loud")).body())
        .at("/error/code").asInt()).isEqualTo(-32602);
    JsonNode chosen = JSON.readTree(asHeidi("petstore", heidi, session, both, setLevel("warning")).body());
    assertThat(chosen.path("result").isObject() && chosen.path("result").isEmpty()).as("%s", chosen).isTrue();

    HttpResponse<String> timedOut = asHeidi("petstore", heidi, session, both, getPet(999));
    assertThat(timedOut.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
    List<JsonNode> messages = events(timedOut.body());
    assertThat(messages).hasSize(2);
    assertThat(messages.get(0).path("method").asText()).isEqualTo("notifications/message");
    assertThat(messages.get(0).at("/params/level").asText()).isEqualTo("warning");
    assertThat(messages.get(0).at("/params/logger").asText()).isEqualTo("torii-mcp");
    assertThat(messages.get(0).at("/params/data/backend").asText()).isEqualTo("petstore");
    assertThat(messages.get(0).at("/params/data/tool").asText()).isEqualTo("getPetById");
    assertThat(messages.get(0).at("/params/data/message").asText())
        .isEqualTo("Backend 'petstore' did not answer within 1 s");
    assertThat(messages.get(1).path("id").asInt()).isEqualTo(3);
    assertThat(messages.get(1).at("/result/isError").asBoolean()).isTrue();
    List<JsonNode> fault = events(asHeidi("petstore", heidi, session, both, getPet(994)).body());
    assertThat(fault.get(0).at("/params/data/message").asText())
        .isEqualTo("Backend 'petstore' answered HTTP 503");
    // A client that takes no stream still gets its answer, without the message.
    HttpResponse<String> jsonOnly = asHeidi("petstore", heidi, session, "application/json", getPet(994));
    assertThat(JSON.readTree(jsonOnly.body()).at("/result/isError").asBoolean()).isTrue();
    // A successful call has nothing to say.
    assertThat(asHeidi("petstore", heidi, session, both, getPet(7)).headers()
        .firstValue("Content-Type").orElse("")).startsWith("application/json");

    // At level error, a timeout (a warning) is not sent; an unreachable backend (an error) is.
    asHeidi("petstore", heidi, session, both, setLevel("error"));
    assertThat(asHeidi("petstore", heidi, session, both, getPet(999)).headers()
        .firstValue("Content-Type").orElse("")).startsWith("application/json");
    String down = OAuthFlows.accessToken(gateway, "down", "heidi", "secret");
    String downSession = asHeidi("down", down, null, both, "{\"jsonrpc\": \"2.0\", \"id\": 1,"
        + " \"method\": \"initialize\", \"params\": {\"protocolVersion\": \"2025-11-25\"}}")
        .headers().firstValue("Mcp-Session-Id").orElseThrow();
    asHeidi("down", down, downSession, both, setLevel("error"));
    List<JsonNode> unreachable = events(asHeidi("down", down, downSession, both, getPet(1)).body());
    assertThat(unreachable.get(0).at("/params/level").asText()).isEqualTo("error");
    assertThat(unreachable.get(0).at("/params/data/message").asText())
        .startsWith("Backend 'down' cannot be reached");

    // Without a session there is nowhere to keep a level: refused, not ignored.
    JsonNode sessionless = JSON.readTree(asHeidi("petstore", heidi, null, both, setLevel("info")).body());
    assertThat(sessionless.at("/error/code").asInt()).isEqualTo(-32602);
    assertThat(sessionless.at("/error/message").asText()).contains("Mcp-Session-Id");
  }

  @Test
  void notificationsCancelledAbortsTheUpstreamCallItNames() throws Exception {
    String session = initialize();
    CompletableFuture<HttpResponse<String>> pending = callHeldUpstream(session, "\"call-1\"");

    HttpResponse<String> cancelled = cancel(session, "\"call-1\"");

    assertThat(cancelled.statusCode()).isEqualTo(202);
    // Answered at once, before the upstream's 3 s and the gateway's 1 s timeout would answer.
    JsonNode answer = JSON.readTree(pending.get(5, TimeUnit.SECONDS).body());
    assertThat(answer.path("id").asText()).isEqualTo("call-1");
    assertThat(answer.at("/error/code").asInt()).isEqualTo(-32800);
    assertThat(answer.at("/error/message").asText()).isEqualTo("Request cancelled");
  }

  @Test
  void aCancellationFromAnotherSessionCancelsNothing() throws Exception {
    String mine = initialize();
    String other = initialize();
    CompletableFuture<HttpResponse<String>> pending = callHeldUpstream(mine, "5");

    assertThat(cancel(other, "5").statusCode()).isEqualTo(202);

    // Not cancelled: the call runs into the gateway's 1 s upstream timeout instead.
    JsonNode answer = JSON.readTree(pending.get(10, TimeUnit.SECONDS).body());
    assertThat(answer.has("error")).isFalse();
    assertThat(answer.at("/result/isError").asBoolean()).isTrue();
    assertThat(answer.at("/result/content/0/text").asText()).contains("did not answer within 1 s");
  }

  @Test
  void aSlowUpstreamIsAToolErrorNotAHang() throws Exception {
    long start = System.nanoTime();
    HttpResponse<String> response = call("petstore", token, "getPetById", "{\"petId\": 999}");
    long seconds = (System.nanoTime() - start) / 1_000_000_000;

    JsonNode result = JSON.readTree(response.body()).path("result");
    assertThat(result.path("isError").asBoolean()).isTrue();
    assertThat(result.at("/content/0/text").asText()).contains("Backend 'petstore'").contains("1 s");
    assertThat(seconds).isLessThan(3);
  }

  @Test
  void anUnreachableUpstreamIsAToolErrorNamingTheBackend() throws Exception {
    String downToken = OAuthFlows.accessToken(gateway, "down", "carol", "secret");
    HttpResponse<String> response = call("down", downToken, "getPetById", "{\"petId\": 1}");

    JsonNode result = JSON.readTree(response.body()).path("result");
    assertThat(result.path("isError").asBoolean()).isTrue();
    assertThat(result.at("/content/0/text").asText()).startsWith("Backend 'down' cannot be reached");
  }

  @Test
  void anUpstream401MakesTheClientAuthorizeAgain() throws Exception {
    // Control: such a client's refresh works while the upstream accepts the credential.
    OAuthFlows.Issued control = OAuthFlows.tokens(gateway, "petstore", "carol", "secret");
    assertThat(OAuthFlows.refresh(gateway, control).statusCode()).isEqualTo(200);
    // A grant of its own: this test ends it, and the other tests go on with theirs.
    OAuthFlows.Issued issued = OAuthFlows.tokens(gateway, "petstore", "carol", "secret");
    HttpResponse<String> response;
    rejectAll.set(true);
    try {
      response = call("petstore", issued.accessToken(), "getPetById", "{\"petId\": 7}");
    } finally {
      rejectAll.set(false);
    }

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.headers().firstValue("WWW-Authenticate").orElseThrow())
        .contains("resource_metadata=").contains("error=\"invalid_token\"");
    // A refresh would bring back the same refused credential, so it must fail: the client then
    // runs the authorization, where the user signs in to the backend again.
    HttpResponse<String> refreshed = OAuthFlows.refresh(gateway, issued);
    assertThat(refreshed.statusCode()).isEqualTo(400);
    assertThat(refreshed.body()).contains("invalid_grant");
    assertThat(call("petstore", issued.accessToken(), "getPetById", "{\"petId\": 7}").statusCode())
        .isEqualTo(401);
    // Only that grant ended.
    assertThat(call("petstore", token, "getPetById", "{\"petId\": 7}").statusCode()).isEqualTo(200);
  }

  @Test
  void aCredentialUnderARemovedSealingKeyMakesTheClientAuthorizeAgain() throws Exception {
    // Issue 12 item 5 (ADR 0017): gateway one seals with key k, gateway two on the same data
    // lists only k-new. The old credential cannot be opened: 401, never 500, and a new sign-in
    // works. Both gateways are this test's own; the class's gateway is not touched.
    String base = "http://127.0.0.1:" + upstream.getAddress().getPort();
    Path first = PetstoreConfig.write("retired-key-1", "{}",
        new PetstoreConfig.Backend("petstore", base + "/api/v3", base + "/login"));
    String yaml = Files.readString(first).replaceAll("derby_directory: [^}]*\\}",
        "derby_directory: target/it-data/retired-key-" + System.nanoTime() + "}");
    Files.writeString(first, yaml);
    Path second = first.resolveSibling("retired-key-2.yaml");
    String oldKey = "{id: k, secret: AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=}";
    assertThat(yaml).contains(oldKey);
    Files.writeString(second, yaml.replace(oldKey,
        "{id: k-new, secret: ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=}"));

    OAuthFlows.Issued issued;
    try (GatewayProcess one = GatewayProcess.start("retired-key-1", first, Map.of())) {
      one.awaitReady(Duration.ofSeconds(300));
      issued = OAuthFlows.tokens(one, "petstore", "erin", "secret");
      assertThat(callOn(one, issued.accessToken()).statusCode()).isEqualTo(200);
      one.stop(Duration.ofSeconds(60)); // a clean Derby shutdown before the next gateway opens it
    }
    try (GatewayProcess two = GatewayProcess.start("retired-key-2", second, Map.of())) {
      two.awaitReady(Duration.ofSeconds(300));
      assertThat(two.output()).contains("torii-mcp sealing: key 'k-new' (current) seals 0")
          .contains("key 'k' (not in sealing.keys) seals 1 upstream credential(s)");

      HttpResponse<String> refused = callOn(two, issued.accessToken());
      assertThat(refused.statusCode()).as(refused.body()).isEqualTo(401);
      assertThat(refused.headers().firstValue("WWW-Authenticate").orElseThrow())
          .contains("resource_metadata=");
      assertThat(callOn(two, issued.accessToken()).statusCode()).as("and again").isEqualTo(401);
      HttpResponse<String> refreshed = OAuthFlows.refresh(two, issued);
      assertThat(refreshed.statusCode()).isEqualTo(400);
      assertThat(refreshed.body()).contains("invalid_grant");

      OAuthFlows.Issued again = OAuthFlows.tokens(two, "petstore", "erin", "secret");
      received.clear();
      HttpResponse<String> works = callOn(two, again.accessToken());
      assertThat(works.statusCode()).as(works.body()).isEqualTo(200);
      assertThat(received).singleElement().satisfies(r -> assertThat(r)
          .contains("Authorization: [Bearer upstream-erin-token]"));
      assertThat(two.output()).doesNotContain("upstream-erin-token");
    }
  }

  private HttpResponse<String> callOn(GatewayProcess on, String mcpToken) throws Exception {
    return http.send(HttpRequest.newBuilder(on.uri("/mcp/petstore"))
        .header("Authorization", "Bearer " + mcpToken).header("Content-Type", "application/json")
        .header("MCP-Protocol-Version", "2025-11-25")
        .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\":"
            + " \"tools/call\", \"params\": {\"name\": \"getPetById\", \"arguments\": {\"petId\": 7}}}"))
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aUserIsRefusedBeyondTheirCallsPerMinute() throws Exception {
    // limits.user_calls_per_minute is 40 here. Dave has a bucket of his own: the other tests'
    // calls, made as carol, do not count.
    String dave = OAuthFlows.accessToken(gateway, "petstore", "dave", "secret");
    long start = System.nanoTime();
    int admitted = 0;
    JsonNode refused = null;
    for (int i = 0; i < 80 && refused == null; i++) {
      JsonNode result = JSON.readTree(call("petstore", dave, "getPetById", "{\"petId\": 7}").body())
          .path("result");
      if (result.path("isError").asBoolean()) {
        refused = result;
      } else {
        admitted++;
      }
    }
    double minutes = (System.nanoTime() - start) / 60e9;
    JsonNode otherUser = JSON.readTree(call("petstore", token, "getPetById", "{\"petId\": 7}").body())
        .path("result");

    assertThat(refused).as("refused within 80 calls").isNotNull();
    assertThat(refused.at("/content/0/text").asText()).startsWith(
        "Backend 'petstore': more than 40 calls per minute from this user; try again in ");
    // 40 at once, plus what the bucket refilled while the calls ran.
    assertThat(admitted).isBetween(40, 40 + (int) Math.ceil(minutes * 40));
    assertThat(otherUser.path("isError").asBoolean()).as("another user is not held up: %s", otherUser)
        .isFalse();
  }
}
