package dev.toriimcp.mcp;

import com.sun.net.httpserver.HttpServer;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.exporter.ZipExporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/**
 * {@code tools/call} through the gateway versus the same upstream request sent directly, at
 * concurrency 1, 8 and 64, in one run; the call both as a 2025-11-25 session and as a stateless
 * MCP 2026-07-28 request sends it. Not a test: a benchmark that prints its figures.
 *
 * <pre>mvn -q package -DskipTests exec:exec@mcp-bench [-Dbench.client=wrk] [-Dbench.upstream=node]</pre>
 *
 * <p>The upstream ({@link BenchUpstream}: the JDK's HTTP server, or Node.js) answers a small JSON
 * pet (petstore-v3's getPetById) after a login-broker login; the gateway runs on Payara Micro as
 * the run command starts it. The client signs in through the login-broker, opens one MCP
 * session and then talks as a real client does (session id and protocol version on every
 * request, HTTP/1.1 keep-alive), from this JVM or from {@code wrk} ({@link LoadGenerator}). Each
 * measurement runs a warm-up, then a fixed duration; every loop is bounded.
 *
 * <p>Two references are measured with it. The floor ({@link FloorServlet}, in a WAR of its own on
 * the gateway's Payara Micro) is the gateway's request path without its logic: what this
 * container and the outbound HTTP client cost on this machine before any gateway work. The proxy
 * is the same forwarding on the JDK's own HTTP server in this JVM.
 */
public final class McpBenchmark {

  private static final int[] CONCURRENCY = Arrays.stream(
      System.getProperty("bench.concurrency", "1,8,64").split(",")).mapToInt(Integer::parseInt).toArray();
  private static final List<String> MODES = List.of(
      System.getProperty("bench.modes", "direct,gateway,stateless,floor,proxy,ping").split(","));
  private static final Duration WARMUP = Duration.ofSeconds(Integer.getInteger("bench.warmup", 5));
  private static final Duration GATEWAY_WARMUP =
      Duration.ofSeconds(Integer.getInteger("bench.gateway-warmup", 60));
  private static final Duration MEASURE = Duration.ofSeconds(Integer.getInteger("bench.seconds", 10));
  /** How long the cold phase right after start-up is measured, in 5 s slices (0: not at all). */
  private static final int COLD_SECONDS = Integer.getInteger("bench.cold", 30);
  private static final Duration SLICE = Duration.ofSeconds(5);
  /** Keeps the warm gateway up this long for experiments by hand instead of measuring rows. */
  private static final Duration HOLD = Duration.ofSeconds(Integer.getInteger("bench.hold", 0));
  private static final String CALL = "{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": \"tools/call\", \"params\":"
      + " {\"name\": \"getPetById\", \"arguments\": {\"petId\": 7}}}";
  /** The same call as a 2026-07-28 client sends it: no session, its version and capabilities in _meta. */
  private static final String STATELESS_CALL = "{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": \"tools/call\","
      + " \"params\": {\"name\": \"getPetById\", \"arguments\": {\"petId\": 7}, \"_meta\":"
      + " {\"io.modelcontextprotocol/protocolVersion\": \"2026-07-28\","
      + " \"io.modelcontextprotocol/clientCapabilities\": {},"
      + " \"io.modelcontextprotocol/clientInfo\": {\"name\": \"bench\", \"version\": \"1\"}}}}";
  private static final String PING = "{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": \"ping\"}";

  private McpBenchmark() {}

  /**
   * One row. {@code benchCpu}: CPU time (user and system) of everything but the gateway (this
   * JVM, {@code wrk}, the Node.js upstream) during the row; {@code gatewayCpu}: the gateway's
   * process. Per request they say what each side costs, which throughput alone cannot on a
   * machine where the load generator, the upstream and the gateway share two cores.
   * {@code upstreamConnections}: connections the upstream accepted during the row (-1: unknown).
   */
  record Result(String mode, int concurrency, LoadGenerator.Measurement m, Duration benchCpu,
      Duration gatewayCpu, long upstreamConnections) {
    double microsPerRequest(Duration cpu) {
      return m.requests() == 0 ? Double.NaN : cpu.toNanos() / 1e3 / m.requests();
    }
  }

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
    if (Boolean.getBoolean("bench.pin")) {
      pin();
    }
    String conditions = conditions();
    LoadGenerator load = "wrk".equals(System.getProperty("bench.client", "java")) ? WrkLoad.create() : new JavaLoad();
    List<Result> results = new ArrayList<>();
    List<String> cold = new ArrayList<>();
    double readySeconds;
    try (BenchUpstream upstream = BenchUpstream.start(System.getProperty("bench.upstream", "jdk"))) {
      String base = upstream.base();
      // One user drives all the load here: the per-user limits would refuse most of it.
      Path config = PetstoreConfig.write("bench", "{user_calls_per_minute: 100000000, user_calls_in_flight: 1024}",
          new PetstoreConfig.Backend("petstore", base + "/api/v3", base + "/login"));
      URI upstreamPet = URI.create(base + "/api/v3/pet/7");
      HttpServer reference = referenceProxy(upstreamPet);
      long started = System.nanoTime();
      List<String> floors = new ArrayList<>();
      for (String mode : MODES) {
        if (mode.startsWith("floor")) {
          // One file per context: Payara Micro names an application after its file.
          Path floorWar = Path.of("target", "bench-" + mode + ".war");
          floorArchive().as(ZipExporter.class).exportTo(floorWar.toFile(), true);
          floors.addAll(List.of("--deploy", floorWar + ":/" + mode));
        }
      }
      try (GatewayProcess gateway = GatewayProcess.start("bench", config,
          Map.of(FloorServlet.UPSTREAM, upstreamPet.toString()), floors)) {
        // Also when this benchmark is stopped early (Ctrl-C): the server would outlive it.
        Runtime.getRuntime().addShutdownHook(new Thread(gateway::close));
        gateway.awaitReady(Duration.ofSeconds(180));
        readySeconds = (System.nanoTime() - started) / 1e9;
        String token = OAuthFlows.accessToken(gateway, "petstore", "bench", "pw");
        URI endpoint = gateway.uri("/mcp/petstore");
        String session = initialize(endpoint, token);
        Map<String, String> mcp = new LinkedHashMap<>();
        mcp.put("Authorization", "Bearer " + token);
        mcp.put("Content-Type", "application/json");
        mcp.put("Accept", "application/json, text/event-stream");
        mcp.put("Mcp-Session-Id", session);
        mcp.put("MCP-Protocol-Version", "2025-11-25");
        Map<String, BenchRequest> requests = new LinkedHashMap<>();
        requests.put("direct", BenchRequest.get(upstreamPet,
            Map.of("Authorization", "Bearer bench-upstream-token", "Accept", "application/json")));
        requests.put("gateway", BenchRequest.post(endpoint, mcp, CALL));
        Map<String, String> modern = new LinkedHashMap<>();
        modern.put("Authorization", "Bearer " + token);
        modern.put("Content-Type", "application/json");
        modern.put("Accept", "application/json, text/event-stream");
        modern.put("MCP-Protocol-Version", "2026-07-28");
        modern.put("Mcp-Method", "tools/call");
        modern.put("Mcp-Name", "getPetById");
        requests.put("stateless", BenchRequest.post(endpoint, modern, STATELESS_CALL));
        // The floor gets the same POST as a tools/call, so both read and write alike.
        for (String mode : MODES) {
          if (mode.startsWith("floor")) {
            requests.put(mode, BenchRequest.post(gateway.uri("/" + mode + "/"),
                Map.of("Content-Type", "application/json"), CALL));
          }
        }
        requests.put("proxy", BenchRequest.get(
            URI.create("http://127.0.0.1:" + reference.getAddress().getPort() + "/pet/7"), Map.of()));
        requests.put("ping", BenchRequest.post(endpoint, mcp, PING));
        // The first seconds after start-up, before the JIT has compiled the request path.
        for (int s = 0; s < COLD_SECONDS; s += (int) SLICE.toSeconds()) {
          LoadGenerator.Measurement m = load.measure(requests.get("gateway"), 64, SLICE);
          cold.add(String.format("%2d-%2d s: %,7.0f req/s, p50 %6.2f ms", s, s + SLICE.toSeconds(),
              m.throughput(), m.p50Millis()));
        }
        // Steady state: Payara's request path is deep and the JIT keeps compiling it for about a
        // minute of load on two cores; a server in service is past that.
        System.out.printf("warming up the gateway for %d s%n", GATEWAY_WARMUP.toSeconds());
        load.measure(requests.get("gateway"), 8, GATEWAY_WARMUP.dividedBy(2));
        load.measure(requests.get("ping"), 8, GATEWAY_WARMUP.dividedBy(4));
        load.measure(requests.get("gateway"), 64, GATEWAY_WARMUP.dividedBy(4));
        if (MODES.contains("stateless")) {
          load.measure(requests.get("stateless"), 64, WARMUP.multipliedBy(2));
        }
        for (String mode : MODES) {
          if (mode.startsWith("floor")) {
            load.measure(requests.get(mode), 64, WARMUP.multipliedBy(2));
          }
        }
        answered(requests.get("gateway"));
        answered(requests.get("stateless"));
        hold(gateway, requests);
        for (int concurrency : HOLD.isZero() ? CONCURRENCY : new int[0]) {
          for (String mode : MODES) {
            results.add(run(mode, concurrency, load, requests.get(mode), gateway, upstream));
          }
        }
        answered(requests.get("gateway"));
        gateway.stop(Duration.ofSeconds(60));
      } finally {
        reference.stop(0);
      }
    }
    print(conditions + "; " + conditions().replaceFirst(".*load average", "load average at the end"),
        load, readySeconds, cold, results);
  }

  private static void print(String conditions, LoadGenerator load, double readySeconds, List<String> cold,
      List<Result> results) {
    System.out.printf("%nconditions: %s; load generator %s, upstream %s%n", conditions,
        load.name(), System.getProperty("bench.upstream", "jdk"));
    System.out.printf("ready %.1f s after start; tools/call at concurrency 64 right after the sign-in (cold JIT):%n",
        readySeconds);
    cold.forEach(line -> System.out.println("  " + line));
    System.out.printf("%n%-8s %5s %10s %12s %9s %9s %11s %11s %9s%n", "mode", "conc", "requests", "req/s",
        "p50 ms", "p99 ms", "bench cpu", "gw cpu", "up conns");
    for (Result r : results) {
      System.out.printf("%-8s %5d %10d %12.0f %9.2f %9.2f %11.1f %11.1f %9d%n", r.mode(), r.concurrency(),
          r.m().requests(), r.m().throughput(), r.m().p50Millis(), r.m().p99Millis(),
          r.microsPerRequest(r.benchCpu()), r.microsPerRequest(r.gatewayCpu()), r.upstreamConnections());
    }
    System.out.println("direct: the upstream alone; gateway: tools/call through torii-mcp in a"
        + " 2025-11-25 session; stateless: the same call as MCP 2026-07-28 sends it, with no session;"
        + " floor: the same upstream request through a bare servlet on the gateway's Payara Micro that"
        + " forwards with the gateway's client (Apache HttpClient 5) on the gateway's threads, without its"
        + " logic (reference); floor-jdk, floor-jetty: the same with java.net.http or Jetty 12's client;"
        + " proxy: the same upstream request through a zero-logic java.net.http proxy (reference);"
        + " ping: the gateway's MCP path without an upstream call; bench cpu, gw cpu: CPU time (user and"
        + " system) per request in microseconds, of everything but the gateway (this JVM, wrk, a Node.js"
        + " upstream) and of the gateway's process; up conns: TCP connections the upstream accepted during"
        + " the row (-1: not counted)");
    for (int concurrency : CONCURRENCY) {
      Result direct = find(results, "direct", concurrency);
      if (direct == null) {
        continue;
      }
      StringBuilder line = new StringBuilder(String.format("concurrency %2d:", concurrency));
      for (String mode : MODES.stream().filter(m -> !m.equals("direct") && !m.equals("ping")).toList()) {
        Result r = find(results, mode, concurrency);
        if (r != null) {
          line.append(String.format(" %s +%.2f ms p50, %.0f%% of direct, %.0f µs gateway CPU per call;", mode,
              r.m().p50Millis() - direct.m().p50Millis(), 100 * r.m().throughput() / direct.m().throughput(),
              r.microsPerRequest(r.gatewayCpu())));
        }
      }
      System.out.println(line);
    }
    Result one = find(results, "gateway", 1);
    Result many = find(results, "gateway", 64);
    if (one != null && many != null && find(results, "direct", 1) != null && find(results, "direct", 64) != null) {
      System.out.printf("targets: c=1 added p50 %.2f ms (≤ 0.3), c=64 %.0f%% of direct (≥ 40), gateway CPU"
          + " per tools/call at c=64 %.0f µs (≤ 120)%n",
          one.m().p50Millis() - find(results, "direct", 1).m().p50Millis(),
          100 * many.m().throughput() / find(results, "direct", 64).m().throughput(),
          many.microsPerRequest(many.gatewayCpu()));
    }
  }

  private static Result find(List<Result> results, String mode, int concurrency) {
    return results.stream().filter(r -> r.mode().equals(mode) && r.concurrency() == concurrency)
        .findFirst().orElse(null);
  }

  /** What the figures depend on: the machine, the JDK, and how busy the machine already was. */
  private static String conditions() throws Exception {
    String load = Files.readString(Path.of("/proc/loadavg")).trim().split(" ")[0];
    return String.format("%d CPUs, JDK %s, load average %s", Runtime.getRuntime().availableProcessors(),
        Runtime.version(), load);
  }

  /**
   * With {@code -Dbench.hold=<seconds>}: writes {@code target/bench-hold.sh} (the gateway's pid,
   * the URLs and the MCP request headers of this run, for {@code source}) and waits, so that load
   * generators, {@code perf} or a profiler can be pointed at the warm gateway by hand.
   */
  private static void hold(GatewayProcess gateway, Map<String, BenchRequest> requests) throws Exception {
    if (HOLD.isZero()) {
      return;
    }
    StringBuilder script = new StringBuilder("GATEWAY_PID=" + gateway.pid() + "\n");
    requests.forEach((mode, r) -> script.append(mode.toUpperCase().replace('-', '_')).append("_URL='").append(r.uri()).append("'\n")
        .append(mode.toUpperCase().replace('-', '_')).append("_HEADERS=$'").append(r.headers().entrySet().stream()
            .map(e -> e.getKey() + ": " + e.getValue()).reduce((a, b) -> a + "\\n" + b).orElse("")).append("'\n"));
    script.append("CALL='").append(CALL).append("'\nPING='").append(PING).append("'\n");
    Files.writeString(Path.of("target", "bench-hold.sh"), script);
    System.out.printf("holding the warm gateway (pid %d) for %d s; see target/bench-hold.sh%n",
        gateway.pid(), HOLD.toSeconds());
    Thread.sleep(HOLD.toMillis());
  }

  /**
   * The floor's own WAR, with the libraries of the outbound clients it can measure (from this
   * JVM's class path) and its own copies preferred over the server's, as in the gateway's WAR.
   */
  private static WebArchive floorArchive() {
    WebArchive war = ShrinkWrap.create(WebArchive.class, "bench-floor.war")
        .addClasses(FloorServlet.class, FloorClients.class, FloorClients.Client.class)
        .addAsWebInfResource(new StringAsset("<payara-web-app><class-loader delegate=\"false\"/></payara-web-app>"),
            "payara-web.xml");
    for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
      String jar = Path.of(entry).getFileName().toString();
      if (jar.matches("(httpclient5|httpcore5|httpcore5-h2|jetty-[a-z-]+|slf4j-api)-[0-9.]+\\.jar")) {
        war.addAsLibrary(new java.io.File(entry));
      }
    }
    return war;
  }

  /**
   * The reference proxy: JDK server in, java.net.http out, no logic at all. What any Java
   * gateway could reach on this machine at best, printed so the gateway figures can be read.
   */
  private static HttpServer referenceProxy(URI upstreamPet) throws Exception {
    HttpClient forwarder = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
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
    return reference;
  }

  /**
   * The gateway on CPU 1, everything else (load generator, upstream, reference proxy) on CPU 0,
   * as if the gateway ran on a host of its own. Not the headline figure: it also halves what
   * the direct path may use. Processes started later (wrk, Node.js) inherit CPU 0.
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

  /**
   * A tools/call that reached the upstream: status 200 alone does not say so, since an upstream
   * failure is a tool result with {@code isError} (ADR 0005).
   */
  private static void answered(BenchRequest call) throws Exception {
    HttpResponse<String> response = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
        .send(call.toHttpRequest(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200 || !response.body().contains("Rex") || response.body().contains("\"isError\":true")) {
      throw new IllegalStateException("tools/call did not reach the upstream: " + response.body());
    }
  }

  /** initialize, then notifications/initialized, as a real client opens its session. */
  private static String initialize(URI endpoint, String token) throws Exception {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    HttpResponse<String> response = client.send(HttpRequest.newBuilder(endpoint)
        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
        .header("Accept", "application/json, text/event-stream")
        .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\": \"2.0\", \"id\": 0, \"method\":"
            + " \"initialize\", \"params\": {\"protocolVersion\": \"2025-11-25\", \"capabilities\": {},"
            + " \"clientInfo\": {\"name\": \"bench\", \"version\": \"1\"}}}")).build(),
        HttpResponse.BodyHandlers.ofString());
    String session = response.headers().firstValue("Mcp-Session-Id").orElseThrow(() ->
        new IllegalStateException("initialize gave no session: " + response.statusCode() + " " + response.body()));
    HttpResponse<String> initialized = client.send(HttpRequest.newBuilder(endpoint)
        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
        .header("Accept", "application/json, text/event-stream").header("Mcp-Session-Id", session)
        .header("MCP-Protocol-Version", "2025-11-25")
        .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\": \"2.0\", \"method\": \"notifications/initialized\"}"))
        .build(), HttpResponse.BodyHandlers.ofString());
    if (initialized.statusCode() != 202) {
      throw new IllegalStateException("notifications/initialized: HTTP " + initialized.statusCode());
    }
    return session;
  }

  private static Result run(String mode, int concurrency, LoadGenerator load, BenchRequest request,
      GatewayProcess gateway, BenchUpstream upstream) throws Exception {
    try {
      load.measure(request, concurrency, WARMUP);
    } catch (Exception e) {
      throw new IllegalStateException(mode + " at concurrency " + concurrency + " failed", e);
    }
    long connections = upstream.connections();
    Duration benchCpu = benchCpu(upstream);
    Duration gatewayCpu = gateway.cpuTime();
    LoadGenerator.Measurement m = load.measure(request, concurrency, MEASURE);
    benchCpu = benchCpu(upstream).minus(benchCpu);
    gatewayCpu = gateway.cpuTime().minus(gatewayCpu);
    long opened = connections < 0 ? -1 : upstream.connections() - connections;
    return new Result(mode, concurrency, m, benchCpu, gatewayCpu, opened);
  }

  /**
   * This JVM, the children it has reaped (each finished {@code wrk}; the gateway and Node.js are
   * reaped only at the end) and an upstream of its own process.
   */
  private static Duration benchCpu(BenchUpstream upstream) throws Exception {
    Duration own = ProcessHandle.current().info().totalCpuDuration().orElse(Duration.ZERO);
    String stat = Files.readString(Path.of("/proc/self/stat"));
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    long childTicks = Long.parseLong(fields[13]) + Long.parseLong(fields[14]); // cutime, cstime
    return own.plus(Duration.ofMillis(childTicks * 10)).plus(upstream.externalCpu());
  }
}
