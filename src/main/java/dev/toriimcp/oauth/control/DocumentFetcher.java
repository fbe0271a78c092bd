package dev.toriimcp.oauth.control;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.ClientTlsStrategyBuilder;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.util.Timeout;

/**
 * One HTTPS GET of a client ID metadata document, sent to an address that was already resolved
 * and checked (ADR 0012). The connection goes to that {@link InetAddress} while TLS (SNI and
 * certificate host name verification) and the {@code Host} header use the URL's host name: a
 * second DNS look-up, which a rebinding name server could answer with an internal address
 * (research CM-9), never happens. The client's own resolver refuses every name to keep it so.
 *
 * <p>The whole exchange (connect, TLS handshake, headers and body) ends at one deadline: a timer
 * aborts the request, which closes the socket under a blocked read. Per-read socket timeouts
 * alone would let a server that sends one byte before each timeout hold the fetch for hours.
 * No redirects, retries, cookies, compression, proxies or connection reuse.
 */
final class DocumentFetcher {

  /** What came back: status, the two headers that matter, and at most {@code limit + 1} bytes. */
  record Fetched(int status, String contentType, String cacheControl, byte[] body) {}

  private static final DnsResolver NO_LOOKUPS = new DnsResolver() {
    @Override
    public InetAddress[] resolve(String host) throws UnknownHostException {
      throw new UnknownHostException("no second resolution of " + host);
    }

    @Override
    public String resolveCanonicalHostname(String host) throws UnknownHostException {
      throw new UnknownHostException("no second resolution of " + host);
    }
  };

  private final CloseableHttpClient http;
  private final ScheduledExecutorService alarms;

  DocumentFetcher(SSLContext tls, int connections) {
    this.http = HttpClients.custom()
        .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
            .setDnsResolver(NO_LOOKUPS)
            .setTlsSocketStrategy(ClientTlsStrategyBuilder.create().setSslContext(tls).buildClassic())
            .setMaxConnTotal(connections).setMaxConnPerRoute(connections)
            .setDefaultConnectionConfig(ConnectionConfig.custom()
                .setConnectTimeout(Timeout.of(ClientMetadataDocuments.TIMEOUT))
                .setSocketTimeout(Timeout.of(ClientMetadataDocuments.TIMEOUT)).build())
            .build())
        .setConnectionReuseStrategy((request, response, context) -> false)
        .disableRedirectHandling().disableAutomaticRetries().disableCookieManagement()
        .disableAuthCaching().disableContentCompression()
        .setUserAgent("torii-mcp").build();
    this.alarms = dev.toriimcp.platform.control.DeadlineTimers.create("torii-cimd-deadline");
  }

  /**
   * GETs {@code url} from {@code address}, reading at most {@code limit + 1} body bytes, all
   * before {@code deadline}; an {@link IOException} when the deadline passes or the exchange
   * fails.
   */
  Fetched get(URI url, InetAddress address, int limit, Instant deadline) throws IOException {
    long remaining = Duration.between(Instant.now(), deadline).toMillis();
    if (remaining <= 0) {
      throw new IOException("deadline passed before connecting");
    }
    HttpGet get = new HttpGet(url);
    get.setHeader("Accept", "application/json");
    get.setConfig(RequestConfig.custom().setResponseTimeout(Timeout.ofMilliseconds(remaining))
        .setConnectionRequestTimeout(Timeout.ofMilliseconds(remaining)).build());
    String host = url.getHost().startsWith("[")
        ? url.getHost().substring(1, url.getHost().length() - 1) : url.getHost();
    HttpHost target = new HttpHost("https", address, host, url.getPort() < 0 ? 443 : url.getPort());
    ScheduledFuture<?> alarm = alarms.schedule(get::cancel, remaining, TimeUnit.MILLISECONDS);
    ClassicHttpResponse response = null;
    try {
      response = http.executeOpen(target, get, null);
      byte[] body = read(response.getEntity(), limit + 1);
      if (get.isCancelled()) {
        throw new IOException("deadline passed");
      }
      return new Fetched(response.getCode(), header(response, "Content-Type"),
          header(response, "Cache-Control"), body);
    } catch (IOException e) {
      if (get.isCancelled()) {
        throw new IOException("deadline passed", e);
      }
      throw e;
    } finally {
      alarm.cancel(false);
      get.cancel(); // whatever is left unread, the connection is closed now
      if (response != null) {
        try {
          response.close();
        } catch (IOException ignored) {
          // already aborted
        }
      }
    }
  }

  private static byte[] read(HttpEntity entity, int max) throws IOException {
    if (entity == null) {
      return new byte[0];
    }
    // Not closed: closing would read the rest of the body; the caller aborts the exchange.
    InputStream in = entity.getContent();
    return in.readNBytes(max);
  }

  private static String header(ClassicHttpResponse response, String name) {
    Header header = response.getFirstHeader(name);
    return header == null ? "" : header.getValue();
  }
}
