package dev.toriimcp.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A token endpoint in front of a real one (mock-oauth2-server's): it passes every request on,
 * unless an answer was queued with {@link #answerNext}, which the next request gets instead.
 * For tests of what a gateway does with token responses a real server would not give (a refused
 * code, an ID token with a bad signature, known token values).
 */
public final class TokenEndpointStub implements AutoCloseable {

  private record Answer(int status, String json) {}

  private final HttpServer server;
  private final Queue<Answer> queued = new ConcurrentLinkedQueue<>();
  private final HttpClient http = HttpClient.newHttpClient();

  public TokenEndpointStub(URI target) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/token", exchange -> {
      byte[] body = exchange.getRequestBody().readAllBytes();
      Answer answer = queued.poll();
      if (answer == null) {
        HttpRequest.Builder forward = HttpRequest.newBuilder(target)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        for (String name : new String[] {"Authorization", "Content-Type", "Accept"}) {
          String value = exchange.getRequestHeaders().getFirst(name);
          if (value != null) {
            forward.header(name, value);
          }
        }
        try {
          HttpResponse<String> real = http.send(forward.build(),
              HttpResponse.BodyHandlers.ofString());
          answer = new Answer(real.statusCode(), real.body());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          answer = new Answer(502, "{}");
        }
      }
      Exchanges.json(exchange, answer.status(), answer.json().getBytes(StandardCharsets.UTF_8));
    });
    server.start();
  }

  /** The stub's token endpoint. */
  public URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/token");
  }

  /** The next token request is answered with this status and JSON body. */
  public void answerNext(int status, String json) {
    queued.add(new Answer(status, json));
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
