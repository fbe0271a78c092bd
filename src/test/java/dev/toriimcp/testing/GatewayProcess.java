package dev.toriimcp.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Payara Micro started as its own process exactly the way the README's run command ({@code mvn
 * -Prun package}, see the {@code run} profile in pom.xml) starts it: the demo WAR at {@code /demo}
 * first, then the gateway WAR at {@code /}; the server stops itself if the gateway fails to start.
 */
public final class GatewayProcess implements AutoCloseable {

  private static final Path TARGET = Path.of("target");

  private final Process process;
  private final Path log;
  private final long logStart;
  private final int port;
  private final int idpPort;
  private final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(2)).build();

  private GatewayProcess(Process process, Path log, long logStart, int port, int idpPort) {
    this.process = process;
    this.log = log;
    this.logStart = logStart;
    this.port = port;
    this.idpPort = idpPort;
  }

  /** Starts the server on a free loopback port with the given config and extra environment. */
  public static GatewayProcess start(String name, Path config, Map<String, String> environment)
      throws IOException {
    return start(name, config, environment, List.of());
  }

  /** As {@link #start(String, Path, Map)}, with extra Payara Micro options (e.g. --addlibs). */
  public static GatewayProcess start(String name, Path config, Map<String, String> environment,
      List<String> payaraOptions) throws IOException {
    int port = freePort();
    // The demo WAR's identity provider gets a port of its own too, so that servers run in parallel.
    int idpPort = freePort();
    Path log = TARGET.resolve("it-logs").resolve(name + ".log");
    Files.createDirectories(log.getParent());
    List<String> command = new ArrayList<>();
    // A benchmark may give the gateway CPUs of its own: -Dgateway.cpus=1 runs it under taskset.
    String cpus = System.getProperty("gateway.cpus", "").trim();
    if (!cpus.isEmpty()) {
      command.addAll(List.of("taskset", "-c", cpus));
    }
    command.addAll(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Dtorii.config=" + config,
        "-Dliquibase.analytics.enabled=false",
        "-Dtorii.exit-on-startup-failure=true",
        "-Xmx512m"));
    if (config.toAbsolutePath().normalize().endsWith(Path.of("examples", "mcp-proxy.yaml"))) {
      // The example runs the demo, with its published sealing key, as the run command does.
      command.add("-Dtorii.demo=true");
    }
    if (Boolean.getBoolean("gateway.quickStart")) {
      // Integration tests (failsafe sets this; benchmarks do not): a server that lives for a few
      // seconds of requests boots about a fifth faster with the client compiler alone.
      command.add("-XX:TieredStopAtLevel=1");
    }
    // Extra JVM options for investigations, e.g. -Dgateway.jvmArgs=-agentpath:... for a profiler.
    String extra = System.getProperty("gateway.jvmArgs", "").trim();
    if (!extra.isEmpty()) {
      command.addAll(List.of(extra.split("\\s+")));
    }
    command.addAll(List.of(
        "-jar", TARGET.resolve("payara-micro.jar").toString(),
        "--nocluster", "--port", String.valueOf(port)));
    command.addAll(payaraOptions);
    // Extra Payara Micro options for investigations, e.g. -Dgateway.payaraArgs="--postbootcommandfile f".
    String payaraExtra = System.getProperty("gateway.payaraArgs", "").trim();
    if (!payaraExtra.isEmpty()) {
      command.addAll(List.of(payaraExtra.split("\\s+")));
    }
    command.addAll(List.of(
        "--deploy", TARGET.resolve("torii-mcp-demo.war") + ":/demo",
        "--deploy", TARGET.resolve("torii-mcp.war") + ":/"));
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().put("TORII_PUBLIC_URL", "http://localhost:" + port);
    builder.environment().put("DEMO_BASE_URL", "http://localhost:" + port + "/demo/api");
    builder.environment().put("DEMO_IDP_PORT", String.valueOf(idpPort));
    builder.environment().put("DEMO_IDP_ISSUER", "http://localhost:" + idpPort + "/demo-idp");
    builder.environment().putAll(environment);
    // The log file collects every run under this name; this process's output starts here.
    long logStart = Files.exists(log) ? Files.size(log) : 0;
    Files.writeString(log, "=== " + Instant.now() + " " + String.join(" ", command) + "\n",
        StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE,
        java.nio.file.StandardOpenOption.APPEND);
    return new GatewayProcess(builder.start(), log, logStart, port, idpPort);
  }

  /** CPU time the gateway's process has used so far (user and system), or zero if unknown. */
  public Duration cpuTime() {
    return process.toHandle().info().totalCpuDuration().orElse(Duration.ZERO);
  }

  /** The server's process id, for profilers and {@code perf}. */
  public long pid() {
    return process.pid();
  }

  /** The issuer of the demo WAR's identity provider (examples/mcp-proxy.yaml's backend demo-oauth). */
  public URI demoIdpIssuer() {
    return URI.create("http://localhost:" + idpPort + "/demo-idp");
  }

  public URI uri(String path) {
    return URI.create("http://localhost:" + port + path);
  }

  public HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  public HttpResponse<String> postJson(String path, String json)
      throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Waits until {@code /health/ready} answers 200, failing if the process dies first. */
  public HttpResponse<String> awaitReady(Duration timeout) throws IOException, InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new AssertionError("the server exited with " + process.exitValue()
            + " before it was ready; its output:\n" + output());
      }
      try {
        HttpResponse<String> health = get("/health/ready");
        if (health.statusCode() == 200) {
          return health;
        }
      } catch (IOException notYetListening) {
        // keep polling
      }
      Thread.sleep(500);
    }
    throw new AssertionError("not ready after " + timeout + "; output:\n" + output());
  }

  /** Waits for the process to end by itself; returns its exit code. */
  public int awaitExit(Duration timeout) throws InterruptedException, IOException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("still running after " + timeout + "; output:\n" + output());
    }
    return process.exitValue();
  }

  /**
   * Asks the server to stop the way Ctrl-C or a service manager does and waits for it to end.
   * SIGTERM rather than SIGINT: a process started from a non-interactive shell inherits SIGINT as
   * ignored and the JVM then keeps it ignored; both signals run the same JVM shutdown hooks.
   */
  public int stop(Duration timeout) throws IOException, InterruptedException {
    process.destroy();
    return awaitExit(timeout);
  }

  /**
   * Ends the server at once, as a crash or an OOM killer would: SIGKILL ({@link
   * Process#destroyForcibly}), so no shutdown hook runs and no connection is closed cleanly. The
   * process is the JVM itself ({@code taskset} execs it), so the signal reaches the server.
   */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new AssertionError("still running 30 s after SIGKILL");
    }
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** The loopback port the server listens on. */
  public int port() {
    return port;
  }

  /** What this process has written so far (earlier runs in the same log file left out). */
  public String output() throws IOException {
    byte[] all = Files.readAllBytes(log);
    return new String(all, (int) Math.min(logStart, all.length), (int) Math.max(0, all.length - logStart),
        StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      try {
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
