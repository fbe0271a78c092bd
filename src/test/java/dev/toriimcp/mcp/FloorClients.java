package dev.toriimcp.mcp;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.io.SocketConfig;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.util.Timeout;

/**
 * The outbound HTTP clients the floor can measure (ADR 0018), each sending the same GET with
 * the same headers and a 30 s timeout, blocking on the calling thread of the floor's pool:
 * {@code jdk} ({@code java.net.http}, the gateway's client until ADR 0018), {@code apache}
 * (Apache HttpClient 5 classic: blocking sockets, the exchange on the calling thread; the
 * gateway's client since ADR 0018) and
 * {@code jetty} (Jetty 12's client: its own selector and thread pool, like {@code java.net.http}).
 */
final class FloorClients {

  private FloorClients() {}

  /** One candidate: a GET of the upstream URL, the body as bytes. */
  interface Client extends AutoCloseable {
    byte[] get() throws Exception;

    @Override
    void close();
  }

  static Client create(String name, URI upstream) {
    return switch (name) {
      case "jdk" -> jdk(upstream);
      case "apache" -> apache(upstream);
      case "jetty" -> jetty(upstream);
      default -> throw new IllegalArgumentException("no floor client " + name + "; jdk, apache or jetty");
    };
  }

  private static Client jdk(URI upstream) {
    ExecutorService threads = Executors.newFixedThreadPool(4);
    HttpClient http = HttpClient.newBuilder().executor(threads).version(HttpClient.Version.HTTP_1_1)
        .followRedirects(HttpClient.Redirect.NEVER).build();
    HttpRequest call = HttpRequest.newBuilder(upstream).timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer bench-upstream-token").header("Accept", "application/json")
        .GET().build();
    return new Client() {
      @Override
      public byte[] get() throws Exception {
        return http.send(call, HttpResponse.BodyHandlers.ofByteArray()).body();
      }

      @Override
      public void close() {
        threads.shutdownNow();
      }
    };
  }

  private static Client apache(URI upstream) {
    PoolingHttpClientConnectionManager pool = PoolingHttpClientConnectionManagerBuilder.create()
        .setMaxConnTotal(256).setMaxConnPerRoute(256)
        .setDefaultSocketConfig(SocketConfig.custom().setTcpNoDelay(true).build())
        .setDefaultConnectionConfig(ConnectionConfig.custom().setConnectTimeout(Timeout.ofSeconds(5))
            .setSocketTimeout(Timeout.ofSeconds(30))
            // As the gateway's invoker: a connection idle for a second is checked before reuse.
            .setValidateAfterInactivity(org.apache.hc.core5.util.TimeValue.ofSeconds(1)).build())
        .build();
    CloseableHttpClient http = HttpClients.custom().setConnectionManager(pool).disableRedirectHandling()
        // As the gateway's invoker: an idempotent request on a connection the server closed is
        // sent once more (the JDK test server closes idle connections beyond 200 at once).
        .setRetryStrategy(new org.apache.hc.client5.http.impl.DefaultHttpRequestRetryStrategy(1,
            org.apache.hc.core5.util.TimeValue.ZERO_MILLISECONDS))
        .disableContentCompression().disableCookieManagement()
        .setDefaultRequestConfig(RequestConfig.custom().setResponseTimeout(Timeout.ofSeconds(30)).build())
        .build();
    return new Client() {
      @Override
      public byte[] get() throws IOException {
        HttpGet call = new HttpGet(upstream);
        call.setHeader("Authorization", "Bearer bench-upstream-token");
        call.setHeader("Accept", "application/json");
        return http.execute(call, response -> EntityUtils.toByteArray(response.getEntity()));
      }

      @Override
      public void close() {
        try {
          http.close();
        } catch (IOException ignored) {
          // stopping
        }
      }
    };
  }

  private static Client jetty(URI upstream) {
    org.eclipse.jetty.client.HttpClient http = new org.eclipse.jetty.client.HttpClient();
    http.setFollowRedirects(false);
    http.setMaxConnectionsPerDestination(256);
    http.setConnectTimeout(5000);
    try {
      http.start();
    } catch (Exception e) {
      throw new IllegalStateException("Jetty's client did not start", e);
    }
    return new Client() {
      @Override
      public byte[] get() throws Exception {
        return http.newRequest(upstream).headers(h -> h.put("Authorization", "Bearer bench-upstream-token")
            .put("Accept", "application/json")).timeout(30, TimeUnit.SECONDS).send().getContent();
      }

      @Override
      public void close() {
        try {
          http.stop();
        } catch (Exception ignored) {
          // stopping
        }
      }
    };
  }
}
