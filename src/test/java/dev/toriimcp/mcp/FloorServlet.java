package dev.toriimcp.mcp;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;

/**
 * The benchmark's floor: the gateway's request path with none of its logic. An asynchronous
 * servlet that sends each POST on as a GET to one upstream URL with {@code java.net.http}, from
 * a bounded pool, and writes the upstream's body back: the same container, client, threads and
 * hand-offs as a {@code tools/call} (ADR 0010), but no token, session, JSON-RPC, validation,
 * credential, mapping or audit. McpBenchmark deploys it in its own WAR next to the gateway, in
 * the same Payara Micro; it is never part of the gateway's WAR.
 */
@WebServlet(urlPatterns = "/*", asyncSupported = true)
public class FloorServlet extends HttpServlet {

  private static final long serialVersionUID = 1L;
  /** Environment variable with the upstream URL; set by McpBenchmark on the gateway's process. */
  static final String UPSTREAM = "TORII_BENCH_FLOOR_UPSTREAM";

  private transient ExecutorService callers;
  private transient ExecutorService clientThreads;
  private transient HttpClient http;
  private transient URI upstream;

  @Override
  public void init() {
    upstream = URI.create(System.getenv(UPSTREAM));
    callers = Executors.newFixedThreadPool(64);
    clientThreads = Executors.newFixedThreadPool(4);
    http = HttpClient.newBuilder().executor(clientThreads).version(HttpClient.Version.HTTP_1_1)
        .followRedirects(HttpClient.Redirect.NEVER).build();
  }

  @Override
  public void destroy() {
    callers.shutdownNow();
    clientThreads.shutdownNow();
  }

  @Override
  protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
    request.getInputStream().readAllBytes();
    HttpRequest call = HttpRequest.newBuilder(upstream).timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer bench-upstream-token").header("Accept", "application/json")
        .GET().build();
    AsyncContext async = request.startAsync();
    async.setTimeout(0);
    try {
      callers.execute(() -> {
        try {
          byte[] body = http.send(call, HttpResponse.BodyHandlers.ofByteArray()).body();
          response.setContentType("application/json");
          response.setContentLength(body.length);
          try (OutputStream out = response.getOutputStream()) {
            out.write(body);
          }
        } catch (IOException | RuntimeException e) {
          response.setStatus(502);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          response.setStatus(503);
        } finally {
          async.complete();
        }
      });
    } catch (RejectedExecutionException e) {
      response.setStatus(503);
      async.complete();
    }
  }
}
