package dev.toriimcp.platform;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.toriimcp.testing.Exchanges;
import dev.toriimcp.testing.GatewayCluster;
import dev.toriimcp.testing.GatewayProcess;
import dev.toriimcp.testing.NetworkntSchemaValidator;
import dev.toriimcp.testing.OAuthFlows;
import dev.toriimcp.testing.SpecCorpus;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Two gateway nodes on one PostgreSQL with {@code storage.shared: true} (ADR 0034), nginx in
 * front as {@code examples/cluster/nginx.conf} says, and a real upstream: what one node does,
 * the other sees at the next call (a sign-in, a revocation, an ended session, the per-minute
 * budget, a cancellation), and a node killed with SIGKILL under load costs only the calls it was
 * running. The killing test runs last, since the other tests need both nodes.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SeveralNodesIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int PER_MINUTE = 100;
  private static final List<String> received = new CopyOnWriteArrayList<>();
  private static final AtomicReference<CountDownLatch> held =
      new AtomicReference<>(new CountDownLatch(1));
  private static final AtomicReference<CompletableFuture<Long>> heldAborted =
      new AtomicReference<>(new CompletableFuture<>());
  private static HttpServer upstream;
  private static GatewayCluster cluster;
  private static GatewayProcess a;
  private static GatewayProcess b;
  // HTTP/1.1, as MCP clients speak it (see CallLimitsIT).
  private static final HttpClient http = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();

  @BeforeAll
  static void start() throws Exception {
    upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    upstream.createContext("/login", exchange -> {
      JsonNode login = JSON.readTree(exchange.getRequestBody().readAllBytes());
      Exchanges.json(exchange, 200, ("{\"access_token\": \"upstream-"
          + login.path("username").asText() + "-token\"}").getBytes(StandardCharsets.UTF_8));
    });
    upstream.createContext("/api/v3", exchange -> {
      String path = exchange.getRequestURI().getPath();
      received.add(exchange.getRequestMethod() + " " + path + "\nAuthorization: "
          + exchange.getRequestHeaders().getFirst("Authorization"));
      if (path.endsWith("/998")) {
        hold(exchange);
        return;
      }
      Exchanges.json(exchange, 200, "{\"id\": 7, \"name\": \"Rex\", \"photoUrls\": []}"
          .getBytes(StandardCharsets.UTF_8));
    });
    upstream.setExecutor(Executors.newCachedThreadPool());
    upstream.start();
    String base = "http://127.0.0.1:" + upstream.getAddress().getPort();
    String spec = SpecCorpus.named("petstore-v3.yaml").root().toAbsolutePath().normalize()
        .toString();
    cluster = GatewayCluster.start("several-nodes", String.join("\n",
        "backends:",
        "  - name: petstore",
        "    spec_url: " + spec,
        "    base_url: " + base + "/api/v3",
        "    auth: {type: login-broker, login_url: \"" + base + "/login\"}",
        "limits: {user_calls_per_minute: " + PER_MINUTE + "}",
        "sealing: {keys: [{id: k, secret: AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=}]}"),
        2, true);
    a = cluster.node(0);
    b = cluster.node(1);
  }

  @AfterAll
  static void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
    if (upstream != null) {
      upstream.stop(0);
    }
  }

  /**
   * Pet 998: the upstream answers at once with the start of a pet, then a space every 50 ms
   * for 20 s; a write that fails means the gateway closed the connection, and says when.
   */
  private static void hold(HttpExchange exchange) throws IOException {
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(200, 0);
    OutputStream body = exchange.getResponseBody();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    try {
      body.write("{\"id\": 998, \"name\": \"Rex\", \"photoUrls\": []".getBytes(StandardCharsets.UTF_8));
      body.flush();
      held.get().countDown();
      while (System.nanoTime() < end) {
        Thread.sleep(50);
        body.write(' ');
        body.flush();
      }
      body.write('}');
      exchange.close();
    } catch (IOException closedByTheGateway) {
      heldAborted.get().complete(System.nanoTime());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static OAuthFlows.Issued signIn(URI via, String user) throws Exception {
    return OAuthFlows.tokens(via, cluster.publicUrl(), "petstore", user, "secret");
  }

  private static HttpResponse<String> post(URI node, String token, String session, String json)
      throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(node + "/mcp/petstore"))
        .timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
        .header("Accept", "application/json, text/event-stream")
        .header("MCP-Protocol-Version", "2025-11-25")
        .POST(HttpRequest.BodyPublishers.ofString(json));
    if (session != null) {
      request.header("Mcp-Session-Id", session);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String initialize(URI node, String token) throws Exception {
    HttpResponse<String> response = post(node, token, null, "{\"jsonrpc\": \"2.0\", \"id\": 0,"
        + " \"method\": \"initialize\", \"params\": {\"protocolVersion\": \"2025-11-25\","
        + " \"capabilities\": {}, \"clientInfo\": {\"name\": \"it\", \"version\": \"1\"}}}");
    return response.headers().firstValue("Mcp-Session-Id")
        .orElseThrow(() -> new AssertionError("no session: HTTP " + response.statusCode()
            + " " + response.body()));
  }

  private static String getPet(Object rpcId, int petId) {
    return "{\"jsonrpc\": \"2.0\", \"id\": " + JSON.valueToTree(rpcId) + ", \"method\":"
        + " \"tools/call\", \"params\": {\"name\": \"getPetById\", \"arguments\": {\"petId\": "
        + petId + "}}}";
  }

  private static HttpResponse<String> call(URI node, String token) throws Exception {
    return post(node, token, null, getPet(1, 7));
  }

  @Test
  void aUserSignedInOnOneNodeCallsThroughTheOther() throws Exception {
    OAuthFlows.Issued ann = signIn(a.uri(""), "ann");
    received.clear();

    HttpResponse<String> response = call(b.uri(""), ann.accessToken());

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonNode result = JSON.readTree(response.body()).path("result");
    assertThat(result.path("isError").asBoolean()).as(response.body()).isFalse();
    assertThat(result.at("/structuredContent/name").asText()).isEqualTo("Rex");
    assertThat(received).singleElement().asString()
        .startsWith("GET /api/v3/pet/7\n").endsWith("Authorization: Bearer upstream-ann-token");
  }

  @Test
  void aTokenRevokedOnOneNodeIsRefusedOnTheOtherAtTheNextCall() throws Exception {
    OAuthFlows.Issued rita = signIn(a.uri(""), "rita");
    assertThat(call(a.uri(""), rita.accessToken()).statusCode()).as("before").isEqualTo(200);

    HttpResponse<String> revoked = OAuthFlows.revoke(b.uri(""), rita);
    HttpResponse<String> next = call(a.uri(""), rita.accessToken());

    assertThat(revoked.statusCode()).as(revoked.body()).isEqualTo(200);
    assertThat(next.statusCode()).as(next.body()).isEqualTo(401);
    assertThat(next.headers().firstValue("WWW-Authenticate").orElseThrow())
        .contains("resource_metadata=");
    assertThat(call(b.uri(""), rita.accessToken()).statusCode()).isEqualTo(401);
  }

  @Test
  void aSessionEndedOnOneNodeIsNotFoundOnTheOther() throws Exception {
    OAuthFlows.Issued sam = signIn(a.uri(""), "sam");
    String session = initialize(a.uri(""), sam.accessToken());
    assertThat(post(a.uri(""), sam.accessToken(), session, getPet(2, 7)).statusCode())
        .as("in the session on A").isEqualTo(200);
    assertThat(post(b.uri(""), sam.accessToken(), session, getPet(3, 7)).statusCode())
        .as("in the session on B").isEqualTo(200);

    HttpResponse<String> ended = http.send(HttpRequest.newBuilder(b.uri("/mcp/petstore"))
        .header("Authorization", "Bearer " + sam.accessToken()).header("Mcp-Session-Id", session)
        .header("MCP-Protocol-Version", "2025-11-25").DELETE().build(),
        HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> next = post(a.uri(""), sam.accessToken(), session, getPet(4, 7));

    assertThat(ended.statusCode()).as(ended.body()).isBetween(200, 204);
    // MCP basic/transports: a request in a terminated session is 404, as on one node.
    assertThat(next.statusCode()).as(next.body()).isEqualTo(404);
    assertThat(JSON.readTree(next.body()).at("/error/message").asText())
        .isEqualTo("Session not found");
  }

  @Test
  void theCallsPerMinuteAreCountedAcrossBothNodes() throws Exception {
    String lee = signIn(a.uri(""), "lee").accessToken();
    List<URI> nodes = List.of(a.uri(""), b.uri(""));
    long start = System.nanoTime();
    int admitted = 0;
    JsonNode refused = null;
    int i = 0;
    for (; i < 2 * PER_MINUTE && refused == null; i++) {
      JsonNode result = JSON.readTree(call(nodes.get(i % 2), lee).body()).path("result");
      if (result.path("isError").asBoolean()) {
        refused = result;
      } else {
        admitted++;
      }
    }
    double minutes = (System.nanoTime() - start) / 60e9;
    JsonNode onTheOther = JSON.readTree(call(nodes.get(i % 2), lee).body()).path("result");

    String limit = "Backend 'petstore': more than " + PER_MINUTE
        + " calls per minute from this user; try again in ";
    assertThat(refused).as("refused within %d calls", 2 * PER_MINUTE).isNotNull();
    assertThat(refused.at("/content/0/text").asText()).startsWith(limit);
    // The limit once, plus what the bucket refilled meanwhile: per-node buckets would give twice.
    assertThat(admitted).isBetween(PER_MINUTE, PER_MINUTE + (int) Math.ceil(minutes * PER_MINUTE));
    assertThat(onTheOther.path("isError").asBoolean()).as("%s", onTheOther).isTrue();
    assertThat(onTheOther.at("/content/0/text").asText()).startsWith(limit);
  }

  @Test
  void aCancellationSentToOneNodeStopsTheCallOnTheOther() throws Exception {
    String cid = signIn(a.uri(""), "cid").accessToken();
    String session = initialize(a.uri(""), cid);
    CountDownLatch arrived = new CountDownLatch(1);
    held.set(arrived);
    CompletableFuture<Long> aborted = new CompletableFuture<>();
    heldAborted.set(aborted);
    CompletableFuture<HttpResponse<String>> pending = CompletableFuture.supplyAsync(() -> {
      try {
        return post(b.uri(""), cid, session, getPet("slow-1", 998));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    assertThat(arrived.await(10, TimeUnit.SECONDS)).as("the upstream got the call").isTrue();

    long cancelledAt = System.nanoTime();
    HttpResponse<String> cancel = post(a.uri(""), cid, session, "{\"jsonrpc\": \"2.0\", \"method\":"
        + " \"notifications/cancelled\", \"params\": {\"requestId\": \"slow-1\","
        + " \"reason\": \"the user gave up\"}}");
    HttpResponse<String> answer = pending.get(10, TimeUnit.SECONDS);
    long answeredAfter = System.nanoTime() - cancelledAt;

    assertThat(cancel.statusCode()).isEqualTo(202);
    JsonNode reply = JSON.readTree(answer.body());
    assertThat(reply.path("id").asText()).as(answer.body()).isEqualTo("slow-1");
    assertThat(reply.at("/error/code").asInt()).as(answer.body()).isEqualTo(-32800);
    assertThat(reply.at("/error/message").asText()).isEqualTo("Request cancelled");
    assertThat(Duration.ofNanos(answeredAfter)).isLessThan(Duration.ofSeconds(3));
    // The upstream's connection was closed, not left to run its 20 s.
    long abortedAt = aborted.get(3, TimeUnit.SECONDS);
    assertThat(Duration.ofNanos(abortedAt - cancelledAt)).isLessThan(Duration.ofSeconds(3));
    awaitLine(b, Pattern.compile("tool-call backend=petstore tool=getPetById user=cid \\S+"
        + " upstream_status=cancelled"));
  }

  private static void awaitLine(GatewayProcess node, Pattern line) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!line.matcher(node.output()).find()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no line /" + line + "/ in the node's log");
      }
      Thread.sleep(100);
    }
  }

  @Test
  void theOfficialJavaSdkClientWorksThroughTheBalancer() throws Exception {
    // Round robin: the session opened on one node goes on on the other.
    String token = signIn(cluster.publicUrl(), "sdk").accessToken();
    HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport
        .builder(cluster.publicUrl().toString()).endpoint("/mcp/petstore")
        .customizeRequest(request -> request.header("Authorization", "Bearer " + token))
        .build();
    McpSyncClient client = McpClient.sync(transport).requestTimeout(Duration.ofSeconds(20))
        .jsonSchemaValidator(new NetworkntSchemaValidator()).build();
    try {
      client.initialize();
      List<String> names = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        names.clear();
        client.listTools().tools().forEach(tool -> names.add(tool.name()));
        assertThat(names).contains("getPetById", "addPet");
      }
      received.clear();
      McpSchema.CallToolResult result = client.callTool(
          new McpSchema.CallToolRequest("getPetById", java.util.Map.of("petId", 7)));
      assertThat(result.isError()).isFalse();
      assertThat(received).singleElement().asString()
          .endsWith("Authorization: Bearer upstream-sdk-token");
    } finally {
      client.closeGracefully();
    }
  }

  /** One call of the load: when it started and ended (nanoTime), and what went wrong, if. */
  private record Outcome(long started, long ended, String failure) {}

  @Test
  @Order(Integer.MAX_VALUE) // ends node A
  void aNodeKilledUnderLoadCostsOnlyTheCallsItWasRunning() throws Exception {
    int threads = 6;
    URI balancer = cluster.publicUrl();
    // Signed in through nginx, whose sign-in routing keeps each browser on one node.
    List<OAuthFlows.Issued> users = new ArrayList<>();
    List<String> sessions = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      users.add(signIn(balancer, "load" + t));
      sessions.add(initialize(balancer, users.get(t).accessToken()));
    }
    List<Outcome> outcomes = new CopyOnWriteArrayList<>();
    AtomicBoolean running = new AtomicBoolean(true);
    List<Thread> clients = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      OAuthFlows.Issued user = users.get(t);
      String session = sessions.get(t);
      Thread client = new Thread(() -> {
        for (int n = 0; running.get(); n++) {
          long started = System.nanoTime();
          String failure;
          try {
            HttpResponse<String> response = post(balancer, user.accessToken(), session,
                getPet(n, 7));
            JsonNode reply = response.statusCode() == 200 ? JSON.readTree(response.body()) : null;
            failure = reply != null && reply.at("/result/structuredContent/name").asText()
                .equals("Rex") ? null : "HTTP " + response.statusCode() + " " + response.body();
          } catch (Exception e) {
            failure = e.toString();
          }
          outcomes.add(new Outcome(started, System.nanoTime(), failure));
          pause(100); // about 10 calls a second each, well within the per-minute budget
        }
      });
      client.start();
      clients.add(client);
    }
    Thread.sleep(2_000);
    long killedAt = System.nanoTime();
    a.kill();
    Thread.sleep(5_000);
    running.set(false);
    for (Thread client : clients) {
      client.join(30_000);
    }

    List<Outcome> failed = outcomes.stream().filter(o -> o.failure() != null).toList();
    long settled = killedAt + TimeUnit.SECONDS.toNanos(1);
    List<Outcome> later = outcomes.stream().filter(o -> o.started() >= settled).toList();
    System.out.printf("SeveralNodesIT kill -9: %d calls, %d failed %s, %d started >= 1 s after%n",
        outcomes.size(), failed.size(), failed.stream().map(Outcome::failure).toList(), later.size());
    assertThat(outcomes.stream().filter(o -> o.ended() < killedAt))
        .as("calls before the kill").hasSizeGreaterThan(threads * 5)
        .allSatisfy(o -> assertThat(o.failure()).isNull());
    assertThat(failed).as("only calls in flight on A at the kill may fail; nginx: %s",
        cluster.balancerLog()).hasSizeLessThanOrEqualTo(threads)
        .allSatisfy(o -> assertThat(o.started()).isLessThan(settled));
    assertThat(later).as("calls started a second after the kill").hasSizeGreaterThan(threads * 10)
        .allSatisfy(o -> assertThat(o.failure()).isNull());

    // The grant and the sealed credential survived, and the refresh grant works on B.
    OAuthFlows.Issued first = users.get(0);
    assertThat(call(balancer, first.accessToken()).statusCode()).isEqualTo(200);
    assertThat(call(b.uri(""), first.accessToken()).statusCode()).isEqualTo(200);
    try (Connection db = cluster.postgres().connect()) {
      assertThat(count(db, "SELECT COUNT(*) FROM oauth_refresh_token WHERE subject = ?"
          + " AND backend = 'petstore' AND NOT revoked", "load0")).isEqualTo(1);
      try (PreparedStatement sealed = db.prepareStatement("SELECT sealed FROM upstream_credential"
          + " WHERE subject = ? AND backend = 'petstore'")) {
        sealed.setString(1, "load0");
        try (ResultSet row = sealed.executeQuery()) {
          assertThat(row.next()).as("load0's sealed credential").isTrue();
          assertThat(row.getString(1)).isNotBlank().doesNotContain("upstream-load0-token");
        }
      }
    }
    HttpResponse<String> refreshed = OAuthFlows.refresh(b.uri(""), first);
    assertThat(refreshed.statusCode()).as(refreshed.body()).isEqualTo(200);
    String renewed = JSON.readTree(refreshed.body()).path("access_token").asText();
    received.clear();
    assertThat(call(b.uri(""), renewed).statusCode()).isEqualTo(200);
    assertThat(received).singleElement().asString()
        .endsWith("Authorization: Bearer upstream-load0-token");
  }

  private static long count(Connection db, String sql, String subject) throws Exception {
    try (PreparedStatement statement = db.prepareStatement(sql)) {
      statement.setString(1, subject);
      try (ResultSet rows = statement.executeQuery()) {
        rows.next();
        return rows.getLong(1);
      }
    }
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
