package dev.toriimcp.upstream.control;

import dev.toriimcp.upstream.entity.UpstreamRequest;
import dev.toriimcp.upstream.entity.UpstreamResponse;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
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

/**
 * Sends upstream requests with {@code java.net.http}: one shared client (connection reuse),
 * connect and total timeouts, redirects never followed (a redirect could carry the user's
 * credential to another host), the body collected only up to the size limit. Each call runs on
 * a thread of the invoker, at most {@code concurrency} at once, and the caller gets a future;
 * cancelling it aborts the exchange (the client closes the connection), which is how
 * {@code notifications/cancelled} stops a call.
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

  private static final AtomicInteger CLIENTS = new AtomicInteger();

  private final ExecutorService executor;
  private final ThreadPoolExecutor callers;
  private final ScheduledThreadPoolExecutor timeouts;
  private final HttpClient http;
  private final Duration timeout;
  private final int maxBytes;

  /**
   * @param concurrency how many calls run at once; further calls wait for a thread, within their
   *     own total timeout
   */
  public UpstreamInvoker(Duration connectTimeout, Duration timeout, int maxBytes, int concurrency) {
    int client = CLIENTS.incrementAndGet();
    // A fixed pool for the client's own work (parsing responses, completing futures). The
    // default, a cached pool, started new threads under load all the time.
    this.executor = Executors.newFixedThreadPool(
        Math.max(4, 2 * Runtime.getRuntime().availableProcessors()), threads("torii-upstream-" + client));
    // The threads that wait for the calls, created on demand up to the limit and reused (ADR 0010).
    this.callers = new ThreadPoolExecutor(concurrency, concurrency, 60, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), threads("torii-call-" + client));
    callers.allowCoreThreadTimeOut(true);
    // Our own timer rather than CompletableFuture.orTimeout: that one's shared JVM-wide thread
    // would run the answer of every timed-out call, and it keeps each cancelled timer until it
    // would have fired (at 6k calls/s and 30 s, some 200k of them).
    this.timeouts = new ScheduledThreadPoolExecutor(1, threads("torii-timeout-" + client));
    timeouts.setRemoveOnCancelPolicy(true);
    this.http = HttpClient.newBuilder().connectTimeout(connectTimeout).executor(executor)
        .followRedirects(HttpClient.Redirect.NEVER).build();
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

  /** Stops the client's threads (the application is being stopped). */
  @Override
  public void close() {
    callers.shutdownNow();
    timeouts.shutdownNow();
    executor.shutdownNow();
  }

  /**
   * Starts the exchange. The future completes with the response, or exceptionally ({@link
   * #translate} says what a failure means); cancel it to abort the exchange.
   *
   * <p>The exchange is a blocking {@code send} on a thread of this invoker, not
   * {@code sendAsync}: on a machine with one or two processors, {@code sendAsync} hands every
   * completed call to a new thread of its own (it completes on {@code CompletableFuture}'s
   * default executor, which starts a thread per task when the common pool has fewer than two
   * workers). That cost more than half of the gateway's throughput (ADR 0010).
   */
  public CompletableFuture<UpstreamResponse> start(UpstreamRequest request) {
    HttpRequest built;
    try {
      HttpRequest.Builder builder = HttpRequest.newBuilder(request.uri()).timeout(timeout)
          // Plain-text HTTP/2 would need an h2c upgrade attempt on every new request, which most
          // servers ignore and which defeats connection reuse; https negotiates HTTP/2 by ALPN.
          .version("http".equalsIgnoreCase(request.uri().getScheme())
              ? HttpClient.Version.HTTP_1_1 : HttpClient.Version.HTTP_2)
          .method(request.method(), request.body() == null ? HttpRequest.BodyPublishers.noBody()
              : HttpRequest.BodyPublishers.ofByteArray(request.body()));
      request.headers().forEach((name, values) -> values.forEach(v -> builder.header(name, v)));
      built = builder.build();
    } catch (IllegalArgumentException e) {
      // A header value or URL the client refuses, e.g. a stored credential with a control
      // character. The client's message quotes the value, so it goes no further than here.
      return CompletableFuture.failedFuture(new InvalidRequestException());
    }
    CompletableFuture<UpstreamResponse> result = new CompletableFuture<>();
    Future<?> exchange;
    try {
      exchange = callers.submit(() -> exchange(built, result));
    } catch (RejectedExecutionException e) {
      return CompletableFuture.failedFuture(new InterruptedIOException("the gateway is stopping"));
    }
    // The request timeout of java.net.http ends when the headers arrive; this one also bounds a
    // body that trickles or never ends, and a call still waiting for a thread.
    ScheduledFuture<?> timer;
    try {
      timer = timeouts.schedule(() -> result.completeExceptionally(new TimeoutException()),
          timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      exchange.cancel(true);
      return CompletableFuture.failedFuture(new InterruptedIOException("the gateway is stopping"));
    }
    // Interrupting send() makes java.net.http abort the exchange and close the connection.
    // Only on cancel and timeout: those complete the result on another thread than the
    // exchange's, so the thread interrupted is never one still writing the answer.
    result.whenComplete((response, failure) -> {
      timer.cancel(false);
      if (failure instanceof CancellationException || failure instanceof TimeoutException) {
        exchange.cancel(true);
      }
    });
    return result;
  }

  private void exchange(HttpRequest request, CompletableFuture<UpstreamResponse> result) {
    if (result.isDone()) {
      return; // cancelled or timed out while waiting for a thread
    }
    try {
      HttpResponse<Bounded> response = http.send(request, info -> new BoundedSubscriber(maxBytes));
      result.complete(new UpstreamResponse(response.statusCode(),
          response.headers().firstValue("Content-Type").orElse(null),
          response.body().bytes(), response.body().truncated()));
    } catch (InterruptedException e) {
      // Cancelled or timed out (the result is complete already), or the gateway is stopping.
      result.completeExceptionally(new InterruptedIOException("the gateway is stopping"));
    } catch (IOException | RuntimeException e) {
      result.completeExceptionally(e);
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
    if (cause instanceof HttpTimeoutException || cause instanceof TimeoutException) {
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

  /** The body bytes kept and whether more arrived than the limit allows. */
  record Bounded(byte[] bytes, boolean truncated) {}

  /**
   * Collects the body up to {@code limit} bytes, then cancels the subscription (the client
   * closes that connection instead of reading an unbounded body). Runs on the client's threads;
   * nothing here blocks.
   */
  static final class BoundedSubscriber implements HttpResponse.BodySubscriber<Bounded> {
    private final int limit;
    private final CompletableFuture<Bounded> result = new CompletableFuture<>();
    private byte[] buffer = new byte[256];
    private int size;
    private Flow.Subscription subscription;

    BoundedSubscriber(int limit) {
      this.limit = limit;
    }

    @Override
    public CompletionStage<Bounded> getBody() {
      return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      this.subscription = subscription;
      subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
      if (result.isDone()) {
        return;
      }
      for (ByteBuffer item : items) {
        int room = limit - size;
        int take = Math.min(room, item.remaining());
        ensure(size + take);
        item.get(buffer, size, take);
        size += take;
        if (item.hasRemaining()) {
          result.complete(new Bounded(java.util.Arrays.copyOf(buffer, size), true));
          subscription.cancel();
          return;
        }
      }
    }

    private void ensure(int capacity) {
      if (capacity > buffer.length) {
        buffer = java.util.Arrays.copyOf(buffer, Math.max(capacity, Math.min(limit, buffer.length * 2)));
      }
    }

    @Override
    public void onError(Throwable failure) {
      result.completeExceptionally(failure);
    }

    @Override
    public void onComplete() {
      result.complete(new Bounded(java.util.Arrays.copyOf(buffer, size), false));
    }
  }
}
