package dev.toriimcp.mcp;

import dev.toriimcp.testing.GatewayCluster;
import dev.toriimcp.testing.OAuthFlows;
import dev.toriimcp.testing.SpecCorpus;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code storage.shared: true} and a second node cost or give a {@code tools/call}: the
 * same call, session and client as {@link McpBenchmark}'s gateway row ({@link JavaLoad},
 * {@link BenchUpstream.Jdk}), at concurrency 1, 8 and 64, on (i) one node on PostgreSQL, (ii)
 * one node with {@code shared: true}, (iii) two shared nodes behind nginx as {@code
 * examples/cluster/nginx.conf} says. Not a test: a benchmark that prints a table. The nodes keep
 * the C2 compiler, as a server in service does. Everything shares this machine's cores.
 *
 * <pre>mvn -q package -DskipTests exec:exec@cluster-bench</pre>
 */
public final class SeveralNodesBenchmark {

  private static final int[] CONCURRENCY = Arrays.stream(
      System.getProperty("bench.concurrency", "1,8,64").split(",")).mapToInt(Integer::parseInt)
      .toArray();
  private static final Duration WARMUP = Duration.ofSeconds(Integer.getInteger("bench.warmup", 5));
  private static final Duration GATEWAY_WARMUP =
      Duration.ofSeconds(Integer.getInteger("bench.gateway-warmup", 40));
  private static final Duration MEASURE =
      Duration.ofSeconds(Integer.getInteger("bench.seconds", 10));
  private static final String CALL = "{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": \"tools/call\","
      + " \"params\": {\"name\": \"getPetById\", \"arguments\": {\"petId\": 7}}}";

  private record Setup(String name, int nodes, boolean shared) {}

  private record Row(Setup setup, int concurrency, LoadGenerator.Measurement measurement) {}

  private SeveralNodesBenchmark() {}

  public static void main(String[] args) {
    int status = 1;
    try {
      measure();
      status = 0;
    } catch (Exception | AssertionError e) {
      e.printStackTrace();
    } finally {
      System.exit(status); // the HTTP clients' worker threads would keep the JVM alive
    }
  }

  private static void measure() throws Exception {
    List<Setup> setups = List.of(new Setup("1 node, PostgreSQL", 1, false),
        new Setup("1 node, shared: true", 1, true),
        new Setup("2 nodes, shared: true, nginx", 2, true));
    JavaLoad load = new JavaLoad();
    List<Row> rows = new ArrayList<>();
    try (BenchUpstream upstream = BenchUpstream.start("jdk")) {
      for (Setup setup : setups) {
        rows.addAll(measure(setup, upstream, load));
      }
    }
    System.out.printf("%ntools/call, %d s per row after %d s warm-up (%s, %d cores)%n",
        MEASURE.toSeconds(), GATEWAY_WARMUP.toSeconds(), load.name(),
        Runtime.getRuntime().availableProcessors());
    System.out.printf("| setup | concurrency | req/s | p50 ms | p99 ms |%n");
    System.out.printf("| --- | ---: | ---: | ---: | ---: |%n");
    for (Row row : rows) {
      System.out.printf("| %s | %d | %,.0f | %.2f | %.2f |%n", row.setup().name(),
          row.concurrency(), row.measurement().throughput(), row.measurement().p50Millis(),
          row.measurement().p99Millis());
    }
  }

  private static List<Row> rows(Setup setup, BenchRequest call, JavaLoad load) throws Exception {
    List<Row> rows = new ArrayList<>();
    for (int concurrency : CONCURRENCY) {
      load.measure(call, concurrency, WARMUP);
      LoadGenerator.Measurement m = load.measure(call, concurrency, MEASURE);
      System.out.printf("%s, concurrency %d: %,.0f req/s, p50 %.2f ms, p99 %.2f ms%n",
          setup.name(), concurrency, m.throughput(), m.p50Millis(), m.p99Millis());
      rows.add(new Row(setup, concurrency, m));
    }
    return rows;
  }

  private static List<Row> measure(Setup setup, BenchUpstream upstream, JavaLoad load)
      throws Exception {
    String spec = SpecCorpus.named("petstore-v3.yaml").root().toAbsolutePath().normalize()
        .toString();
    String base = upstream.base();
    // One user drives all the load: the per-user limits would refuse most of it.
    String config = String.join("\n", "backends:", "  - name: petstore", "    spec_url: " + spec,
        "    base_url: " + base + "/api/v3",
        "    auth: {type: login-broker, login_url: \"" + base + "/login\"}",
        "limits: {user_calls_per_minute: 100000000, user_calls_in_flight: 1024}",
        "sealing: {keys: [{id: k, secret: AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=}]}");
    List<Row> rows = new ArrayList<>();
    try (GatewayCluster cluster = GatewayCluster.start("cluster-bench-" + setup.nodes()
        + (setup.shared() ? "-shared" : ""), config, setup.nodes(), setup.shared())) {
      Runtime.getRuntime().addShutdownHook(new Thread(() -> closeQuietly(cluster)));
      URI gateway = cluster.publicUrl();
      String token = OAuthFlows.tokens(gateway, gateway, "petstore", "bench", "pw").accessToken();
      URI endpoint = URI.create(gateway + "/mcp/petstore");
      Map<String, String> headers = new LinkedHashMap<>();
      headers.put("Authorization", "Bearer " + token);
      headers.put("Content-Type", "application/json");
      headers.put("Accept", "application/json, text/event-stream");
      headers.put("Mcp-Session-Id", initialize(endpoint, token));
      headers.put("MCP-Protocol-Version", "2025-11-25");
      BenchRequest call = BenchRequest.post(endpoint, headers, CALL);
      System.out.printf("%s: warming up for %d s%n", setup.name(), GATEWAY_WARMUP.toSeconds());
      load.measure(call, 8, GATEWAY_WARMUP.dividedBy(2));
      load.measure(call, 64, GATEWAY_WARMUP.dividedBy(2));
      rows.addAll(rows(setup, call, load));
      answered(call);
      if (setup.nodes() == 2) {
        // The same session sent to node A alone, past nginx: what the balancer's hop costs.
        BenchRequest direct = BenchRequest.post(
            URI.create(cluster.node(0).uri("") + "/mcp/petstore"), headers, CALL);
        rows.addAll(rows(new Setup("2 nodes, shared: true, all to node A without nginx", 2, true),
            direct, load));
        answered(direct);
      }
    }
    return rows;
  }

  /** A row counts only if the call reached the upstream, not a tool error answered with 200. */
  private static void answered(BenchRequest call) throws Exception {
    HttpResponse<String> response = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .build().send(call.toHttpRequest(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200 || !response.body().contains("Rex")
        || response.body().contains("\"isError\":true")) {
      throw new IllegalStateException("tools/call did not reach the upstream: " + response.body());
    }
  }

  private static String initialize(URI endpoint, String token) throws Exception {
    HttpResponse<String> response = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .build().send(HttpRequest.newBuilder(endpoint)
            .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
            .header("Accept", "application/json, text/event-stream")
            .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\": \"2.0\", \"id\": 0,"
                + " \"method\": \"initialize\", \"params\": {\"protocolVersion\": \"2025-11-25\","
                + " \"capabilities\": {}, \"clientInfo\": {\"name\": \"bench\","
                + " \"version\": \"1\"}}}")).build(), HttpResponse.BodyHandlers.ofString());
    return response.headers().firstValue("Mcp-Session-Id").orElseThrow(() ->
        new IllegalStateException("initialize gave no session: " + response.body()));
  }

  private static void closeQuietly(GatewayCluster cluster) {
    try {
      cluster.close();
    } catch (Exception e) {
      // already closed
    }
  }
}
