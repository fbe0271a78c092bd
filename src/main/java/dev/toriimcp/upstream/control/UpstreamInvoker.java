package dev.toriimcp.upstream.control;

import dev.toriimcp.upstream.entity.UpstreamRequest;
import dev.toriimcp.upstream.entity.UpstreamResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.HttpRequestRetryStrategy;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.NoHttpResponseException;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.http.io.SocketConfig;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

/**
 * Sends upstream requests with Apache HttpClient 5 classic (ADR 0018): one shared pool of
 * keep-alive connections, connect and total timeouts, redirects never followed (a redirect
 * could carry the user's credential to another host), no cookies, no retries (but one of an
 * idempotent request the server closed its connection on, see {@link ClosedConnectionRetry}), no content
 * decoding, the body read only up to the size limit. Each call runs on a thread of the invoker,
 * at most {@code concurrency} at once, and the whole exchange (writing the request, reading the
 * answer) happens on that thread with blocking sockets: no selector thread and no hand-off per
 * call. The caller gets a future; cancelling it aborts the exchange and closes its connection,
 * which is how {@code notifications/cancelled} stops a call.
 */
public final class UpstreamInvoker implements AutoCloseable {

  /** The upstream did not answer in time or could not be reached. */
  public static final class UnreachableException extends Exception {
    private static final long serialVersionUID = 1L;

    UnreachableException(String message) {
      super(message, null, false, false);
    }
  }

  /** The request could not be built: a header value or the URL is not valid HTTP. */
  static final class InvalidRequestException extends Exception {
    private static final long serialVersionUID = 1L;

    InvalidRequestException() {
      super("invalid request", null, false, false);
    }
  }

  /** The call was cancelled before the upstream answered. */
  public static final class CancelledException extends Exception {
    private static final long serialVersionUID = 1L;

    CancelledException() {
      super("cancelled", null, false, false);
    }
  }

  /**
   * Headers that frame the message or the connection (RFC 9112 §6, §9.6; RFC 9110 §7.2, §7.6.1,
   * §7.8, §10.1.1): the client sets them itself, and a value from elsewhere could smuggle a
   * second request. The same set {@code java.net.http} refuses, and the framing headers beside it.
   */
  private static final Set<String> RESTRICTED = Set.of("connection", "content-length", "expect", "host",
      "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade");

  private static final AtomicInteger CLIENTS = new AtomicInteger();

  private final ThreadPoolExecutor callers;
  private final ScheduledThreadPoolExecutor timeouts;
  private final CloseableHttpClient http;
  private final Duration timeout;
  private final int maxBytes;

  /**
   * @param concurrency how many calls run at once; further calls wait for a thread, within their
   *     own total timeout
   */
  public UpstreamInvoker(Duration connectTimeout, Duration timeout, int maxBytes, int concurrency) {
    int client = CLIENTS.incrementAndGet();
    // The threads that run the calls, created on demand up to the limit and reused (ADR 0010).
    this.callers = new ThreadPoolExecutor(concurrency, concurrency, 60, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), threads("torii-call-" + client));
    callers.allowCoreThreadTimeOut(true);
    // Our own timer rather than CompletableFuture.orTimeout: that one's shared JVM-wide thread
    // would run the answer of every timed-out call, and it keeps each cancelled timer until it
    // would have fired (at 6k calls/s and 30 s, some 200k of them).
    this.timeouts = new ScheduledThreadPoolExecutor(1, threads("torii-timeout-" + client));
    timeouts.setRemoveOnCancelPolicy(true);
    Timeout total = Timeout.of(timeout);
    PoolingHttpClientConnectionManager connections = PoolingHttpClientConnectionManagerBuilder.create()
        // As many connections as calls may run: a call never waits for a connection.
        .setMaxConnTotal(concurrency).setMaxConnPerRoute(concurrency)
        .setDefaultSocketConfig(SocketConfig.custom().setTcpNoDelay(true).setSoTimeout(total).build())
        .setDefaultConnectionConfig(ConnectionConfig.custom().setConnectTimeout(Timeout.of(connectTimeout))
            .setSocketTimeout(total)
            // A connection idle for a second is checked before reuse: servers close idle ones
            // (Node.js after 5 s), and a request sent into a closed connection would fail.
            .setValidateAfterInactivity(TimeValue.ofSeconds(1)).build())
        .build();
    this.http = HttpClients.custom().setConnectionManager(connections)
        // A redirect could carry the credential to another host; the answer goes to the user.
        .disableRedirectHandling()
        // One user's cookies must never reach another user's call.
        .disableCookieManagement()
        // The size limit counts bytes on the wire; decoding would let a small body grow.
        .disableContentCompression()
        // Only a reused connection the server had closed, for an idempotent method (below).
        .setRetryStrategy(new ClosedConnectionRetry())
        .disableAuthCaching()
        .evictIdleConnections(TimeValue.ofSeconds(30))
        .setDefaultRequestConfig(RequestConfig.custom().setConnectionRequestTimeout(total)
            .setResponseTimeout(total).build())
        .build();
    this.timeout = timeout;
    this.maxBytes = maxBytes;
  }

  private static ThreadFactory threads(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return task -> {
      Thread thread = new Thread(task, prefix + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  /** Stops the calls in flight, their threads and the connections (the application is stopping). */
  @Override
  public void close() {
    callers.shutdownNow();
    timeouts.shutdownNow();
    http.close(CloseMode.IMMEDIATE);
  }

  /**
   * Starts the exchange. The future completes with the response, or exceptionally ({@link
   * #translate} says what a failure means); cancel it to abort the exchange.
   */
  public CompletableFuture<UpstreamResponse> start(UpstreamRequest request) {
    HttpUriRequestBase built;
    try {
      built = build(request);
    } catch (InvalidRequestException e) {
      return CompletableFuture.failedFuture(e);
    }
    CompletableFuture<UpstreamResponse> result = new CompletableFuture<>();
    Future<?> exchange;
    try {
      exchange = callers.submit(() -> exchange(built, result));
    } catch (RejectedExecutionException e) {
      return CompletableFuture.failedFuture(new InterruptedIOException("the gateway is stopping"));
    }
    // The client's timeouts bound the connect and each read; this one bounds the whole
    // exchange: a body that trickles or never ends, and a call still waiting for a thread.
    ScheduledFuture<?> timer;
    try {
      timer = timeouts.schedule(() -> result.completeExceptionally(new TimeoutException()),
          timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      exchange.cancel(false);
      built.cancel();
      return CompletableFuture.failedFuture(new InterruptedIOException("the gateway is stopping"));
    }
    // On cancel and timeout: abort the exchange, which closes its connection (a blocked read
    // then fails on the call's thread), and drop the call if it still waits for a thread.
    result.whenComplete((response, failure) -> {
      timer.cancel(false);
      if (failure instanceof CancellationException || failure instanceof TimeoutException) {
        exchange.cancel(false);
        built.cancel();
      }
    });
    return result;
  }

  /**
   * The request as the client sends it, refused when a header or the URI is not valid HTTP:
   * the client would write it as it is, and a CR or LF in a value would start a new header or
   * request (RFC 9110 §5.5, RFC 9112 §2.2).
   */
  private static HttpUriRequestBase build(UpstreamRequest request) throws InvalidRequestException {
    URI uri = request.uri();
    if (uri.getScheme() == null || !(uri.getScheme().equalsIgnoreCase("http") || uri.getScheme().equalsIgnoreCase("https"))
        || uri.getHost() == null || !token(request.method())) {
      throw new InvalidRequestException();
    }
    HttpUriRequestBase built = new HttpUriRequestBase(request.method(), uri);
    for (var header : request.headers().entrySet()) {
      if (!token(header.getKey()) || RESTRICTED.contains(header.getKey().toLowerCase(Locale.ROOT))) {
        throw new InvalidRequestException();
      }
      for (String value : header.getValue()) {
        if (!fieldValue(value)) {
          throw new InvalidRequestException();
        }
        built.addHeader(header.getKey(), value);
      }
    }
    if (request.body() != null) {
      // No type of its own: the Content-Type header set above is the one sent.
      built.setEntity(new ByteArrayEntity(request.body(), null));
    }
    return built;
  }

  /** RFC 9110 §5.6.2 token: visible ASCII except delimiters. */
  static boolean token(String s) {
    if (s == null || s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c <= 0x20 || c >= 0x7f || "\"(),/:;<=>?@[\\]{}".indexOf(c) >= 0) {
        return false;
      }
    }
    return true;
  }

  /** RFC 9110 §5.5 field value: visible characters, space and tab; no CR, LF, NUL or controls. */
  static boolean fieldValue(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if ((c < 0x20 && c != '\t') || c == 0x7f || c > 0xff) {
        return false;
      }
    }
    return true;
  }

  private void exchange(HttpUriRequestBase request, CompletableFuture<UpstreamResponse> result) {
    if (result.isDone()) {
      return; // cancelled or timed out while waiting for a thread
    }
    boolean whole = false;
    try (ClassicHttpResponse response = http.executeOpen(null, request, null)) {
      HttpEntity entity = response.getEntity();
      Header type = response.getFirstHeader("Content-Type");
      byte[] body = new byte[0];
      boolean truncated = false;
      if (entity != null) {
        try (InputStream in = entity.getContent()) {
          body = in.readNBytes(maxBytes);
          truncated = in.read() >= 0;
          whole = !truncated;
          if (truncated) {
            // Closing the stream would read the rest of the body to keep the connection;
            // aborting closes the connection instead.
            request.cancel();
          }
        }
      } else {
        whole = true;
      }
      result.complete(new UpstreamResponse(response.getCode(), type == null ? null : type.getValue(),
          body, truncated));
    } catch (IOException | RuntimeException e) {
      // After a cancel or a timeout the result is complete already; this changes nothing.
      result.completeExceptionally(e);
    } finally {
      if (!whole) {
        request.cancel(); // never return a connection with an unread answer to the pool
      }
    }
  }

  /**
   * Sends an idempotent request once more, at once, when the server closed a reused connection
   * without answering ({@code NoHttpResponseException}): servers may close idle connections at
   * any time (RFC 9112 §9.5), and RFC 9110 §9.2.2 allows retrying idempotent methods then, as
   * {@code java.net.http} did. Nothing else is retried: not another failure, not a status
   * (429 and 503 are the user's to see), and never POST or PATCH, which may run twice upstream.
   */
  static final class ClosedConnectionRetry implements HttpRequestRetryStrategy {
    private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE");

    @Override
    public boolean retryRequest(HttpRequest request, IOException exception, int execCount, HttpContext context) {
      return execCount <= 1 && exception instanceof NoHttpResponseException
          && IDEMPOTENT.contains(request.getMethod().toUpperCase(Locale.ROOT));
    }

    @Override
    public boolean retryRequest(HttpResponse response, int execCount, HttpContext context) {
      return false;
    }

    @Override
    public TimeValue getRetryInterval(HttpResponse response, int execCount, HttpContext context) {
      return TimeValue.ZERO_MILLISECONDS;
    }
  }

  /** The total timeout of each call. */
  public Duration timeout() {
    return timeout;
  }

  /**
   * What a failed exchange means for the caller: {@link CancelledException} or
   * {@link UnreachableException} with a message fit for the user (no host names or stack).
   */
  public static Exception translate(Throwable failure, Duration timeout) {
    Throwable cause = failure instanceof CompletionException c && c.getCause() != null
        ? c.getCause() : failure;
    if (cause instanceof CancellationException) {
      return new CancelledException();
    }
    if (cause instanceof TimeoutException || cause instanceof SocketTimeoutException
        || cause instanceof ConnectTimeoutException) {
      return new UnreachableException("did not answer within " + timeout.toSeconds() + " s");
    }
    if (cause instanceof InvalidRequestException) {
      return new UnreachableException(
          "was not called: a header value or the URL of the request is not valid HTTP");
    }
    if (cause instanceof IOException) {
      return new UnreachableException("cannot be reached (" + cause.getClass().getSimpleName() + ")");
    }
    return new UnreachableException("failed (" + cause.getClass().getSimpleName() + ")");
  }
}
