package dev.toriimcp.upstream.control;

import dev.toriimcp.upstream.entity.UpstreamRequest;
import dev.toriimcp.upstream.entity.UpstreamResponse;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Sends upstream requests with {@code java.net.http}: one shared client (connection reuse),
 * connect and total timeouts, redirects never followed (a redirect could carry the user's
 * credential to another host), the body read only up to the size limit.
 */
public final class UpstreamInvoker {

  /** The upstream did not answer in time or could not be reached. */
  public static final class UnreachableException extends Exception {
    private static final long serialVersionUID = 1L;

    UnreachableException(String message) {
      super(message, null, false, false);
    }
  }

  private final HttpClient http;
  private final Duration timeout;
  private final int maxBytes;

  public UpstreamInvoker(Duration connectTimeout, Duration timeout, int maxBytes) {
    this.http = HttpClient.newBuilder().connectTimeout(connectTimeout)
        .followRedirects(HttpClient.Redirect.NEVER).build();
    this.timeout = timeout;
    this.maxBytes = maxBytes;
  }

  public UpstreamResponse send(UpstreamRequest request) throws UnreachableException {
    HttpRequest.Builder builder = HttpRequest.newBuilder(request.uri()).timeout(timeout)
        // Plain-text HTTP/2 would need an h2c upgrade attempt on every new request, which most
        // servers ignore and which defeats connection reuse; https negotiates HTTP/2 by ALPN.
        .version("http".equalsIgnoreCase(request.uri().getScheme())
            ? HttpClient.Version.HTTP_1_1 : HttpClient.Version.HTTP_2)
        .method(request.method(), request.body() == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofByteArray(request.body()));
    request.headers().forEach((name, values) -> values.forEach(v -> builder.header(name, v)));
    try {
      HttpResponse<InputStream> response = http.send(builder.build(),
          HttpResponse.BodyHandlers.ofInputStream());
      byte[] body;
      boolean truncated;
      try (InputStream in = response.body()) {
        byte[] read = in.readNBytes(maxBytes + 1);
        truncated = read.length > maxBytes;
        body = truncated ? java.util.Arrays.copyOf(read, maxBytes) : read;
      }
      return new UpstreamResponse(response.statusCode(),
          response.headers().firstValue("Content-Type").orElse(null), body, truncated);
    } catch (java.net.http.HttpTimeoutException e) {
      throw new UnreachableException("did not answer within " + timeout.toSeconds() + " s");
    } catch (IOException e) {
      throw new UnreachableException("cannot be reached (" + e.getClass().getSimpleName() + ")");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UnreachableException("the call was interrupted");
    } catch (IllegalArgumentException e) {
      throw new UnreachableException("the request is not valid: " + e.getMessage());
    }
  }
}
