package dev.toriimcp.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One gateway for the integration tests of large APIs (the page at the MCP URL, dynamic
 * exposure): backends {@code petstore}, {@code github} and {@code kubernetes} from the shared
 * corpus under the default exposure, each behind a login broker, in front of one real loopback
 * upstream that records every API request as it arrived. Started once for the test JVM (a boot
 * is the largest cost of an IT) and stopped when it exits.
 */
public final class LargeApisGateway {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static LargeApisGateway shared;

  private final HttpServer upstream;
  private final GatewayProcess gateway;
  private final List<String> received = new CopyOnWriteArrayList<>();

  private LargeApisGateway() throws Exception {
    upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    upstream.createContext("/login", exchange -> {
      JsonNode login = JSON.readTree(exchange.getRequestBody().readAllBytes());
      Exchanges.json(exchange, 200, ("{\"access_token\": \"upstream-"
          + login.path("username").asText() + "-token\"}").getBytes(StandardCharsets.UTF_8));
    });
    upstream.createContext("/", exchange -> {
      // The request as it arrived: request line, every header (sorted), body.
      Map<String, List<String>> headers = new TreeMap<>();
      exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(), values));
      received.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getRawPath()
          + (exchange.getRequestURI().getRawQuery() == null ? ""
              : "?" + exchange.getRequestURI().getRawQuery())
          + "\n" + headers + "\n" + new String(exchange.getRequestBody().readAllBytes(),
              StandardCharsets.UTF_8));
      Exchanges.json(exchange, 200, "{\"ok\": true}".getBytes(StandardCharsets.UTF_8));
    });
    upstream.start();
    String base = "http://127.0.0.1:" + upstream.getAddress().getPort();
    String login = "    auth: {type: login-broker, login_url: \"" + base + "/login\"}";
    String yaml = String.join("\n",
        "public_url: ${TORII_PUBLIC_URL}",
        "backends:",
        "  - name: petstore",
        "    spec_url: " + spec("petstore-v3.yaml"),
        "    base_url: " + base + "/api/v3",
        login,
        "  - name: github",
        "    spec_url: " + spec("github-api.github.com-2022-06.json"),
        "    base_url: " + base,
        login,
        "  - name: kubernetes",
        "    spec_url: " + spec("kubernetes-v1.36-swagger.json"),
        "    base_url: " + base,
        login,
        "storage: {derby_directory: target/it-data/large-apis-" + System.nanoTime() + "}",
        "sealing: {keys: [{id: k, secret: AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=}]}", "");
    Path config = Files.createDirectories(Path.of("target/it-config")).resolve("large-apis.yaml");
    Files.writeString(config, yaml);
    gateway = GatewayProcess.start("large-apis", config, Map.of());
    try {
      gateway.awaitReady(Duration.ofSeconds(300)); // boots slowly on a loaded 2-core machine
    } catch (Exception | AssertionError e) {
      close();
      throw e;
    }
  }

  /** The running gateway, started on first use. */
  public static synchronized LargeApisGateway get() throws Exception {
    if (shared == null) {
      shared = new LargeApisGateway();
      LargeApisGateway started = shared;
      Runtime.getRuntime().addShutdownHook(new Thread(started::close, "large-apis-gateway-stop"));
    }
    return shared;
  }

  public GatewayProcess gateway() {
    return gateway;
  }

  /** Every API request the upstream received so far, oldest first, as it arrived. */
  public List<String> received() {
    return received;
  }

  private void close() {
    if (gateway != null) {
      gateway.close();
    }
    upstream.stop(0);
  }

  private static String spec(String name) throws java.io.IOException {
    return SpecCorpus.named(name).root().toAbsolutePath().normalize().toString();
  }
}
