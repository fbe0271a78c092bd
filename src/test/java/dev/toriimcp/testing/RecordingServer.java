package dev.toriimcp.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real HTTP server on loopback that records every request it receives exactly as it arrived
 * (raw path and query, headers, body bytes) and answers 200 with an empty JSON object.
 */
public final class RecordingServer implements AutoCloseable {

  /** One received request. */
  public record Received(String method, String rawPath, String rawQuery,
      Map<String, List<String>> headers, byte[] body) {

    public String header(String name) {
      List<String> values = headers.get(name.toLowerCase());
      return values == null ? null : String.join(", ", values);
    }

    public String bodyText() {
      return new String(body, java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  private final HttpServer server;
  private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();

  public RecordingServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      Map<String, List<String>> headers = new TreeMap<>();
      exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(), List.copyOf(v)));
      byte[] body = exchange.getRequestBody().readAllBytes();
      received.add(new Received(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
          exchange.getRequestURI().getRawQuery(), headers, body));
      byte[] answer = "{}".getBytes();
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, answer.length);
      exchange.getResponseBody().write(answer);
      exchange.close();
    });
    server.start();
  }

  public URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  public Received take() throws InterruptedException {
    Received next = received.poll(10, TimeUnit.SECONDS);
    if (next == null) {
      throw new AssertionError("the server received no request");
    }
    return next;
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
