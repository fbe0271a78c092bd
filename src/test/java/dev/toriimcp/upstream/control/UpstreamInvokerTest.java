package dev.toriimcp.upstream.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.toriimcp.upstream.entity.UpstreamRequest;
import dev.toriimcp.upstream.entity.UpstreamResponse;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The upstream HTTP exchange against a real local server: limits, timeouts, redirects, cancel. */
class UpstreamInvokerTest {

  private static HttpServer server;
  private static String base;
  private final UpstreamInvoker invoker =
      new UpstreamInvoker(Duration.ofSeconds(2), Duration.ofSeconds(2), 16, 8);

  @BeforeAll
  static void start() throws Exception {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newFixedThreadPool(4));
    server.createContext("/bytes/", exchange -> {
      int count = Integer.parseInt(exchange.getRequestURI().getPath().substring("/bytes/".length()));
      exchange.getResponseHeaders().add("Content-Type", "text/plain");
      // Chunked (length 0): the client cannot know the size in advance.
      exchange.sendResponseHeaders(200, 0);
      try (OutputStream out = exchange.getResponseBody()) {
        byte[] chunk = "abcdefghij".repeat(100).getBytes(StandardCharsets.US_ASCII);
        for (int written = 0; written < count; written += chunk.length) {
          out.write(chunk, 0, Math.min(chunk.length, count - written));
        }
      } catch (java.io.IOException clientWentAway) {
        // expected once the client has what it wants
      }
    });
    server.createContext("/slow", noContentAfter(5_000));
    server.createContext("/pause", noContentAfter(300));
    server.createContext("/trickle", exchange -> {
      // Headers at once, then a body slower than any timeout (the limit of 16 bytes after 8 s).
      exchange.sendResponseHeaders(200, 0);
      try (OutputStream out = exchange.getResponseBody()) {
        for (int i = 0; i < 100; i++) {
          out.write('x');
          out.flush();
          Thread.sleep(500);
        }
      } catch (java.io.IOException | InterruptedException clientWentAway) {
        // expected: the client gives up
      }
    });
    server.createContext("/port", exchange -> {
      // Which connection the request came on: the client's port.
      exchange.getRequestBody().readAllBytes();
      byte[] port = String.valueOf(exchange.getRemoteAddress().getPort()).getBytes(StandardCharsets.US_ASCII);
      exchange.sendResponseHeaders(200, port.length);
      exchange.getResponseBody().write(port);
      exchange.close();
    });
    server.createContext("/set-cookie", exchange -> {
      exchange.getResponseHeaders().add("Set-Cookie", "session=of-another-user; Path=/");
      exchange.sendResponseHeaders(204, -1);
      exchange.close();
    });
    server.createContext("/cookie", exchange -> {
      String cookie = String.valueOf(exchange.getRequestHeaders().getFirst("Cookie"));
      byte[] body = cookie.getBytes(StandardCharsets.US_ASCII);
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.createContext("/moved", exchange -> {
      exchange.getResponseHeaders().add("Location", "http://example.invalid/elsewhere");
      exchange.sendResponseHeaders(302, -1);
      exchange.close();
    });
    server.start();
    base = "http://127.0.0.1:" + server.getAddress().getPort();
  }

  private static com.sun.net.httpserver.HttpHandler noContentAfter(long millis) {
    return exchange -> {
      try {
        Thread.sleep(millis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      exchange.sendResponseHeaders(204, -1);
      exchange.close();
    };
  }

  @AfterAll
  static void stop() {
    server.stop(0);
  }

  /** Sends the request and waits for the response, failures translated as the gateway does. */
  private static UpstreamResponse send(UpstreamInvoker invoker, UpstreamRequest request) throws Exception {
    return await(invoker.start(request), invoker);
  }

  private static UpstreamResponse await(CompletableFuture<UpstreamResponse> call, UpstreamInvoker invoker)
      throws Exception {
    try {
      return call.get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw UpstreamInvoker.translate(e.getCause(), invoker.timeout());
    } catch (java.util.concurrent.CancellationException e) {
      throw UpstreamInvoker.translate(e, invoker.timeout());
    }
  }

  private static UpstreamRequest get(String uri) {
    return new UpstreamRequest("GET", URI.create(uri), Map.of("Accept", List.of("*/*")), null);
  }

  @Test
  void bodiesUpToTheLimitArriveWhole() throws Exception {
    UpstreamResponse exact = send(invoker, get(base + "/bytes/16"));
    UpstreamResponse shorter = send(invoker, get(base + "/bytes/3"));

    assertThat(exact.body()).hasSize(16);
    assertThat(exact.truncated()).isFalse();
    assertThat(new String(shorter.body(), StandardCharsets.US_ASCII)).isEqualTo("abc");
    assertThat(shorter.contentType()).isEqualTo("text/plain");
  }

  @Test
  void aLongerBodyIsCutAtTheLimitWithoutReadingItAll() throws Exception {
    long start = System.nanoTime();
    UpstreamResponse response = send(invoker, get(base + "/bytes/500000000"));

    assertThat(response.truncated()).isTrue();
    assertThat(new String(response.body(), StandardCharsets.US_ASCII)).isEqualTo("abcdefghijabcdef");
    // Reading 500 MB would take far longer than this on any machine.
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void redirectsAreReturnedNotFollowed() throws Exception {
    assertThat(send(invoker, get(base + "/moved")).status()).isEqualTo(302);
  }

  @Test
  void callsReuseTheirConnection() throws Exception {
    java.util.Set<String> ports = new java.util.HashSet<>();
    for (int i = 0; i < 20; i++) {
      ports.add(new String(send(invoker, get(base + "/port")).body(), StandardCharsets.US_ASCII));
    }

    assertThat(ports).hasSize(1);
  }

  /**
   * Node.js closes a keep-alive connection after 5 s idle, other servers after their own time;
   * the next call must not be sent into the closed connection and fail.
   */
  @Test
  void aConnectionTheServerClosedWhileIdleIsNotUsedAgain() throws Exception {
    try (RawServer raw = new RawServer(true)) {
      UpstreamRequest request = get(raw.uri());
      assertThat(send(invoker, request).status()).isEqualTo(200);
      Thread.sleep(1_500); // the server has closed the idle connection after 100 ms

      assertThat(send(invoker, request).status()).isEqualTo(200);
      assertThat(raw.requests()).isEqualTo(2);
    }
  }

  /** A POST that may have reached the upstream is never sent twice. */
  @Test
  void aFailedPostIsNotRetried() throws Exception {
    try (RawServer raw = new RawServer(false)) {
      UpstreamRequest post = new UpstreamRequest("POST", URI.create(raw.uri()),
          Map.of("Content-Type", List.of("application/json")), "{}".getBytes(StandardCharsets.US_ASCII));

      assertThatThrownBy(() -> send(invoker, post)).isInstanceOf(UpstreamInvoker.UnreachableException.class)
          .hasMessageStartingWith("cannot be reached");
      Thread.sleep(300);
      assertThat(raw.requests()).isEqualTo(1);
    }
  }

  /**
   * A GET the server closed the connection on without answering is sent once more (RFC 9110
   * §9.2.2), as servers close idle connections at any time, and only once.
   */
  @Test
  void aGetTheServerClosedOnIsSentOnceMore() throws Exception {
    try (RawServer raw = new RawServer(false)) {
      assertThatThrownBy(() -> send(invoker, get(raw.uri()))).isInstanceOf(UpstreamInvoker.UnreachableException.class)
          .hasMessageStartingWith("cannot be reached");
      Thread.sleep(300);
      assertThat(raw.requests()).isEqualTo(2);
    }
  }

  @Test
  void cookiesSetByOneCallAreNeverSentWithAnother() throws Exception {
    send(invoker, get(base + "/set-cookie"));

    assertThat(new String(send(invoker, get(base + "/cookie")).body(), StandardCharsets.US_ASCII))
        .isEqualTo("null");
  }

  /** A line break in a value would start a header or a request of its own (RFC 9112 §2.2). */
  @Test
  void headerValuesWithLineBreaksAndFramingHeadersAreRefused() {
    for (Map<String, List<String>> headers : List.of(
        Map.of("X-Api-Key", List.of("k\r\nX-Injected: 1")),
        Map.of("X-Api-Key", List.of("k\nGET /admin HTTP/1.1")),
        Map.of("Transfer-Encoding", List.of("chunked")),
        Map.of("Host", List.of("elsewhere.example")),
        Map.of("Bad Name", List.of("v")))) {
      CompletableFuture<UpstreamResponse> call =
          invoker.start(new UpstreamRequest("GET", URI.create(base + "/x"), headers, null));

      assertThatThrownBy(() -> await(call, invoker)).as(headers.toString())
          .isInstanceOf(UpstreamInvoker.UnreachableException.class)
          .hasMessage("was not called: a header value or the URL of the request is not valid HTTP");
    }
  }

  @Test
  void aSlowUpstreamTimesOut() {
    assertThatThrownBy(() -> send(invoker, get(base + "/slow")))
        .isInstanceOf(UpstreamInvoker.UnreachableException.class)
        .hasMessage("did not answer within 2 s");
  }

  @Test
  void aBodyThatNeverEndsTimesOutToo() {
    long start = System.nanoTime();
    assertThatThrownBy(() -> send(invoker, get(base + "/trickle")))
        .isInstanceOf(UpstreamInvoker.UnreachableException.class)
        .hasMessage("did not answer within 2 s");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(6));
  }

  @Test
  void aTimedOutCallIsAnsweredOnAThreadOfTheInvoker() throws Exception {
    CompletableFuture<String> answeredOn = new CompletableFuture<>();
    // Headers at once, so only the invoker's own total timeout can end this call.
    invoker.start(get(base + "/trickle"))
        .whenComplete((response, failure) -> answeredOn.complete(Thread.currentThread().getName()));

    // Not CompletableFuture's JVM-wide delay thread, which every timed-out answer would hold up.
    assertThat(answeredOn.get(10, TimeUnit.SECONDS)).startsWith("torii-timeout-");
  }

  @Test
  void cancellingTheCallAbortsTheUpstreamExchange() throws Exception {
    CountDownLatch received = new CountDownLatch(1);
    CountDownLatch closedByClient = new CountDownLatch(1);
    try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Thread peer = new Thread(() -> {
        try (Socket socket = listener.accept()) {
          socket.setSoTimeout(10_000);
          InputStream in = socket.getInputStream();
          byte[] buffer = new byte[4096];
          int read = in.read(buffer);
          if (read > 0) {
            received.countDown();
          }
          // Never answer; a read of -1 means the client closed the connection.
          while (read >= 0) {
            read = in.read(buffer);
          }
          closedByClient.countDown();
        } catch (java.io.IOException e) {
          // a reset also means the client went away
          closedByClient.countDown();
        }
      });
      peer.start();
      UpstreamInvoker patient = new UpstreamInvoker(Duration.ofSeconds(2), Duration.ofSeconds(30), 16, 8);
      CompletableFuture<UpstreamResponse> call =
          patient.start(get("http://127.0.0.1:" + listener.getLocalPort() + "/hold"));
      assertThat(received.await(10, TimeUnit.SECONDS)).isTrue();

      call.cancel(true);

      assertThatThrownBy(() -> await(call, patient)).isInstanceOf(UpstreamInvoker.CancelledException.class);
      assertThat(closedByClient.await(5, TimeUnit.SECONDS)).as("upstream connection closed").isTrue();
      peer.join(5_000);
    }
  }

  @Test
  void callsBeyondTheConcurrencyWaitForAFreeThread() throws Exception {
    try (UpstreamInvoker single = new UpstreamInvoker(Duration.ofSeconds(2), Duration.ofSeconds(5), 16, 1)) {
      long start = System.nanoTime();
      List<CompletableFuture<UpstreamResponse>> calls = List.of(single.start(get(base + "/pause")),
          single.start(get(base + "/pause")), single.start(get(base + "/pause")));

      for (CompletableFuture<UpstreamResponse> call : calls) {
        assertThat(await(call, single).status()).isEqualTo(204);
      }
      // One at a time: three answers of 300 ms each.
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
    }
  }

  @Test
  void aCallWaitingForAThreadStillEndsAtItsTimeout() throws Exception {
    try (UpstreamInvoker single = new UpstreamInvoker(Duration.ofSeconds(2), Duration.ofSeconds(1), 16, 1)) {
      CompletableFuture<UpstreamResponse> holding = single.start(get(base + "/slow"));
      long start = System.nanoTime();
      // 300 ms of work: were its deadline counted from when it got the thread (at about 1 s),
      // it would succeed; counted from its start, it has only the moments left after the wait.
      CompletableFuture<UpstreamResponse> waiting = single.start(get(base + "/pause"));

      assertThatThrownBy(() -> await(waiting, single))
          .isInstanceOf(UpstreamInvoker.UnreachableException.class)
          .hasMessage("did not answer within 1 s");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
      assertThatThrownBy(() -> await(holding, single)).isInstanceOf(UpstreamInvoker.UnreachableException.class);
    }
  }

  /**
   * {@code sendAsync} completes each call on a new thread when the JVM has one or two processors
   * (CompletableFuture's default executor then starts a thread per task); the invoker must not.
   */
  @Test
  void callsReuseThreadsInsteadOfStartingOneEach() throws Exception {
    send(invoker, get(base + "/bytes/3")); // the first call starts the invoker's threads
    java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
    long before = threads.getTotalStartedThreadCount();

    for (int i = 0; i < 50; i++) {
      assertThat(send(invoker, get(base + "/bytes/3")).status()).isEqualTo(200);
    }

    assertThat(threads.getTotalStartedThreadCount() - before).isLessThan(10);
  }

  /**
   * A one-thread HTTP/1.1 server on a raw socket that counts requests and answers each with 200
   * and keep-alive, then closes the connection after 100 ms idle without saying so ({@code
   * answer}), or closes every connection as soon as a request has arrived, without an answer.
   */
  private static final class RawServer implements AutoCloseable {
    private final ServerSocket listener = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
    private final java.util.concurrent.atomic.AtomicInteger requests = new java.util.concurrent.atomic.AtomicInteger();
    private final Thread thread;

    RawServer(boolean answer) throws java.io.IOException {
      thread = new Thread(() -> {
        while (!listener.isClosed()) {
          try (Socket socket = listener.accept()) {
            socket.setSoTimeout(100);
            InputStream in = socket.getInputStream();
            while (readRequest(in)) {
              requests.incrementAndGet();
              if (!answer) {
                break;
              }
              socket.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
                  .getBytes(StandardCharsets.US_ASCII));
            }
          } catch (java.io.IOException e) {
            // idle timeout or closed: close this connection, wait for the next
          }
        }
      });
      thread.setDaemon(true);
      thread.start();
    }

    /** Reads one request (headers and a Content-Length body); false at the end of the stream. */
    private static boolean readRequest(InputStream in) throws java.io.IOException {
      StringBuilder head = new StringBuilder();
      int c;
      while (!head.toString().endsWith("\r\n\r\n")) {
        if ((c = in.read()) < 0) {
          return false;
        }
        head.append((char) c);
      }
      java.util.regex.Matcher length = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)")
          .matcher(head);
      in.readNBytes(length.find() ? Integer.parseInt(length.group(1)) : 0);
      return true;
    }

    String uri() {
      return "http://127.0.0.1:" + listener.getLocalPort() + "/raw";
    }

    int requests() {
      return requests.get();
    }

    @Override
    public void close() throws java.io.IOException {
      listener.close();
    }
  }

  @Test
  void anUnreachableUpstreamSaysSo() throws Exception {
    int closed;
    try (ServerSocket socket = new ServerSocket(0)) {
      closed = socket.getLocalPort();
    }
    assertThatThrownBy(() -> send(invoker, get("http://127.0.0.1:" + closed + "/x")))
        .isInstanceOf(UpstreamInvoker.UnreachableException.class)
        .hasMessageStartingWith("cannot be reached");
  }

  @Test
  void aHeaderValueTheClientRefusesFailsTheCallWithoutQuotingIt() {
    UpstreamRequest request = new UpstreamRequest("GET", URI.create(base + "/x"),
        Map.of("Authorization", List.of("Bearer se\u0001cret")), null);

    CompletableFuture<UpstreamResponse> call = invoker.start(request);

    assertThat(call).isCompletedExceptionally();
    assertThatThrownBy(() -> await(call, invoker))
        .isInstanceOf(UpstreamInvoker.UnreachableException.class)
        .hasMessage("was not called: a header value or the URL of the request is not valid HTTP")
        .hasMessageNotContaining("cret");
  }
}
