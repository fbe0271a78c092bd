package dev.toriimcp.mcp;

import com.sun.net.httpserver.HttpServer;
import dev.toriimcp.testing.Exchanges;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
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
import java.util.concurrent.Executors;

/**
 * The benchmark's upstream API: petstore-v3's {@code getPetById} and a login-broker login, on
 * the JDK's HTTP server in the benchmark's JVM ({@code jdk}) or on Node.js in a process of its
 * own ({@code node}, {@code bench/upstream.js}), since an HTTP stack of another family may
 * treat the gateway's client differently (keep-alive, Nagle, framing).
 */
interface BenchUpstream extends AutoCloseable {

  byte[] PET = "{\"id\": 7, \"name\": \"Rex\", \"photoUrls\": [], \"status\": \"available\"}"
      .getBytes(StandardCharsets.UTF_8);

  /** The name printed with the figures. */
  String name();

  /** {@code http://127.0.0.1:<port>}. */
  String base();

  /** CPU time of the upstream outside the benchmark's JVM (zero for the JDK one). */
  Duration externalCpu();

  /** TCP connections accepted so far, or -1 if this upstream cannot tell. */
  long connections();

  @Override
  void close();

  static BenchUpstream start(String kind) throws IOException {
    return switch (kind) {
      case "jdk" -> Jdk.start();
      case "node" -> Node.start();
      default -> throw new IllegalArgumentException("-Dbench.upstream must be jdk or node, not " + kind);
    };
  }

  /** The JDK server, Nagle off (otherwise ~40 ms per response on loopback). */
  final class Jdk implements BenchUpstream {
    private final HttpServer server;

    private Jdk(HttpServer server) {
      this.server = server;
    }

    static Jdk start() throws IOException {
      System.setProperty("sun.net.httpserver.nodelay", "true");
      // The JDK server closes idle keep-alive connections beyond 200 as soon as they are idle;
      // the load generator, the gateway and each floor keep up to 64 each.
      System.setProperty("sun.net.httpserver.maxIdleConnections", "2048");
      HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
      server.setExecutor(Executors.newFixedThreadPool(16));
      Jdk upstream = new Jdk(server);
      server.createContext("/login", exchange -> {
        exchange.getRequestBody().readAllBytes();
        Exchanges.json(exchange, 200, "{\"access_token\": \"bench-upstream-token\"}".getBytes(StandardCharsets.UTF_8));
      });
      server.createContext("/api/v3/pet/", exchange -> {
        exchange.getRequestBody().readAllBytes();
        Exchanges.json(exchange, 200, PET);
      });
      server.start();
      return upstream;
    }

    @Override
    public String name() {
      return "jdk";
    }

    @Override
    public String base() {
      return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @Override
    public Duration externalCpu() {
      return Duration.ZERO;
    }

    @Override
    public long connections() {
      return -1;
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }

  /** Node's http module with its defaults, in a child process that ends with the benchmark. */
  final class Node implements BenchUpstream {
    private final Process process;
    private final String base;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private Node(Process process, String base) {
      this.process = process;
      this.base = base;
    }

    static Node start() throws IOException {
      Path script = Files.createTempFile(Path.of("target"), "bench-upstream", ".js");
      try (InputStream js = BenchUpstream.class.getResourceAsStream("/bench/upstream.js")) {
        Files.write(script, js.readAllBytes());
      }
      script.toFile().deleteOnExit();
      Process process;
      try {
        process = new ProcessBuilder("node", script.toString())
            .redirectError(ProcessBuilder.Redirect.INHERIT).start();
      } catch (IOException missing) {
        throw new IllegalStateException("-Dbench.upstream=node needs Node.js (node) on the PATH", missing);
      }
      String line = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))
          .readLine();
      if (line == null || !line.startsWith("listening ")) {
        process.destroyForcibly();
        throw new IllegalStateException("the Node.js upstream did not start: " + line);
      }
      return new Node(process, "http://127.0.0.1:" + line.substring("listening ".length()).trim());
    }

    @Override
    public String name() {
      return "node";
    }

    @Override
    public String base() {
      return base;
    }

    @Override
    public Duration externalCpu() {
      return process.toHandle().info().totalCpuDuration().orElse(Duration.ZERO);
    }

    @Override
    public long connections() {
      try {
        // Counted by the upstream itself; this request's own connection is one of them.
        return Long.parseLong(client.send(HttpRequest.newBuilder(URI.create(base + "/__bench/connections"))
            .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body().trim());
      } catch (IOException e) {
        return -1;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return -1;
      }
    }

    @Override
    public void close() {
      process.destroy();
    }
  }
}
