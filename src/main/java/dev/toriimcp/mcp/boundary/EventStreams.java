package dev.toriimcp.mcp.boundary;

import dev.toriimcp.catalog.control.Catalogs;
import dev.toriimcp.mcp.control.Sessions;
import dev.toriimcp.oauth.control.Tokens;
import dev.toriimcp.oauth.entity.AccessGrant;
import dev.toriimcp.platform.control.ConfigurationReload;
import dev.toriimcp.platform.control.DeadlineTimers;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The open GET streams of handshake-era sessions (MCP 2025-11-25 basic/transports, "Listening for
 * Messages from the Server"; ADR 0033). They carry only notifications, never a JSON-RPC response:
 * {@code notifications/tools/list_changed} after a reload changed the session's backend, and a
 * comment line every {@value #DEFAULT_KEEP_ALIVE_MILLIS} ms ({@value #KEEP_ALIVE_PROPERTY}) so
 * that proxies keep the connection and a client that went away is noticed by the write that fails.
 *
 * <p>No thread is held per stream: each is a suspended request ({@link AsyncContext}), and one
 * timer thread writes the keep-alives and the notifications, so the reload never waits for a slow
 * client. Bounds: one stream per session (a second GET replaces the first, which ends cleanly: a
 * client that reconnects after a connection the gateway has not yet seen die gets its stream at
 * once), {@value #DEFAULT_PER_USER} per user and client ({@value #PER_USER_PROPERTY}) and
 * {@value #DEFAULT_MAX} per node ({@value #MAX_PROPERTY}); over a bound the GET is 405, which
 * clients take as "no stream here" and carry on without notifications. Every {@link #RECHECK_MILLIS}
 * ms a stream checks that its session is live and its token valid, and ends if not: a session
 * ended on another node, purged, or a token that expired or was revoked ends its stream.
 */
@ApplicationScoped
public class EventStreams {

  /** System property: milliseconds between keep-alive comments. */
  public static final String KEEP_ALIVE_PROPERTY = "torii.mcp.stream-keep-alive-ms";
  static final long DEFAULT_KEEP_ALIVE_MILLIS = 15_000;
  /** System property: open streams per node. */
  public static final String MAX_PROPERTY = "torii.mcp.max-streams";
  static final int DEFAULT_MAX = 1_000;
  /** System property: open streams per user and client (each of its sessions has at most one). */
  public static final String PER_USER_PROPERTY = "torii.mcp.max-streams-per-user";
  static final int DEFAULT_PER_USER = 8;
  static final long RECHECK_MILLIS = 60_000;

  private static final Logger LOG = Logger.getLogger(EventStreams.class.getName());
  private static final byte[] KEEP_ALIVE = ":\n\n".getBytes(StandardCharsets.US_ASCII);
  static final byte[] TOOLS_LIST_CHANGED = ("event: message\ndata: {\"jsonrpc\":\"2.0\","
      + "\"method\":\"notifications/tools/list_changed\"}\n\n").getBytes(StandardCharsets.UTF_8);

  /** The open streams by session id. */
  private final Map<String, Stream> open = new ConcurrentHashMap<>();
  private ScheduledExecutorService timer;
  long keepAlive;
  int max;
  int perUser;

  @Inject Sessions sessions;
  @Inject Tokens tokens;
  @Inject Catalogs catalogs;

  /** Whether a stream may be opened for this session; false over a bound. */
  public enum Opened { OPEN, FULL }

  @PostConstruct
  void start() {
    keepAlive = Math.max(100, Long.getLong(KEEP_ALIVE_PROPERTY, DEFAULT_KEEP_ALIVE_MILLIS));
    max = Integer.getInteger(MAX_PROPERTY, DEFAULT_MAX);
    perUser = Integer.getInteger(PER_USER_PROPERTY, DEFAULT_PER_USER);
    timer = DeadlineTimers.create("torii-mcp-event-streams");
    timer.scheduleWithFixedDelay(this::keepAlive, keepAlive, keepAlive, TimeUnit.MILLISECONDS);
  }

  /**
   * Opens the stream of this live session on the request: a committed {@code 200
   * text/event-stream} that stays open. Call on the request's thread, after the session and
   * token were checked. {@code token} is kept to check the grant again later.
   */
  synchronized Opened open(HttpServletRequest request, HttpServletResponse response,
      String sessionId, AccessGrant grant, String token) throws IOException {
    Stream previous = open.get(sessionId);
    long ofUser = open.values().stream().filter(s -> s != previous && s.sameUser(grant)).count();
    if (previous == null && open.size() >= max || ofUser >= perUser) {
      LOG.warning("MCP GET stream refused on backend " + grant.backend() + ": "
          + (ofUser >= perUser ? "the user's " + perUser : "this node's " + max)
          + " streams are open (" + (ofUser >= perUser ? PER_USER_PROPERTY : MAX_PROPERTY) + ")");
      return Opened.FULL;
    }
    AsyncContext async = request.startAsync();
    async.setTimeout(0);
    Stream stream = new Stream(sessionId, grant, token, async, response);
    async.addListener(stream);
    stream.watch = Disconnects.watch(request, async, () -> later(stream::end));
    stream.watch.closely();
    response.setStatus(200);
    response.setContentType("text/event-stream");
    response.setCharacterEncoding("UTF-8");
    response.setHeader("Cache-Control", "no-store");
    response.setHeader("X-Accel-Buffering", "no");
    response.flushBuffer();
    open.put(sessionId, stream);
    if (previous != null) {
      later(previous::end);
    }
    return Opened.OPEN;
  }

  /** Ends the session's stream, if it has one: the session ended (DELETE). */
  void ended(String sessionId) {
    Stream stream = open.get(sessionId);
    if (stream != null) {
      later(stream::end);
    }
  }

  /** The number of open streams; for the start-up line and tests. */
  int size() {
    return open.size();
  }

  /**
   * MCP server/tools "List Changed Notification": a reload changed these backends. Streams of a
   * backend that is gone end; the others get {@code notifications/tools/list_changed}. On the
   * timer thread, so the reload does not wait for the clients.
   */
  void changed(@Observes ConfigurationReload.BackendsChanged event) {
    Set<String> gone = new HashSet<>();
    event.backends().stream().filter(name -> catalogs.served(name).isEmpty()).forEach(gone::add);
    later(() -> announce(event.backends(), gone));
  }

  /** Tells the streams of the changed backends; ends those of the backends that are gone. */
  void announce(Set<String> changed, Set<String> gone) {
    for (Stream stream : List.copyOf(open.values())) {
      String backend = stream.grant.backend();
      if (gone.contains(backend)) {
        stream.end();
      } else if (changed.contains(backend)) {
        stream.write(TOOLS_LIST_CHANGED);
      }
    }
  }

  void keepAlive() {
    long now = System.nanoTime();
    for (Stream stream : List.copyOf(open.values())) {
      if (stream.write(KEEP_ALIVE) && now - stream.checked >= TimeUnit.MILLISECONDS.toNanos(RECHECK_MILLIS)) {
        stream.checked = now;
        stream.recheck();
      }
    }
  }

  /**
   * Runs on the timer thread. Every stream ends there, never on a request's thread: completing
   * another request's asynchronous context inside a request makes Payara run that request's end
   * on the thread of this one, and Weld then finds two requests' contexts on one thread.
   */
  private void later(Runnable task) {
    try {
      timer.execute(task);
    } catch (RejectedExecutionException e) {
      // Stopping: stop() ends every stream itself.
    }
  }

  /** The application stops: every stream ends cleanly, as a completed response. */
  @PreDestroy
  void stop() {
    timer.shutdownNow();
    List.copyOf(open.values()).forEach(Stream::end);
  }

  /** One open stream; its writes and its end are serialised on it. */
  private final class Stream implements AsyncListener {
    private final String sessionId;
    private final AccessGrant grant;
    private final String token;
    private final AsyncContext async;
    private final HttpServletResponse response;
    private boolean ended;
    Disconnects.Watch watch;
    /** When the session and token were last checked (System.nanoTime). */
    volatile long checked = System.nanoTime();

    Stream(String sessionId, AccessGrant grant, String token, AsyncContext async,
        HttpServletResponse response) {
      this.sessionId = sessionId;
      this.grant = grant;
      this.token = token;
      this.async = async;
      this.response = response;
    }

    boolean sameUser(AccessGrant other) {
      return grant.subject().equals(other.subject()) && grant.clientId().equals(other.clientId());
    }

    /** Writes the bytes; false, and the stream ends, if the client is gone. */
    synchronized boolean write(byte[] bytes) {
      if (ended) {
        return false;
      }
      try {
        response.getOutputStream().write(bytes);
        response.flushBuffer();
        return true;
      } catch (IOException | RuntimeException e) {
        end();
        return false;
      }
    }

    /** Ends the stream unless its session is still live and its token still valid. */
    void recheck() {
      boolean valid;
      try {
        valid = sessions.live(sessionId, grant) != null
            && tokens.validate(token, grant.backend()).isPresent();
      } catch (RuntimeException e) {
        // The store did not answer: the stream stays until it can be checked.
        return;
      }
      if (!valid) {
        end();
      }
    }

    synchronized void end() {
      if (ended) {
        return;
      }
      ended = true;
      open.remove(sessionId, this);
      if (watch != null) {
        watch.close();
      }
      try {
        async.complete();
      } catch (IllegalStateException e) {
        // The container completed it already (the client went away).
      }
    }

    @Override
    public void onComplete(AsyncEvent event) {
      synchronized (this) {
        ended = true;
      }
      open.remove(sessionId, this);
    }

    @Override
    public void onTimeout(AsyncEvent event) {}

    @Override
    public void onError(AsyncEvent event) {}

    @Override
    public void onStartAsync(AsyncEvent event) {}
  }
}
