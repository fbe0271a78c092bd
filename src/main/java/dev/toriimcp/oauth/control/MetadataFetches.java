package dev.toriimcp.oauth.control;

import dev.toriimcp.oauth.control.ClientMetadataDocuments.Refused;
import dev.toriimcp.oauth.entity.OAuthError;
import dev.toriimcp.oauth.entity.OAuthException;
import dev.toriimcp.platform.control.ExpiringCache;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Logger;
import javax.net.ssl.SSLContext;

/**
 * The one way out to URLs that anyone may name: client ID metadata documents and the JWK sets
 * their {@code jwks_uri} points to (ADR 0012, ADR 0023). Every fetch resolves the host once and
 * checks every address (unless private addresses are allowed by configuration), connects to the
 * checked address ({@link DocumentFetcher}), ends at one {@link ClientMetadataDocuments#TIMEOUT}
 * deadline, reads at most the caller's size limit, wants HTTP 200 and JSON, and runs on a bounded
 * pool: at most {@code maxConcurrent} fetches and {@link ClientMetadataDocuments#WAITING_PER_FETCH}
 * times as many waiting requests, beyond which a request fails at once with
 * {@code temporarily_unavailable}. Concurrent fetches of one key share one fetch; a fetch that
 * got no response at all is remembered for {@link ClientMetadataDocuments#FAILURE_TTL}.
 *
 * <p>What a good answer means (and how long it is cached) is the caller's: the {@link Acceptor}
 * runs on the fetch thread, before the shared fetch ends, so that a caller's cache is filled
 * before the next request looks.
 */
final class MetadataFetches {

  /** Turns a good answer (200, JSON, within the limit) into a value; refuses anything else. */
  @FunctionalInterface
  interface Acceptor<T> {
    T accept(DocumentFetcher.Fetched fetched) throws Refused;
  }

  /** The result of one fetch, shared by every request that waited for it. */
  private record Outcome(Object value, String refusal) {}

  /** No fetch thread was free: the request fails at once (compared by identity). */
  private static final Outcome BUSY = new Outcome(null, "too many fetches in progress");
  /** How long a waiting request may outlast the fetch's own deadline (thread hand-offs). */
  private static final Duration GRACE = Duration.ofMillis(500);
  private static final Logger LOG = Logger.getLogger(MetadataFetches.class.getName());

  private final DocumentFetcher fetcher;
  private final boolean allowPrivate;
  private final ThreadPoolExecutor fetches;
  // Requests waiting for a fetch hold container threads: bounded too (followers of one URL).
  private final Semaphore waiting;
  private final ExpiringCache<String, String> failures = new ExpiringCache<>(10_000);
  private final Map<String, CompletableFuture<Outcome>> inFlight = new ConcurrentHashMap<>();

  MetadataFetches(SSLContext tls, boolean allowPrivate, int maxConcurrent) {
    this.fetcher = new DocumentFetcher(tls, maxConcurrent);
    this.allowPrivate = allowPrivate;
    this.waiting = new Semaphore(ClientMetadataDocuments.WAITING_PER_FETCH * maxConcurrent);
    // No queue: a fetch beyond the limit is refused at once rather than left to wait.
    this.fetches = new ThreadPoolExecutor(0, maxConcurrent, 60, TimeUnit.SECONDS,
        new SynchronousQueue<>(), task -> {
          Thread thread = new Thread(task, "torii-cimd-fetch");
          thread.setDaemon(true);
          return thread;
        });
  }

  /**
   * Fetches {@code url} (already checked for its form) once for every concurrent caller of the
   * same {@code key}; {@code what} names it in the log. Returns the accepted value, or null when
   * the URL cannot be fetched or the answer was refused (the reason is logged).
   *
   * @throws OAuthException {@code temporarily_unavailable} (503) when too many fetches are in
   *     progress already
   */
  @SuppressWarnings("unchecked")
  <T> T fetch(String what, String key, URI url, int maxBytes, Acceptor<T> acceptor) {
    if (failures.get(key, Instant.now()) != null) {
      return null;
    }
    if (!waiting.tryAcquire()) {
      throw busy(what);
    }
    try {
      CompletableFuture<Outcome> mine = new CompletableFuture<>();
      CompletableFuture<Outcome> flight = inFlight.putIfAbsent(key, mine);
      if (flight == null) {
        flight = mine;
        start(what, key, url, maxBytes, acceptor, mine);
      }
      return (T) await(what, flight).value();
    } finally {
      waiting.release();
    }
  }

  /** Requests waiting for a fetch now (tests). */
  int waiting() {
    return ClientMetadataDocuments.WAITING_PER_FETCH * fetches.getMaximumPoolSize()
        - waiting.availablePermits();
  }

  private OAuthException busy(String what) {
    LOG.warning(() -> LogSafe.text(what) + " not fetched: " + fetches.getMaximumPoolSize()
        + " fetches and their waiting requests are the limit");
    return new OAuthException(new OAuthError("temporarily_unavailable", "too many client"
        + " metadata documents are being fetched; try again in a few seconds", 503));
  }

  private <T> void start(String what, String key, URI url, int maxBytes, Acceptor<T> acceptor,
      CompletableFuture<Outcome> flight) {
    try {
      fetches.execute(() -> flight.complete(fetch(what, key, url, maxBytes, acceptor, flight)));
    } catch (RejectedExecutionException e) {
      inFlight.remove(key, flight);
      flight.complete(BUSY);
    }
  }

  private Outcome await(String what, CompletableFuture<Outcome> flight) {
    Outcome outcome;
    Duration timeout = ClientMetadataDocuments.TIMEOUT;
    try {
      outcome = flight.get(timeout.plus(GRACE).toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      outcome = new Outcome(null, "no answer within " + timeout.toSeconds() + " s");
    } catch (ExecutionException e) {
      outcome = new Outcome(null, "fetch failed");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Outcome(null, "interrupted");
    }
    if (outcome == BUSY) {
      throw busy(what);
    }
    return outcome;
  }

  /** Runs on a fetch thread: resolve, check, GET, accept; records a failure to connect. */
  private <T> Outcome fetch(String what, String key, URI url, int maxBytes, Acceptor<T> acceptor,
      CompletableFuture<Outcome> flight) {
    Instant deadline = Instant.now().plus(ClientMetadataDocuments.TIMEOUT);
    Outcome outcome;
    try {
      DocumentFetcher.Fetched fetched = get(url, maxBytes, deadline);
      outcome = new Outcome(acceptor.accept(checked(fetched, maxBytes)), null);
    } catch (Unreachable e) {
      outcome = new Outcome(null, e.getMessage());
      failures.put(key, e.getMessage(), Instant.now().plus(ClientMetadataDocuments.FAILURE_TTL));
    } catch (Refused e) {
      outcome = new Outcome(null, e.getMessage());
    } catch (RuntimeException e) {
      outcome = new Outcome(null, e.getClass().getSimpleName());
    } finally {
      inFlight.remove(key, flight);
    }
    if (outcome.refusal() != null) {
      LOG.info(LogSafe.text(what) + " refused: " + LogSafe.text(outcome.refusal()));
    }
    return outcome;
  }

  private static DocumentFetcher.Fetched checked(DocumentFetcher.Fetched fetched, int maxBytes)
      throws Refused {
    if (fetched.status() != 200) {
      throw new Refused("HTTP " + fetched.status());
    }
    if (fetched.body().length > maxBytes) {
      throw new Refused("larger than " + maxBytes + " bytes");
    }
    if (!fetched.contentType().toLowerCase(Locale.ROOT).contains("json")) {
      throw new Refused("not JSON");
    }
    return fetched;
  }

  private DocumentFetcher.Fetched get(URI url, int maxBytes, Instant deadline) throws Unreachable {
    List<InetAddress> addresses = checkedAddresses(url.getHost());
    IOException last = null;
    for (InetAddress address : addresses) {
      try {
        return fetcher.get(url, address, maxBytes, deadline);
      } catch (ConnectException e) {
        last = e; // this address does not answer: the next one may
      } catch (IOException e) {
        throw new Unreachable("cannot be fetched: " + e.getMessage());
      }
    }
    throw new Unreachable("cannot be fetched: " + (last == null ? "no address" : last.getMessage()));
  }

  /**
   * Every address of the host, each checked (§8.6), resolved once here and never again: the
   * fetch connects to one of these.
   */
  List<InetAddress> checkedAddresses(String host) throws Unreachable {
    InetAddress[] addresses;
    try {
      addresses = InetAddress.getAllByName(host);
    } catch (UnknownHostException e) {
      throw new Unreachable("unknown host");
    }
    if (!allowPrivate) {
      for (InetAddress address : addresses) {
        if (SpecialAddresses.special(address)) {
          throw new Unreachable("the host resolves to a loopback, private or special address");
        }
      }
    }
    return List.of(addresses);
  }

  /** A fetch that got no response to judge: remembered for a short while. */
  static final class Unreachable extends Exception {
    private static final long serialVersionUID = 1L;

    Unreachable(String message) {
      super(message, null, false, false);
    }
  }
}
