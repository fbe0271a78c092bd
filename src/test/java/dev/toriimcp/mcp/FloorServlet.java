package dev.toriimcp.mcp;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;

/**
 * The benchmark's floor: the gateway's request path with none of its logic. An asynchronous
 * servlet that sends each POST on as a GET to one upstream URL, from a bounded pool, and writes
 * the upstream's body back: the same container, threads and hand-offs as a {@code tools/call}
 * (ADR 0010), but no token, session, JSON-RPC, validation, credential, mapping or audit.
 * McpBenchmark deploys it in its own WAR next to the gateway, in the same Payara Micro; it is
 * never part of the gateway's WAR. The outbound client is one of the candidates of ADR 0018
 * ({@link FloorClients}), named by the context path.
 */
@WebServlet(urlPatterns = "/*", asyncSupported = true)
public class FloorServlet extends HttpServlet {

  private static final long serialVersionUID = 1L;
  /** Environment variable with the upstream URL; set by McpBenchmark on the gateway's process. */
  static final String UPSTREAM = "TORII_BENCH_FLOOR_UPSTREAM";

  private transient ExecutorService callers;
  private transient FloorClients.Client http;

  @Override
  public void init() {
    URI upstream = URI.create(System.getenv(UPSTREAM));
    callers = Executors.newFixedThreadPool(64);
    // Deployed at /floor (the gateway's client, Apache HttpClient 5) or /floor-<client>, e.g. /floor-jdk.
    String context = getServletContext().getContextPath();
    http = FloorClients.create(context.startsWith("/floor-") ? context.substring(7) : "apache", upstream);
  }

  @Override
  public void destroy() {
    callers.shutdownNow();
    http.close();
  }

  @Override
  protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
    request.getInputStream().readAllBytes();
    AsyncContext async = request.startAsync();
    async.setTimeout(0);
    try {
      callers.execute(() -> {
        try {
          byte[] body = http.get();
          response.setContentType("application/json");
          response.setContentLength(body.length);
          try (OutputStream out = response.getOutputStream()) {
            out.write(body);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          response.setStatus(503);
        } catch (Exception e) {
          response.setStatus(502);
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
