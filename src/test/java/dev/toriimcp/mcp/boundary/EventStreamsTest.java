package dev.toriimcp.mcp.boundary;

import static org.assertj.core.api.Assertions.assertThat;

import dev.toriimcp.oauth.entity.AccessGrant;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The GET streams' rules without a container (ADR 0033): what a stream is sent, when it ends,
 * and its bounds. The container's side (request, response, asynchronous context) is a recording
 * fake.
 */
class EventStreamsTest {

  private static final String NOTIFICATION =
      "event: message\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/tools/list_changed\"}\n\n";
  private final EventStreams streams = new EventStreams();

  @BeforeEach
  void start() {
    streams.start();
  }

  @AfterEach
  void stop() {
    streams.stop();
  }

  @Test
  void aStreamIsACommittedEventStreamThatStaysOpen() throws IOException {
    Exchange exchange = open("s1", grant("ann", "petstore"));

    assertThat(exchange.status).isEqualTo(200);
    assertThat(exchange.headers).containsEntry("Content-Type", "text/event-stream")
        .containsEntry("Cache-Control", "no-store").containsEntry("X-Accel-Buffering", "no");
    assertThat(exchange.flushed).isTrue();
    assertThat(exchange.completed).isFalse();
    assertThat(exchange.timeout).as("no container timeout").isZero();
    assertThat(streams.size()).isEqualTo(1);
  }

  @Test
  void keepAlivesAreCommentLines() throws IOException {
    Exchange exchange = open("s1", grant("ann", "petstore"));

    streams.keepAlive();
    streams.keepAlive();

    assertThat(exchange.written()).isEqualTo(":\n\n:\n\n");
  }

  @Test
  void onlyTheStreamsOfAChangedBackendAreTold() throws IOException {
    Exchange petstore = open("s1", grant("ann", "petstore"));
    Exchange other = open("s2", grant("ann", "other"));

    streams.announce(Set.of("petstore"), Set.of());

    assertThat(petstore.written()).isEqualTo(NOTIFICATION);
    assertThat(other.written()).isEmpty();
    assertThat(petstore.completed).isFalse();
  }

  @Test
  void theStreamsOfARemovedBackendEndCleanly() throws IOException {
    Exchange removed = open("s1", grant("ann", "gone"));
    Exchange kept = open("s2", grant("ann", "petstore"));

    streams.announce(Set.of("gone"), Set.of("gone"));

    assertThat(removed.completed).isTrue();
    assertThat(removed.written()).as("no notification for a backend that is not there").isEmpty();
    assertThat(kept.completed).isFalse();
    assertThat(streams.size()).isEqualTo(1);
  }

  @Test
  void aSecondGetOfTheSessionReplacesTheFirst() throws Exception {
    Exchange first = open("s1", grant("ann", "petstore"));
    Exchange second = open("s1", grant("ann", "petstore"));

    assertThat(second.status).isEqualTo(200);
    eventually(() -> first.completed, "the replaced stream ends");
    assertThat(second.completed).isFalse();
    assertThat(streams.size()).isEqualTo(1);
    streams.announce(Set.of("petstore"), Set.of());
    assertThat(first.written()).isEmpty();
    assertThat(second.written()).isEqualTo(NOTIFICATION);
  }

  @Test
  void theEndOfTheSessionEndsItsStream() throws Exception {
    Exchange exchange = open("s1", grant("ann", "petstore"));

    streams.ended("no-such-session");
    streams.ended("s1");

    eventually(() -> exchange.completed, "the stream ends");
    assertThat(streams.size()).isZero();
  }

  @Test
  void aClientThatIsGoneIsDroppedAtTheFirstWriteThatFails() throws IOException {
    Exchange gone = open("s1", grant("ann", "petstore"));
    Exchange there = open("s2", grant("bob", "petstore"));
    gone.failing = true;

    streams.keepAlive();

    assertThat(gone.completed).isTrue();
    assertThat(there.completed).isFalse();
    assertThat(streams.size()).isEqualTo(1);
  }

  @Test
  void aStreamTheContainerCompletedIsForgotten() throws IOException {
    Exchange exchange = open("s1", grant("ann", "petstore"));

    exchange.completeByContainer();

    assertThat(streams.size()).isZero();
    streams.keepAlive();
    assertThat(exchange.written()).isEmpty();
  }

  @Test
  void aUserHasAtMostItsShareOfStreams() throws IOException {
    streams.perUser = 2;
    open("s1", grant("ann", "petstore"));
    open("s2", grant("ann", "petstore"));

    Exchange third = new Exchange();
    assertThat(streams.open(third.request(), third.response(), "s3", grant("ann", "petstore"), "t"))
        .isEqualTo(EventStreams.Opened.FULL);
    assertThat(third.asyncStarted).as("nothing started for a refused stream").isFalse();
    assertThat(open("s4", grant("bob", "petstore")).status).as("another user").isEqualTo(200);
    assertThat(open("s2", grant("ann", "petstore")).status).as("a replacement").isEqualTo(200);
  }

  @Test
  void theNodeHasAtMostItsBoundOfStreams() throws IOException {
    streams.max = 2;
    open("s1", grant("ann", "petstore"));
    open("s2", grant("bob", "petstore"));

    Exchange third = new Exchange();
    assertThat(streams.open(third.request(), third.response(), "s3", grant("cy", "petstore"), "t"))
        .isEqualTo(EventStreams.Opened.FULL);
    assertThat(open("s1", grant("ann", "petstore")).status).as("a replacement").isEqualTo(200);
  }

  @Test
  void stoppingEndsEveryStreamCleanly() throws IOException {
    Exchange first = open("s1", grant("ann", "petstore"));
    Exchange second = open("s2", grant("bob", "other"));

    streams.stop();

    assertThat(first.completed).isTrue();
    assertThat(second.completed).isTrue();
    assertThat(streams.size()).isZero();
  }

  /** Ends run on the timer thread, never on the request's: wait for them. */
  private static void eventually(BooleanSupplier condition, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as(what + " within 5 s").isLessThan(deadline);
      Thread.sleep(10);
    }
  }

  private Exchange open(String session, AccessGrant grant) throws IOException {
    Exchange exchange = new Exchange();
    assertThat(streams.open(exchange.request(), exchange.response(), session, grant, "token"))
        .isEqualTo(EventStreams.Opened.OPEN);
    return exchange;
  }

  private static AccessGrant grant(String subject, String backend) {
    return new AccessGrant(subject, "client-1", backend, backend, "grant-" + subject);
  }

  /** A recording request, response and asynchronous context. */
  private static final class Exchange {
    final ByteArrayOutputStream body = new ByteArrayOutputStream();
    final Map<String, String> headers = new HashMap<>();
    final List<AsyncListener> listeners = new ArrayList<>();
    volatile int status;
    volatile long timeout = -1;
    volatile boolean flushed;
    volatile boolean asyncStarted;
    volatile boolean completed;
    volatile boolean failing;

    String written() {
      return body.toString(StandardCharsets.UTF_8);
    }

    void completeByContainer() {
      completed = true;
      List.copyOf(listeners).forEach(listener -> {
        try {
          listener.onComplete(null);
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      });
    }

    HttpServletRequest request() {
      AsyncContext async = (AsyncContext) Proxy.newProxyInstance(getClass().getClassLoader(),
          new Class<?>[] {AsyncContext.class}, (proxy, method, args) -> {
            switch (method.getName()) {
              case "setTimeout" -> timeout = (Long) args[0];
              case "addListener" -> listeners.add((AsyncListener) args[0]);
              case "complete" -> {
                if (completed) {
                  throw new IllegalStateException("completed twice");
                }
                completeByContainer();
              }
              default -> { }
            }
            return null;
          });
      return (HttpServletRequest) Proxy.newProxyInstance(getClass().getClassLoader(),
          new Class<?>[] {HttpServletRequest.class}, (proxy, method, args) -> {
            if (method.getName().equals("startAsync")) {
              asyncStarted = true;
              return async;
            }
            return null;
          });
    }

    HttpServletResponse response() {
      ServletOutputStream out = new ServletOutputStream() {
        @Override
        public void write(int b) throws IOException {
          if (failing) {
            throw new IOException("Broken pipe");
          }
          body.write(b);
        }

        @Override
        public boolean isReady() {
          return true;
        }

        @Override
        public void setWriteListener(WriteListener listener) {}
      };
      return (HttpServletResponse) Proxy.newProxyInstance(getClass().getClassLoader(),
          new Class<?>[] {HttpServletResponse.class}, (proxy, method, args) -> {
            switch (method.getName()) {
              case "setStatus" -> status = (Integer) args[0];
              case "setContentType" -> headers.put("Content-Type", (String) args[0]);
              case "setHeader" -> headers.put((String) args[0], (String) args[1]);
              case "flushBuffer" -> {
                if (failing) {
                  throw new IOException("Broken pipe");
                }
                flushed = true;
              }
              case "getOutputStream" -> {
                return out;
              }
              default -> { }
            }
            return null;
          });
    }
  }
}
