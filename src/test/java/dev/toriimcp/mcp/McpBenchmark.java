package dev.toriimcp.mcp;

import com.sun.net.httpserver.HttpServer;
import dev.toriimcp.testing.GatewayProcess;
import dev.toriimcp.testing.OAuthFlows;
import dev.toriimcp.testing.SpecCorpus;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/**
 * {@code tools/call} through the gateway versus the same upstream request sent directly, at
 * concurrency 1, 8 and 64, in one run. Not a test: a benchmark that prints its figures.
 *
 * <pre>mvn -q package -DskipTests exec:exec@mcp-bench</pre>
 *
 * <p>The upstream is a local JDK HTTP server answering a small JSON pet (petstore-v3's
 * getPetById) after a login-broker login; the gateway runs on Payara Micro as the run command
 * starts it. Each measurement runs a warm-up, then a fixed duration; every loop is bounded.
 */
public final class McpBenchmark {

  private static final int[] CONCURRENCY = {1, 8, 64};
  private static final Duration WARMUP = Duration.ofSeconds(Integer.getInteger("bench.warmup", 5));
  private static final Duration MEASURE = Duration.ofSeconds(Integer.getInteger("bench.seconds", 10));
  private static final byte[] PET = "{\"id\": 7, \"name\": \"Rex\", \"photoUrls\": [], \"status\": \"available\"}"
      .getBytes(StandardCharsets.UTF_8);

  private McpBenchmark() {}

  record Result(String mode, int concurrency, long requests, double seconds, long[] latenciesNanos) {
    double throughput() {
      return requests / seconds;
    }

    double percentileMillis(double p) {
      if (latenciesNanos.length == 0) {
        return Double.NaN;
      }
      int index = (int) Math.min(latenciesNanos.length - 1, Math.ceil(p * latenciesNanos.length) - 1);
      return latenciesNanos[Math.max(0, index)] / 1e6;
    }
  }

  public static void main(String[] args) throws Exception {
    // The JDK server otherwise waits for delayed ACKs (Nagle): ~40 ms per response on loopback.
    System.setProperty("sun.net.httpserver.nodelay", "true");
    HttpServer upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
    upstream.setExecutor(Executors.newFixedThreadPool(16));
    upstream.createContext("/login", exchange -> {
      exchange.getRequestBody().readAllBytes();
      byte[] answer = "{\"access_token\": \"bench-upstream-token\"}".getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, answer.length);
      exchange.getResponseBody().write(answer);
      exchange.close();
    });
    upstream.createContext("/api/v3/pet/", exchange -> {
      exchange.getRequestBody().readAllBytes();
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, PET.length);
      exchange.getResponseBody().write(PET);
      exchange.close();
    });
    upstream.start();
    String base = "http://127.0.0.1:" + upstream.getAddress().getPort();
    Path config = Files.createDirectories(Path.of("target/it-config")).resolve("bench.yaml");
    Files.writeString(config, String.join("\n",
        "public_url: ${TORII_PUBLIC_URL}",
        "backends:",
        "  - name: petstore",
        "    spec_url: " + SpecCorpus.named("petstore-v3.yaml").root().toAbsolutePath().normalize(),
        "    base_url: " + base + "/api/v3",
        "    auth: {type: login-broker, login_url: \"" + base + "/login\"}",
        "storage: {derby_directory: target/it-data/bench-" + System.nanoTime() + "}",
        "sealing: {keys: [{id: k, secret: AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=}]}", ""));
    List<Result> results = new ArrayList<>();
    List<Result> pings;
    try (GatewayProcess gateway = GatewayProcess.start("bench", config, Map.of())) {
      gateway.awaitReady(Duration.ofSeconds(180));
      String token = OAuthFlows.accessToken(gateway, "petstore", "bench", "pw");
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
          .executor(Executors.newFixedThreadPool(8)).build();
      URI direct = URI.create(base + "/api/v3/pet/7");
      Supplier<HttpRequest> directRequest = () -> HttpRequest.newBuilder(direct)
          .header("Authorization", "Bearer bench-upstream-token").header("Accept", "application/json")
          .GET().build();
      byte[] call = ("{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": \"tools/call\", \"params\":"
          + " {\"name\": \"getPetById\", \"arguments\": {\"petId\": 7}}}").getBytes(StandardCharsets.UTF_8);
      Supplier<HttpRequest> gatewayRequest = () -> HttpRequest.newBuilder(gateway.uri("/mcp/petstore"))
          .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
          .header("Accept", "application/json, text/event-stream")
          .POST(HttpRequest.BodyPublishers.ofByteArray(call)).build();
      byte[] ping = "{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": \"ping\"}".getBytes(StandardCharsets.UTF_8);
      Supplier<HttpRequest> pingRequest = () -> HttpRequest.newBuilder(gateway.uri("/mcp/petstore"))
          .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofByteArray(ping)).build();
      for (int concurrency : CONCURRENCY) {
        results.add(run("direct", concurrency, client, directRequest));
        results.add(run("gateway", concurrency, client, gatewayRequest));
      }
      // For reading the figures: the gateway's own cost without an upstream call.
      pings = new ArrayList<>();
      for (int concurrency : CONCURRENCY) {
        pings.add(run("ping", concurrency, client, pingRequest));
      }
      gateway.stop(Duration.ofSeconds(60));
    } finally {
      upstream.stop(0);
    }
    System.out.printf("%n%-8s %5s %10s %12s %9s %9s%n", "mode", "conc", "requests", "req/s", "p50 ms", "p99 ms");
    for (Result r : results) {
      System.out.printf("%-8s %5d %10d %12.0f %9.2f %9.2f%n", r.mode(), r.concurrency(), r.requests(),
          r.throughput(), r.percentileMillis(0.50), r.percentileMillis(0.99));
    }
    for (Result r : pings) {
      System.out.printf("%-8s %5d %10d %12.0f %9.2f %9.2f%n", r.mode(), r.concurrency(), r.requests(),
          r.throughput(), r.percentileMillis(0.50), r.percentileMillis(0.99));
    }
    for (int i = 0; i < results.size(); i += 2) {
      Result d = results.get(i);
      Result g = results.get(i + 1);
      System.out.printf("concurrency %2d: added p50 latency %.2f ms, gateway throughput %.0f%% of direct%n",
          d.concurrency(), g.percentileMillis(0.5) - d.percentileMillis(0.5),
          100 * g.throughput() / d.throughput());
    }
    System.exit(0); // the HTTP client's worker threads would keep the JVM alive
  }

  private static Result run(String mode, int concurrency, HttpClient client,
      Supplier<HttpRequest> request) throws Exception {
    measure(concurrency, client, request, WARMUP);
    long start = System.nanoTime();
    List<long[]> perThread = measure(concurrency, client, request, MEASURE);
    double seconds = (System.nanoTime() - start) / 1e9;
    long[] all = perThread.stream().flatMapToLong(Arrays::stream).sorted().toArray();
    return new Result(mode, concurrency, all.length, seconds, all);
  }

  private static List<long[]> measure(int concurrency, HttpClient client, Supplier<HttpRequest> request,
      Duration duration) throws Exception {
    ExecutorService workers = Executors.newFixedThreadPool(concurrency);
    long end = System.nanoTime() + duration.toNanos();
    List<Future<long[]>> futures = new ArrayList<>();
    for (int t = 0; t < concurrency; t++) {
      futures.add(workers.submit(() -> {
        long[] latencies = new long[1 << 16];
        int n = 0;
        while (System.nanoTime() < end && n < latencies.length) {
          long begin = System.nanoTime();
          HttpResponse<byte[]> response = client.send(request.get(), HttpResponse.BodyHandlers.ofByteArray());
          if (response.statusCode() != 200) {
            throw new IllegalStateException("HTTP " + response.statusCode() + ": "
                + new String(response.body(), StandardCharsets.UTF_8));
          }
          latencies[n++] = System.nanoTime() - begin;
        }
        return Arrays.copyOf(latencies, n);
      }));
    }
    List<long[]> results = new ArrayList<>();
    for (Future<long[]> future : futures) {
      results.add(future.get());
    }
    workers.shutdown();
    return results;
  }
}
