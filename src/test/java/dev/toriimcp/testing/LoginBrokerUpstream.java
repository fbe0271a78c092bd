package dev.toriimcp.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * A real loopback upstream behind the login broker: {@code /login} turns user {@code u} with
 * password {@code secret} into the upstream token {@code upstream-u-token} (401 otherwise), and
 * the petstore API under {@code /api/v3} answers a pet and records each call as {@code "METHOD
 * path\nAuthorization: …\nMcp-Session-Id: …"}, so tests can check who called and what leaked.
 */
public final class LoginBrokerUpstream implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer server;
  private final List<String> received = new CopyOnWriteArrayList<>();

  private LoginBrokerUpstream() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/login", exchange -> {
      JsonNode login = JSON.readTree(exchange.getRequestBody().readAllBytes());
      boolean ok = "secret".equals(login.path("password").asText());
      Exchanges.json(exchange, ok ? 200 : 401, (ok ? "{\"access_token\": \"upstream-"
          + login.path("username").asText() + "-token\"}" : "{\"error\": \"no\"}")
          .getBytes(StandardCharsets.UTF_8));
    });
    server.createContext("/api/v3", exchange -> {
      String path = exchange.getRequestURI().getRawPath();
      received.add(exchange.getRequestMethod() + " " + path + "\nAuthorization: "
          + exchange.getRequestHeaders().getFirst("Authorization") + "\nMcp-Session-Id: "
          + exchange.getRequestHeaders().getFirst("Mcp-Session-Id"));
      String id = path.replaceAll(".*/", "");
      Exchanges.json(exchange, 200, ("{\"id\": " + (id.matches("\\d+") ? id : "0")
          + ", \"name\": \"Rex\", \"photoUrls\": []}").getBytes(StandardCharsets.UTF_8));
    });
    server.setExecutor(Executors.newFixedThreadPool(4));
    server.start();
  }

  public static LoginBrokerUpstream start() throws IOException {
    return new LoginBrokerUpstream();
  }

  /** {@code http://127.0.0.1:PORT}. */
  public String base() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Every API call so far, oldest first. */
  public List<String> received() {
    return received;
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
