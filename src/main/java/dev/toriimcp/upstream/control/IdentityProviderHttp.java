package dev.toriimcp.upstream.control;

import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.util.Timeout;

/**
 * The gateway's HTTP exchanges with backends' identity providers: discovery, keys, token
 * endpoint, user info. Nimbus builds and parses the OAuth messages; this class only carries them,
 * with the egress rules of every other outbound call: one deadline over the whole exchange
 * (a timer aborts the request, so a provider trickling its body cannot hold a thread), a size cap
 * on the answer, no redirects, no cookies, no retries (ADR 0020).
 */
public final class IdentityProviderHttp implements AutoCloseable {

  /** Whole-exchange deadline of one request to an identity provider. */
  public static final Duration DEADLINE = Duration.ofSeconds(10);
  /** Largest answer read from an identity provider (metadata, keys and tokens are small). */
  public static final int MAX_BODY = 512 * 1024;

  private final CloseableHttpClient http;
  private final ScheduledExecutorService alarms;
  private final Duration deadline;

  public IdentityProviderHttp() {
    this(DEADLINE);
  }

  IdentityProviderHttp(Duration deadline) {
    this.deadline = deadline;
    this.http = HttpClients.custom()
        .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
            .setMaxConnTotal(64).setMaxConnPerRoute(16)
            .setDefaultConnectionConfig(ConnectionConfig.custom()
                .setConnectTimeout(Timeout.of(deadline)).setSocketTimeout(Timeout.of(deadline))
                .build())
            .build())
        .disableRedirectHandling().disableAutomaticRetries().disableCookieManagement()
        .disableAuthCaching().disableContentCompression().useSystemProperties()
        .setUserAgent("torii-mcp").build();
    this.alarms = dev.toriimcp.platform.control.DeadlineTimers.create("torii-idp-deadline");
  }

  /** Sends a Nimbus request and returns the provider's answer as a Nimbus response. */
  public HTTPResponse send(HTTPRequest request) throws IOException {
    HttpUriRequestBase outbound = new HttpUriRequestBase(request.getMethod().name(),
        URI.create(request.getURL().toString()));
    for (Map.Entry<String, List<String>> header : request.getHeaderMap().entrySet()) {
      for (String value : header.getValue()) {
        outbound.addHeader(header.getKey(), value);
      }
    }
    if (request.getBody() != null) {
      outbound.setEntity(new ByteArrayEntity(request.getBody().getBytes(StandardCharsets.UTF_8),
          null));
    }
    return exchange(outbound);
  }

  /** A GET of a JSON document (metadata, keys, user info) with optional extra headers. */
  public HTTPResponse get(URI url, Map<String, String> headers) throws IOException {
    HttpUriRequestBase get = new HttpUriRequestBase("GET", url);
    get.setHeader("Accept", "application/json");
    headers.forEach(get::setHeader);
    return exchange(get);
  }

  private HTTPResponse exchange(HttpUriRequestBase outbound) throws IOException {
    outbound.setConfig(RequestConfig.custom().setResponseTimeout(Timeout.of(deadline))
        .setConnectionRequestTimeout(Timeout.of(deadline)).build());
    ScheduledFuture<?> alarm = alarms.schedule(outbound::cancel, deadline.toMillis(),
        TimeUnit.MILLISECONDS);
    ClassicHttpResponse response = null;
    try {
      response = http.executeOpen(null, outbound, null);
      byte[] body = read(response);
      if (outbound.isCancelled()) {
        throw new IOException("no complete answer within " + deadline.toSeconds() + " s");
      }
      if (body.length > MAX_BODY) {
        outbound.cancel(); // closes the connection instead of reading the rest
        throw new IOException("answer larger than " + MAX_BODY + " bytes");
      }
      HTTPResponse answer = new HTTPResponse(response.getCode());
      Map<String, List<String>> headers = new java.util.LinkedHashMap<>();
      for (Header header : response.getHeaders()) {
        headers.computeIfAbsent(header.getName(), n -> new java.util.ArrayList<>())
            .add(header.getValue());
      }
      headers.forEach((name, values) -> answer.setHeader(name, values.toArray(String[]::new)));
      answer.setBody(new String(body, StandardCharsets.UTF_8));
      return answer;
    } catch (IOException e) {
      if (outbound.isCancelled()) {
        throw new IOException("no complete answer within " + deadline.toSeconds() + " s", e);
      }
      throw e;
    } finally {
      alarm.cancel(false);
      if (response != null) {
        try {
          response.close();
        } catch (IOException ignored) {
          // aborted
        }
      }
    }
  }

  private static byte[] read(ClassicHttpResponse response) throws IOException {
    if (response.getEntity() == null) {
      return new byte[0];
    }
    // Not closed here: closing would read the rest of an oversized body.
    InputStream in = response.getEntity().getContent();
    return in.readNBytes(MAX_BODY + 1);
  }

  @Override
  public void close() throws IOException {
    alarms.shutdownNow();
    http.close();
  }
}
