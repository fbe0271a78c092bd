package dev.toriimcp.mcp;

import com.sun.net.httpserver.HttpServer;
import dev.toriimcp.testing.Exchanges;
import dev.toriimcp.testing.GatewayProcess;
import dev.toriimcp.testing.OAuthFlows;
import dev.toriimcp.testing.PetstoreConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.exporter.ZipExporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/**
 * {@code tools/call} through the gateway versus the same upstream request sent directly, at
 * concurrency 1, 8 and 64, in one run. Not a test: a benchmark that prints its figures.
 *
 * <pre>mvn -q package -DskipTests exec:exec@mcp-bench</pre>
 *
 * <p>The upstream is a local JDK HTTP server answering a small JSON pet (petstore-v3's
 * getPetById) after a login-broker login; the gateway runs on Payara Micro as the run command
 * starts it. Each measurement runs a warm-up, then a fixed duration; every loop is bounded.
 *
 * <p>Two references are measured with it. The floor ({@link FloorServlet}, in a WAR of its own on
 * the gateway's Payara Micro) is the gateway's request path without its logic: what this
 * container and {@code java.net.http} cost on this machine before any gateway work. The proxy is
 * the same forwarding on the JDK's own HTTP server in this JVM.
 */
public final class McpBenchmark {

  private static final int[] CONCURRENCY = java.util.Arrays.stream(
      System.getProperty("bench.concurrency", "1,8,64").split(",")).mapToInt(Integer::parseInt).toArray();
  private static final Duration WARMUP = Duration.ofSeconds(Integer.getInteger("bench.warmup", 5));
  private static final Duration GATEWAY_WARMUP =
      Duration.ofSeconds(Integer.getInteger("bench.gateway-warmup", 60));
  private static final Duration MEASURE = Duration.ofSeconds(Integer.getInteger("bench.seconds", 10));
  /** Per thread and measurement: a bound on memory, far above what a 10 s row reaches. */
  private static final int MAX_SAMPLES = 1 << 22;
  private static final byte[] PET = "{\"id\": 7, \"name\": \"Rex\", \"photoUrls\": [], \"status\": \"available\"}"
      .getBytes(StandardCharsets.UTF_8);

  private McpBenchmark() {}

  /**
   * One row. {@code benchCpu} and {@code gatewayCpu}: CPU time (user and system) this JVM (load
   * generator, upstream, reference proxy) and the gateway's process used during the row. Per
   * request they say what each side costs, which throughput alone cannot on a machine where
   * the load generator, the upstream and the gateway share two cores.
   */
  record Result(String mode, int concurrency, long requests, double seconds, long[] latenciesNanos,
      Duration benchCpu, Duration gatewayCpu) {
    double throughput() {
      return requests / seconds;
    }

    double microsPerRequest(Duration cpu) {
      return requests == 0 ? Double.NaN : cpu.toNanos() / 1e3 / requests;
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
    if (Boolean.getBoolean("bench.pin")) {
      pin();
    }
    // The JDK server otherwise waits for delayed ACKs (Nagle): ~40 ms per response on loopback.
    System.setProperty("sun.net.httpserver.nodelay", "true");
    HttpServer upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
    upstream.setExecutor(Executors.newFixedThreadPool(16));
    upstream.createContext("/login", exchange -> {
      exchange.getRequestBody().readAllBytes();
      byte[] answer = "{\"access_token\": \"bench-upstream-token\"}".getBytes(StandardCharsets.UTF_8);
      Exchanges.json(exchange, 200, answer);
    });
    upstream.createContext("/api/v3/pet/", exchange -> {
      exchange.getRequestBody().readAllBytes();
      Exchanges.json(exchange, 200, PET);
    });
    upstream.start();
    String base = "http://127.0.0.1:" + upstream.getAddress().getPort();
    // One user drives all the load here: the per-user limits would refuse most of it.
    Path config = PetstoreConfig.write("bench", "{user_calls_per_minute: 100000000, user_calls_in_flight: 1024}",
        new PetstoreConfig.Backend("petstore", base + "/api/v3", base + "/login"));
    // The reference proxy: JDK server in, java.net.http out, no logic at all. What any Java
    // gateway could reach on this machine at best, printed so the gateway figures can be read.
    HttpClient forwarder = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    URI upstreamPet = URI.create(base + "/api/v3/pet/7");
    HttpServer reference = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
    reference.setExecutor(Executors.newFixedThreadPool(64));
    reference.createContext("/", exchange -> {
      exchange.getRequestBody().readAllBytes();
      try {
        HttpResponse<byte[]> answer = forwarder.send(HttpRequest.newBuilder(upstreamPet)
            .header("Authorization", "Bearer bench-upstream-token").timeout(Duration.ofSeconds(30))
            .GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(answer.statusCode(), answer.body().length);
        exchange.getResponseBody().write(answer.body());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        exchange.sendResponseHeaders(502, -1);
      }
      exchange.close();
    });
    reference.start();
    Path floorWar = Path.of("target", "bench-floor.war");
    ShrinkWrap.create(WebArchive.class, "bench-floor.war").addClass(FloorServlet.class)
        .as(ZipExporter.class).exportTo(floorWar.toFile(), true);
    List<Result> results = new ArrayList<>();
    try (GatewayProcess gateway = GatewayProcess.start("bench", config,
        Map.of(FloorServlet.UPSTREAM, upstreamPet.toString()), List.of("--deploy", floorWar + ":/floor"))) {
      gateway.awaitReady(Duration.ofSeconds(180));
      String token = OAuthFlows.accessToken(gateway, "petstore", "bench", "pw");
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
          .executor(Executors.newFixedThreadPool(8)).build();
      Supplier<HttpRequest> directRequest = () -> HttpRequest.newBuilder(upstreamPet)
          .header("Authorization", "Bearer bench-upstream-token").header("Accept", "application/json")
          .GET().build();
      URI proxied = URI.create("http://127.0.0.1:" + reference.getAddress().getPort() + "/pet/7");
      Supplier<HttpRequest> referenceRequest = () -> HttpRequest.newBuilder(proxied).GET().build();
      // As a real client talks after initialize: session id and protocol version on each request.
      String session = initialize(client, gateway.uri("/mcp/petstore"), token);
      byte[] call = ("{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": \"tools/call\", \"params\":"
          + " {\"name\": \"getPetById\", \"arguments\": {\"petId\": 7}}}").getBytes(StandardCharsets.UTF_8);
      byte[] ping = "{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": \"ping\"}".getBytes(StandardCharsets.UTF_8);
      Supplier<HttpRequest> gatewayRequest = () -> mcpPost(gateway.uri("/mcp/petstore"), token, session, call);
      Supplier<HttpRequest> pingRequest = () -> mcpPost(gateway.uri("/mcp/petstore"), token, session, ping);
      // The floor gets the same POST as a tools/call, so both read and write alike.
      Supplier<HttpRequest> floorRequest = () -> HttpRequest.newBuilder(gateway.uri("/floor/"))
          .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(call)).build();
      // Steady state: Payara's request path is deep and the JIT keeps compiling it for about a
      // minute of load on two cores; a server in service is past that.
      System.out.printf("warming up the gateway for %d s%n", GATEWAY_WARMUP.toSeconds());
      measure(8, client, gatewayRequest, GATEWAY_WARMUP.dividedBy(2));
      measure(8, client, pingRequest, GATEWAY_WARMUP.dividedBy(4));
      measure(64, client, gatewayRequest, GATEWAY_WARMUP.dividedBy(4));
      measure(64, client, floorRequest, WARMUP.multipliedBy(2));
      for (int concurrency : CONCURRENCY) {
        results.add(run("direct", concurrency, client, directRequest, gateway));
        results.add(run("gateway", concurrency, client, gatewayRequest, gateway));
        results.add(run("floor", concurrency, client, floorRequest, gateway));
        results.add(run("proxy", concurrency, client, referenceRequest, gateway));
        results.add(run("ping", concurrency, client, pingRequest, gateway));
      }
      gateway.stop(Duration.ofSeconds(60));
    } finally {
      reference.stop(0);
      upstream.stop(0);
    }
    System.out.printf("%n%-8s %5s %10s %12s %9s %9s %11s %11s%n", "mode", "conc", "requests", "req/s",
        "p50 ms", "p99 ms", "bench cpu", "gw cpu");
    for (Result r : results) {
      System.out.printf("%-8s %5d %10d %12.0f %9.2f %9.2f %11.1f %11.1f%n", r.mode(), r.concurrency(),
          r.requests(), r.throughput(), r.percentileMillis(0.50), r.percentileMillis(0.99),
          r.microsPerRequest(r.benchCpu()), r.microsPerRequest(r.gatewayCpu()));
    }
    System.out.println("direct: the upstream alone; gateway: tools/call through torii-mcp;"
        + " floor: the same upstream request through a bare servlet on the gateway's Payara Micro that"
        + " forwards with java.net.http as the gateway does, without its logic (reference);"
        + " proxy: the same upstream request through a zero-logic java.net.http proxy (reference);"
        + " ping: the gateway's MCP path without an upstream call; bench cpu, gw cpu: CPU time (user and"
        + " system) per request in microseconds, of this JVM (load generator, upstream, reference proxy)"
        + " and of the gateway's process");
    for (int i = 0; i < results.size(); i += 5) {
      Result d = results.get(i);
      Result g = results.get(i + 1);
      Result f = results.get(i + 2);
      Result p = results.get(i + 3);
      System.out.printf("concurrency %2d: added p50 latency %.2f ms, gateway throughput %.0f%% of direct"
          + " (floor: +%.2f ms, %.0f%%; reference proxy: +%.2f ms, %.0f%%)%n",
          d.concurrency(), g.percentileMillis(0.5) - d.percentileMillis(0.5),
          100 * g.throughput() / d.throughput(), f.percentileMillis(0.5) - d.percentileMillis(0.5),
          100 * f.throughput() / d.throughput(), p.percentileMillis(0.5) - d.percentileMillis(0.5),
          100 * p.throughput() / d.throughput());
    }
    System.exit(0); // the HTTP client's worker threads would keep the JVM alive
  }

  /**
   * The gateway on CPU 1, everything else (load generator, upstream, reference proxy) on CPU 0,
   * as if the gateway ran on a host of its own. Not the headline figure: it also halves what
   * the direct path may use.
   */
  private static void pin() throws Exception {
    if (Runtime.getRuntime().availableProcessors() < 2) {
      throw new IllegalStateException("bench.pin needs at least two CPUs");
    }
    Process self = new ProcessBuilder("taskset", "-a", "-p", "-c", "0",
        String.valueOf(ProcessHandle.current().pid())).redirectErrorStream(true).start();
    String output = new String(self.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (self.waitFor() != 0) {
      throw new IllegalStateException("taskset failed: " + output);
    }
    System.setProperty("gateway.cpus", "1");
    System.out.println("pinned: load generator, upstream and reference proxy on CPU 0, gateway on CPU 1");
  }

  private static HttpRequest mcpPost(URI endpoint, String token, String session, byte[] body) {
    return HttpRequest.newBuilder(endpoint)
        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
        .header("Accept", "application/json, text/event-stream").header("Mcp-Session-Id", session)
        .header("MCP-Protocol-Version", "2025-11-25")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
  }

  private static String initialize(HttpClient client, URI endpoint, String token) throws Exception {
    HttpResponse<String> response = client.send(HttpRequest.newBuilder(endpoint)
        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
        .header("Accept", "application/json, text/event-stream")
        .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\": \"2.0\", \"id\": 0, \"method\":"
            + " \"initialize\", \"params\": {\"protocolVersion\": \"2025-11-25\", \"capabilities\": {},"
            + " \"clientInfo\": {\"name\": \"bench\", \"version\": \"1\"}}}")).build(),
        HttpResponse.BodyHandlers.ofString());
    return response.headers().firstValue("Mcp-Session-Id").orElseThrow(() ->
        new IllegalStateException("initialize gave no session: " + response.statusCode() + " " + response.body()));
  }

  private static Result run(String mode, int concurrency, HttpClient client,
      Supplier<HttpRequest> request, GatewayProcess gateway) throws Exception {
    measure(concurrency, client, request, WARMUP);
    Duration benchCpu = ownCpuTime();
    Duration gatewayCpu = gateway.cpuTime();
    long start = System.nanoTime();
    List<long[]> perThread = measure(concurrency, client, request, MEASURE);
    double seconds = (System.nanoTime() - start) / 1e9;
    benchCpu = ownCpuTime().minus(benchCpu);
    gatewayCpu = gateway.cpuTime().minus(gatewayCpu);
    long[] all = perThread.stream().flatMapToLong(Arrays::stream).sorted().toArray();
    return new Result(mode, concurrency, all.length, seconds, all, benchCpu, gatewayCpu);
  }

  private static Duration ownCpuTime() {
    return ProcessHandle.current().info().totalCpuDuration().orElse(Duration.ZERO);
  }

  private static List<long[]> measure(int concurrency, HttpClient client, Supplier<HttpRequest> request,
      Duration duration) throws Exception {
    ExecutorService workers = Executors.newFixedThreadPool(concurrency);
    long end = System.nanoTime() + duration.toNanos();
    List<Future<long[]>> futures = new ArrayList<>();
    for (int t = 0; t < concurrency; t++) {
      futures.add(workers.submit(() -> {
        long[] latencies = new long[1 << 14];
        int n = 0;
        while (System.nanoTime() < end && n < MAX_SAMPLES) {
          if (n == latencies.length) {
            latencies = Arrays.copyOf(latencies, 2 * n);
          }
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
