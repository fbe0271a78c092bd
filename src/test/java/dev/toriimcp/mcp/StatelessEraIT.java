package dev.toriimcp.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.toriimcp.testing.Exchanges;
import dev.toriimcp.testing.GatewayProcess;
import dev.toriimcp.testing.OAuthFlows;
import dev.toriimcp.testing.PetstoreConfig;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The era checklist of MCP 2026-07-28 (research §1.13, §5.10 ME-1 to ME-7) on the wire, for both
 * eras on the same {@code /mcp/<backend>} URL: what a stateless request gets for each mistake,
 * what a handshake-era request gets for the same bytes, and what closing the response does in
 * each era (stateless: the upstream call is aborted; handshake era: the call runs to its end, as
 * 2025-11-25 says disconnection is not cancellation).
 */
class StatelessEraIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String MODERN = "2026-07-28";
  private static HttpServer upstream;
  private static ServerSocket held;
  private static GatewayProcess gateway;
  private static String token;
  private static String slowToken;
  private static final List<String> authorizations = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void start() throws Exception {
    upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    upstream.createContext("/login", exchange -> {
      JsonNode login = JSON.readTree(exchange.getRequestBody().readAllBytes());
      Exchanges.json(exchange, 200, ("{\"access_token\": \"upstream-" + login.path("username").asText()
          + "-token\"}").getBytes(StandardCharsets.UTF_8));
    });
    upstream.createContext("/api/v3", exchange -> {
      exchange.getRequestBody().readAllBytes();
      // Pets 7 and 8 answer with an array, which 2026-07-28 carries as structured content.
      byte[] answer = exchange.getRequestURI().getPath().endsWith("/findByStatus")
          ? "[{\"id\": 7, \"name\": \"Rex\"}, {\"id\": 8, \"name\": \"Ace\"}]".getBytes()
          : "{\"id\": 7, \"name\": \"Rex\"}".getBytes();
      authorizations.add(exchange.getRequestHeaders().getFirst("Authorization"));
      Exchanges.json(exchange, 200, answer);
    });
    upstream.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(8));
    upstream.start();
    held = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    String base = "http://127.0.0.1:" + upstream.getAddress().getPort();
    Path config = PetstoreConfig.write("stateless-era", "{upstream_timeout: 30}",
        new PetstoreConfig.Backend("petstore", base + "/api/v3", base + "/login"),
        new PetstoreConfig.Backend("slow", "http://127.0.0.1:" + held.getLocalPort() + "/api/v3",
            base + "/login"));
    gateway = GatewayProcess.start("stateless-era", config, Map.of());
    gateway.awaitReady(Duration.ofSeconds(300));
    token = OAuthFlows.accessToken(gateway, "petstore", "erin", "secret");
    slowToken = OAuthFlows.accessToken(gateway, "slow", "erin", "secret");
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
    upstream.stop(0);
    held.close();
  }

  private static String meta() {
    return "\"_meta\": {\"io.modelcontextprotocol/protocolVersion\": \"" + MODERN + "\","
        + " \"io.modelcontextprotocol/clientCapabilities\": {},"
        + " \"io.modelcontextprotocol/clientInfo\": {\"name\": \"it\", \"version\": \"1\"}}";
  }

  private static String request(String method, String params) {
    return "{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": \"" + method + "\", \"params\": {"
        + params + "}}";
  }

  /** A POST with the given headers (null values left out) as a 2026-07-28 client sends it. */
  private HttpResponse<String> post(String backend, String body, Map<String, String> headers)
      throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(gateway.uri("/mcp/" + backend))
        .header("Authorization", "Bearer " + (backend.equals("slow") ? slowToken : token))
        .header("Content-Type", "application/json")
        .header("Accept", "application/json, text/event-stream")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    headers.forEach((name, value) -> {
      if (value != null) {
        request.header(name, value);
      }
    });
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static Map<String, String> modern(String method, String name) {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("MCP-Protocol-Version", MODERN);
    headers.put("Mcp-Method", method);
    headers.put("Mcp-Name", name);
    return headers;
  }

  private static JsonNode body(HttpResponse<String> response) throws Exception {
    return JSON.readTree(response.body());
  }

  @Test
  void discoverSucceedsWithoutAnyPriorContact() throws Exception {
    HttpResponse<String> response = post("petstore", request("server/discover", meta()),
        modern("server/discover", null));

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonNode result = body(response).path("result");
    assertThat(result.path("resultType").asText()).isEqualTo("complete");
    List<String> versions = new ArrayList<>();
    result.path("supportedVersions").forEach(v -> versions.add(v.asText()));
    assertThat(versions).containsExactly(MODERN, "2025-11-25", "2025-06-18", "2025-03-26",
        "2024-11-05");
    assertThat(result.at("/capabilities/tools").isObject()).isTrue();
    assertThat(result.path("capabilities").has("logging")).as("deprecated in 2026-07-28").isFalse();
    assertThat(result.at("/_meta/io.modelcontextprotocol~1serverInfo/name").asText())
        .isEqualTo("torii-mcp-petstore");
    assertThat(result.path("ttlMs").asLong()).isPositive();
    assertThat(result.path("cacheScope").asText()).isEqualTo("public");
    assertThat(response.headers().firstValue("Mcp-Session-Id")).isEmpty();
  }

  @Test
  void listsAndCallsToolsStatelesslyWithTheUsersCredential() throws Exception {
    HttpResponse<String> list = post("petstore", request("tools/list", meta()),
        modern("tools/list", null));
    assertThat(list.statusCode()).as(list.body()).isEqualTo(200);
    JsonNode listed = body(list).path("result");
    assertThat(listed.path("tools").size()).isPositive();
    assertThat(listed.path("resultType").asText()).isEqualTo("complete");
    assertThat(listed.path("ttlMs").asLong()).isPositive();
    assertThat(listed.path("cacheScope").asText()).isEqualTo("public");

    HttpResponse<String> call = post("petstore", request("tools/call",
        "\"name\": \"getPetById\", \"arguments\": {\"petId\": 7}, " + meta()),
        modern("tools/call", "getPetById"));
    assertThat(call.statusCode()).as(call.body()).isEqualTo(200);
    JsonNode result = body(call).path("result");
    assertThat(result.path("resultType").asText()).isEqualTo("complete");
    assertThat(result.at("/structuredContent/name").asText()).isEqualTo("Rex");
    assertThat(authorizations).last().isEqualTo("Bearer upstream-erin-token");
    assertThat(call.headers().firstValue("Mcp-Session-Id")).isEmpty();
    awaitAudit(Pattern.compile("tool-call backend=petstore tool=getPetById user=erin client=\\S+"
        + " upstream_status=200 duration_ms=\\d+ protocol=2026-07-28"));
  }

  @Test
  void structuredContentMayBeAnyJsonValue() throws Exception {
    HttpResponse<String> call = post("petstore", request("tools/call",
        "\"name\": \"findPetsByStatus\", \"arguments\": {\"status\": \"sold\"}, " + meta()),
        modern("tools/call", "findPetsByStatus"));
    assertThat(body(call).at("/result/structuredContent").isArray()).as(call.body()).isTrue();
    assertThat(body(call).at("/result/structuredContent/1/name").asText()).isEqualTo("Ace");

    // The handshake era keeps to objects: 2025-11-25 defines structuredContent as one.
    HttpResponse<String> legacy = post("petstore", "{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\":"
        + " \"tools/call\", \"params\": {\"name\": \"findPetsByStatus\", \"arguments\":"
        + " {\"status\": \"sold\"}}}", Map.of("MCP-Protocol-Version", "2025-11-25"));
    assertThat(body(legacy).at("/result").has("structuredContent")).as(legacy.body()).isFalse();
    assertThat(body(legacy).at("/result").has("resultType")).isFalse();
  }

  @Test
  void mirroredHeadersMustMatchTheBody() throws Exception {
    String call = request("tools/call", "\"name\": \"getPetById\", \"arguments\": {\"petId\": 7}, "
        + meta());
    Map<String, Map<String, String>> cases = new LinkedHashMap<>();
    cases.put("Mcp-Method differs", modern("tools/list", "getPetById"));
    cases.put("Mcp-Method missing", modern(null, "getPetById"));
    cases.put("Mcp-Method case differs", modern("Tools/Call", "getPetById"));
    cases.put("Mcp-Name differs", modern("tools/call", "deletePet"));
    cases.put("Mcp-Name missing", modern("tools/call", null));
    cases.put("Mcp-Name bad base64", modern("tools/call", "=?base64?not*base64?="));
    Map<String, String> versionDiffers = modern("tools/call", "getPetById");
    cases.put("version header differs from _meta", versionDiffers);
    for (Map.Entry<String, Map<String, String>> row : cases.entrySet()) {
      String body = row.getKey().startsWith("version") ? call.replace(MODERN, "2026-07-29") : call;
      HttpResponse<String> response = post("petstore", body, row.getValue());
      assertThat(response.statusCode()).as(row.getKey() + ": " + response.body()).isEqualTo(400);
      assertThat(body(response).at("/error/code").asInt()).as(row.getKey()).isEqualTo(-32020);
    }

    // The Base64 sentinel carries the same name and passes.
    String encoded = "=?base64?" + Base64.getEncoder().encodeToString(
        "getPetById".getBytes(StandardCharsets.UTF_8)) + "?=";
    HttpResponse<String> sentinel = post("petstore", call, modern("tools/call", encoded));
    assertThat(sentinel.statusCode()).as(sentinel.body()).isEqualTo(200);
    assertThat(body(sentinel).at("/result/isError").asBoolean()).isFalse();
  }

  @Test
  void theHandshakeEraIgnoresTheHeadersItDoesNotDefine() throws Exception {
    // Mcp-Method and Mcp-Name mean nothing before 2026-07-28: an old client is served as ever.
    HttpResponse<String> response = post("petstore", "{\"jsonrpc\": \"2.0\", \"id\": 1,"
        + " \"method\": \"tools/call\", \"params\": {\"name\": \"getPetById\", \"arguments\":"
        + " {\"petId\": 7}}}", Map.of("MCP-Protocol-Version", "2025-11-25",
            "Mcp-Method", "tools/list", "Mcp-Name", "other"));
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(body(response).at("/result/isError").asBoolean()).isFalse();
  }

  @Test
  void metaMustNameVersionAndCapabilities() throws Exception {
    String noCapabilities = request("tools/list", "\"_meta\": {\"io.modelcontextprotocol/"
        + "protocolVersion\": \"" + MODERN + "\"}");
    for (String body : List.of(request("tools/list", ""), noCapabilities)) {
      HttpResponse<String> response = post("petstore", body, modern("tools/list", null));
      assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
      assertThat(body(response).at("/error/code").asInt()).isEqualTo(-32602);
    }
    // The handshake era has no _meta rule: the same list without it is answered.
    HttpResponse<String> legacy = post("petstore", request("tools/list", ""),
        Map.of("MCP-Protocol-Version", "2025-11-25"));
    assertThat(legacy.statusCode()).isEqualTo(200);
    assertThat(body(legacy).at("/result/tools").size()).isPositive();
  }

  @Test
  void anUnsupportedVersionNamesTheSupportedOnes() throws Exception {
    HttpResponse<String> response = post("petstore", request("tools/list",
        meta().replace(MODERN, "2099-01-01")), Map.of("MCP-Protocol-Version", "2099-01-01",
            "Mcp-Method", "tools/list"));
    assertThat(response.statusCode()).isEqualTo(400);
    JsonNode error = body(response).path("error");
    assertThat(error.path("code").asInt()).isEqualTo(-32022);
    assertThat(error.at("/data/requested").asText()).isEqualTo("2099-01-01");
    assertThat(error.at("/data/supported/0").asText()).isEqualTo(MODERN);
    assertThat(error.at("/data/supported").toString()).contains("2025-11-25");

    // A handshake-era session naming a version it never negotiated meets the same 400.
    HttpResponse<String> legacy = post("petstore", "{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\":"
        + " \"tools/list\"}", Map.of("MCP-Protocol-Version", "1999-01-01"));
    assertThat(legacy.statusCode()).isEqualTo(400);
  }

  @Test
  void unknownMethodsAre404InThisEraAnd200InTheOther() throws Exception {
    for (String method : List.of("initialize", "ping", "logging/setLevel", "resources/list",
        "no/such")) {
      HttpResponse<String> response = post("petstore", request(method, meta()), modern(method, null));
      assertThat(response.statusCode()).as(method + ": " + response.body()).isEqualTo(404);
      assertThat(body(response).at("/error/code").asInt()).isEqualTo(-32601);
    }
    HttpResponse<String> legacy = post("petstore", request("no/such", ""),
        Map.of("MCP-Protocol-Version", "2025-11-25"));
    assertThat(legacy.statusCode()).isEqualTo(200);
    assertThat(body(legacy).at("/error/code").asInt()).isEqualTo(-32601);
  }

  @Test
  void sessionsAndBatchesBelongToTheHandshakeEraOnly() throws Exception {
    // An initialize on the same URL opens a session (ME-6).
    HttpResponse<String> init = post("petstore", "{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\":"
        + " \"initialize\", \"params\": {\"protocolVersion\": \"2025-11-25\", \"capabilities\": {},"
        + " \"clientInfo\": {\"name\": \"it\", \"version\": \"1\"}}}", Map.of());
    String session = init.headers().firstValue("Mcp-Session-Id").orElseThrow();

    // A modern request carrying it, or a stale one, or Last-Event-ID: ignored (ME-7).
    Map<String, String> headers = modern("tools/list", null);
    headers.put("Mcp-Session-Id", session);
    headers.put("Last-Event-ID", "42");
    HttpResponse<String> list = post("petstore", request("tools/list", meta()), headers);
    assertThat(list.statusCode()).as(list.body()).isEqualTo(200);
    assertThat(list.headers().firstValue("Mcp-Session-Id")).isEmpty();
    headers.put("Mcp-Session-Id", "ended-long-ago");
    assertThat(post("petstore", request("tools/list", meta()), headers).statusCode()).isEqualTo(200);

    // No batches, and nothing to DELETE.
    HttpResponse<String> batch = post("petstore", "[" + request("tools/list", meta()) + "]",
        modern("tools/list", null));
    assertThat(batch.statusCode()).isEqualTo(400);
    HttpResponse<String> delete = http.send(HttpRequest.newBuilder(gateway.uri("/mcp/petstore"))
        .header("Authorization", "Bearer " + token).header("MCP-Protocol-Version", MODERN)
        .DELETE().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(delete.statusCode()).isEqualTo(405);
    // The session itself still works.
    HttpResponse<String> inSession = http.send(HttpRequest.newBuilder(gateway.uri("/mcp/petstore"))
        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
        .header("Mcp-Session-Id", session).header("MCP-Protocol-Version", "2025-11-25")
        .POST(HttpRequest.BodyPublishers.ofString(request("tools/list", ""))).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(inSession.statusCode()).isEqualTo(200);
  }

  @Test
  void closingTheResponseAbortsTheUpstreamCallInThisEra() throws Exception {
    String call = request("tools/call", "\"name\": \"getPetById\", \"arguments\": {\"petId\": 9}, "
        + meta());
    Map<String, String> headers = modern("tools/call", "getPetById");
    try (Socket client = send(call, headers); Socket upstreamSide = held.accept()) {
      readRequestHead(upstreamSide.getInputStream());
      long start = System.nanoTime();
      client.close(); // the client gives up: in 2026-07-28 that is the cancellation
      upstreamSide.setSoTimeout(10_000);
      int read;
      try {
        read = upstreamSide.getInputStream().read();
      } catch (java.net.SocketException reset) {
        read = -1; // aborted with a reset: closed all the same
      }
      long millis = (System.nanoTime() - start) / 1_000_000;
      assertThat(read).as("the gateway closes its upstream connection").isEqualTo(-1);
      assertThat(millis).as("well before the 30 s upstream timeout").isLessThan(10_000);
    }
    awaitAudit(Pattern.compile("tool-call backend=slow tool=getPetById user=erin client=\\S+"
        + " upstream_status=cancelled duration_ms=\\d+ protocol=2026-07-28"));
  }

  @Test
  void closingTheResponseDoesNotCancelInTheHandshakeEra() throws Exception {
    String call = "{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": \"tools/call\", \"params\":"
        + " {\"name\": \"getPetById\", \"arguments\": {\"petId\": 9}}}";
    try (Socket client = send(call, Map.of("MCP-Protocol-Version", "2025-11-25"));
        Socket upstreamSide = held.accept()) {
      readRequestHead(upstreamSide.getInputStream());
      client.close(); // 2025-11-25: a disconnect is not a cancellation
      upstreamSide.setSoTimeout(3_000);
      try {
        int read = upstreamSide.getInputStream().read();
        assertThat(read).as("the upstream connection stays open").isNotEqualTo(-1);
      } catch (java.net.SocketTimeoutException expected) {
        // Still open after 3 s: the call goes on.
      }
      OutputStream out = upstreamSide.getOutputStream();
      out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
          + "Content-Length: 9\r\n\r\n"
          + "{\"id\": 9}").getBytes(StandardCharsets.US_ASCII));
      out.flush();
    }
    awaitAudit(Pattern.compile("tool-call backend=slow tool=getPetById user=erin client=\\S+"
        + " upstream_status=200 duration_ms=\\d+ protocol=2025-11-25"));
  }

  /** Sends the POST on a raw connection and returns it, unread. */
  private Socket send(String body, Map<String, String> headers) throws Exception {
    Socket socket = new Socket(InetAddress.getLoopbackAddress(), gateway.uri("").getPort());
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    StringBuilder head = new StringBuilder("POST /mcp/slow HTTP/1.1\r\nHost: localhost:"
        + gateway.uri("").getPort() + "\r\nAuthorization: Bearer " + slowToken
        + "\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\n"
        + "Content-Length: " + bytes.length + "\r\n");
    headers.forEach((name, value) -> {
      if (value != null) {
        head.append(name).append(": ").append(value).append("\r\n");
      }
    });
    OutputStream out = socket.getOutputStream();
    out.write(head.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
    out.write(bytes);
    out.flush();
    return socket;
  }

  /** Reads an HTTP request's head (up to the blank line) and its body, if it has a length. */
  private static void readRequestHead(InputStream in) throws Exception {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int c = in.read();
      if (c < 0) {
        throw new AssertionError("upstream connection closed early: " + head);
      }
      head.append((char) c);
    }
    var length = Pattern.compile("(?i)content-length: (\\d+)").matcher(head);
    if (length.find()) {
      in.readNBytes(Integer.parseInt(length.group(1)));
    }
  }

  private static void awaitAudit(Pattern line) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (!line.matcher(gateway.output()).find() && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertThat(line.matcher(gateway.output()).find()).as("audit line " + line).isTrue();
  }

}
