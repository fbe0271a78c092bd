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
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The per-user limits (ADRs 0011, 0013), end to end: an upstream that holds its answers until
 * the test lets them go, so the calls stay in flight for as long as the test needs (the
 * gateway's upstream timeout here is the default 30 s); and the per-minute bucket, of 20 here,
 * that {@code tools/list} and every message of a batch draw on as well as tool calls.
 */
class CallLimitsIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final CountDownLatch release = new CountDownLatch(1);
  private static final AtomicInteger held = new AtomicInteger();
  private static HttpServer upstream;
  private static GatewayProcess gateway;
  // HTTP/1.1, as MCP clients speak it: each call on a connection of its own. The default tries
  // an h2c upgrade, and then the JDK client may hold a request back behind the held calls.
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void start() throws Exception {
    upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    upstream.createContext("/login", exchange -> {
      JsonNode login = JSON.readTree(exchange.getRequestBody().readAllBytes());
      byte[] answer = ("{\"access_token\": \"upstream-" + login.path("username").asText() + "\"}")
          .getBytes(StandardCharsets.UTF_8);
      Exchanges.json(exchange, 200, answer);
    });
    upstream.createContext("/api/v3/pet/", exchange -> {
      exchange.getRequestBody().readAllBytes();
      if (exchange.getRequestURI().getPath().endsWith("/996")) {
        held.incrementAndGet();
        try {
          release.await(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      byte[] answer = "{\"id\": 7, \"name\": \"Rex\", \"photoUrls\": []}".getBytes(StandardCharsets.UTF_8);
      Exchanges.json(exchange, 200, answer);
    });
    upstream.setExecutor(Executors.newFixedThreadPool(8));
    upstream.start();
    String base = "http://127.0.0.1:" + upstream.getAddress().getPort();
    Path config = PetstoreConfig.write("call-limits", "{user_calls_in_flight: 2, user_calls_per_minute: 20}",
        new PetstoreConfig.Backend("petstore", base + "/api/v3", base + "/login"));
    gateway = GatewayProcess.start("call-limits", config, Map.of());
    gateway.awaitReady(Duration.ofSeconds(120));
  }

  @AfterAll
  static void stop() {
    release.countDown();
    gateway.close();
    upstream.stop(0);
  }

  private CompletableFuture<HttpResponse<String>> call(String token, int petId) {
    return http.sendAsync(HttpRequest.newBuilder(gateway.uri("/mcp/petstore"))
        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\":"
            + " \"tools/call\", \"params\": {\"name\": \"getPetById\", \"arguments\": {\"petId\": "
            + petId + "}}}")).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** A POST with neither session nor version header: 2025-03-26, where batches are allowed. */
  private HttpResponse<String> post(String token, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(gateway.uri("/mcp/petstore"))
        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String pings(int count) {
    StringBuilder batch = new StringBuilder("[");
    for (int i = 0; i < count; i++) {
      batch.append(i == 0 ? "" : ",").append("{\"jsonrpc\": \"2.0\", \"id\": ").append(i)
          .append(", \"method\": \"ping\"}");
    }
    return batch.append("]").toString();
  }

  @Test
  void everyMessageOfABatchCountsAgainstTheUsersMinute() throws Exception {
    String frank = OAuthFlows.accessToken(gateway, "petstore", "frank", "pw");
    String grace = OAuthFlows.accessToken(gateway, "petstore", "grace", "pw");

    JsonNode first = JSON.readTree(post(frank, pings(20)).body());
    JsonNode call = result(call(frank, 7));
    JsonNode second = JSON.readTree(post(frank, pings(2)).body());

    assertThat(first.size()).isEqualTo(20);
    first.forEach(reply -> assertThat(reply.path("result").isObject()).as("%s", reply).isTrue());
    assertThat(call.path("isError").asBoolean()).as("the batch spent the minute: %s", call).isTrue();
    assertThat(call.at("/content/0/text").asText())
        .startsWith("Backend 'petstore': more than 20 calls per minute from this user");
    assertThat(second.size()).isEqualTo(2);
    for (JsonNode reply : second) {
      assertThat(reply.at("/error/code").asInt()).as("%s", reply).isEqualTo(-32000);
      assertThat(reply.at("/error/message").asText())
          .startsWith("Backend 'petstore': more than 20 calls per minute from this user");
    }
    assertThat(second.get(1).path("id").asInt()).isEqualTo(1);
    assertThat(result(call(grace, 7)).path("isError").asBoolean()).as("another user").isFalse();
  }

  @Test
  void toolsListCountsAgainstTheUsersMinuteToo() throws Exception {
    String heidi = OAuthFlows.accessToken(gateway, "petstore", "heidi", "pw");
    String list = "{\"jsonrpc\": \"2.0\", \"id\": 5, \"method\": \"tools/list\"}";
    long start = System.nanoTime();
    int listed = 0;
    JsonNode refused = null;
    for (int i = 0; i < 40 && refused == null; i++) {
      JsonNode answer = JSON.readTree(post(heidi, list).body());
      if (answer.has("error")) {
        refused = answer;
      } else {
        assertThat(answer.at("/result/tools").size()).isPositive();
        listed++;
      }
    }
    double minutes = (System.nanoTime() - start) / 60e9;

    assertThat(refused).as("refused within 40 lists").isNotNull();
    assertThat(refused.path("id").asInt()).isEqualTo(5);
    assertThat(refused.at("/error/code").asInt()).isEqualTo(-32000);
    assertThat(refused.at("/error/message").asText())
        .startsWith("Backend 'petstore': more than 20 calls per minute from this user; try again in ");
    assertThat(listed).isBetween(20, 20 + (int) Math.ceil(minutes * 20));
    assertThat(result(call(heidi, 7)).path("isError").asBoolean()).as("calls share the bucket")
        .isTrue();
  }

  private static JsonNode result(CompletableFuture<HttpResponse<String>> call) throws Exception {
    return JSON.readTree(call.get(30, TimeUnit.SECONDS).body()).path("result");
  }

  @Test
  void aUserRunsNoMoreThanTheirShareOfCallsAtOnce() throws Exception {
    String dave = OAuthFlows.accessToken(gateway, "petstore", "dave", "pw");
    String erin = OAuthFlows.accessToken(gateway, "petstore", "erin", "pw");
    List<CompletableFuture<HttpResponse<String>>> holding = new ArrayList<>();
    holding.add(call(dave, 996));
    holding.add(call(dave, 996));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (held.get() < 2 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(held.get()).as("both calls reached the upstream").isEqualTo(2);

    JsonNode third = result(call(dave, 7));
    JsonNode otherUser = result(call(erin, 7));
    release.countDown();

    assertThat(third.path("isError").asBoolean()).isTrue();
    assertThat(third.at("/content/0/text").asText()).isEqualTo("Backend 'petstore': too many calls at"
        + " once from this user (at most 2); try again when one has finished.");
    assertThat(otherUser.path("isError").asBoolean()).as("another user: %s", otherUser).isFalse();
    for (CompletableFuture<HttpResponse<String>> call : holding) {
      assertThat(result(call).path("isError").asBoolean()).as("a held call").isFalse();
    }
    assertThat(result(call(dave, 7)).path("isError").asBoolean()).as("admitted again").isFalse();
  }
}
