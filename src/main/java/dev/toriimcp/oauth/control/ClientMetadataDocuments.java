package dev.toriimcp.oauth.control;

import dev.toriimcp.oauth.entity.OAuthError;
import dev.toriimcp.oauth.entity.OAuthException;
import dev.toriimcp.oauth.entity.RedirectUris;
import dev.toriimcp.oauth.entity.RegisteredClient;
import dev.toriimcp.platform.control.ExpiringCache;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;

/**
 * Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document-02; MCP 2025-11-25
 * "Client ID Metadata Documents"): a {@code client_id} that is an https URL names a JSON document
 * describing the client. Fetched with care, because the URL comes from anyone, before any login
 * (research §2.5, CM-1…CM-13; ADR 0012):
 *
 * <ul>
 *   <li>https only; no fragment, user info, query or dot segments; no host written as a number
 *       other than a canonical dotted quad ({@link SpecialAddresses#ambiguousNumber});
 *   <li>the host is resolved once and every address checked against loopback, private,
 *       link-local and other special ranges, including IPv4 embedded in IPv6 (§8.6; unless
 *       private addresses are allowed by configuration); the connection goes to the checked
 *       address ({@link DocumentFetcher});
 *   <li>one 5 s deadline for the whole fetch, body included; no redirects; HTTP 200 only; at
 *       most 5 KB (§8.7); JSON only;
 *   <li>at most {@link #MAX_CONCURRENT} fetches at once on threads of their own, and at most
 *       {@link #WAITING_PER_FETCH} times as many requests waiting for them; beyond either the
 *       request fails at once with {@code temporarily_unavailable} instead of waiting;
 *       concurrent look-ups of one URL share one fetch;
 *   <li>valid documents are cached per their {@code Cache-Control} max-age, bounded to one day
 *       (§5.2). Error responses and invalid documents are never cached (§5.2, CM-11). A fetch
 *       that got no response at all (unknown or special host, no connection, TLS failure,
 *       deadline) is remembered for {@link #FAILURE_TTL}, so that a host that stalls costs one
 *       fetch per half minute, not one per request.
 * </ul>
 */
public final class ClientMetadataDocuments {

  static final int MAX_BYTES = 5 * 1024;
  static final Duration TIMEOUT = Duration.ofSeconds(5);
  static final Duration DEFAULT_TTL = Duration.ofHours(1);
  static final Duration MAX_TTL = Duration.ofDays(1);
  static final Duration FAILURE_TTL = Duration.ofSeconds(30);
  static final int MAX_CONCURRENT = 8;
  /** Requests that may wait at once, per fetch thread: 64 container threads at most. */
  static final int WAITING_PER_FETCH = 8;
  /** How long a waiting request may outlast the fetch's own deadline (thread hand-offs). */
  private static final Duration GRACE = Duration.ofMillis(500);
  private static final Pattern MAX_AGE = Pattern.compile("max-age=(\\d+)");
  private static final Logger LOG = Logger.getLogger(ClientMetadataDocuments.class.getName());

  /** The result of one fetch, shared by every request that waited for it. */
  private record Outcome(RegisteredClient client, String refusal) {}

  /** No fetch thread was free: the request fails at once (compared by identity). */
  private static final Outcome BUSY = new Outcome(null, "too many fetches in progress");

  private final DocumentFetcher fetcher;
  private final boolean allowPrivate;
  private final ThreadPoolExecutor fetches;
  // Requests waiting for a fetch hold container threads: bounded too (followers of one URL).
  private final Semaphore waiting;
  // Bounded: anyone can make the gateway fetch documents at URLs of their choosing.
  private final ExpiringCache<String, RegisteredClient> cache = new ExpiringCache<>(10_000);
  private final ExpiringCache<String, String> failures = new ExpiringCache<>(10_000);
  private final Map<String, CompletableFuture<Outcome>> inFlight = new ConcurrentHashMap<>();

  ClientMetadataDocuments(SSLContext tls, boolean allowPrivate, int maxConcurrent) {
    this.fetcher = new DocumentFetcher(tls, maxConcurrent);
    this.allowPrivate = allowPrivate;
    this.waiting = new Semaphore(WAITING_PER_FETCH * maxConcurrent);
    // No queue: a fetch beyond the limit is refused at once rather than left to wait.
    this.fetches = new ThreadPoolExecutor(0, maxConcurrent, 60, TimeUnit.SECONDS,
        new SynchronousQueue<>(), task -> {
          Thread thread = new Thread(task, "torii-cimd-fetch");
          thread.setDaemon(true);
          return thread;
        });
  }

  public static ClientMetadataDocuments forRuntime(boolean allowPrivate) {
    try {
      return new ClientMetadataDocuments(SSLContext.getDefault(), allowPrivate, MAX_CONCURRENT);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("no default TLS context", e);
    }
  }

  /** Whether a client id is a URL that names a metadata document (and not a registered id). */
  public static boolean isDocumentUrl(String clientId) {
    return clientId != null && clientId.regionMatches(true, 0, "https://", 0, 8);
  }

  /**
   * The client the document describes, or empty if the URL or the document is not acceptable.
   *
   * @throws OAuthException {@code temporarily_unavailable} (503) when too many documents are
   *     being fetched already
   */
  public Optional<RegisteredClient> resolve(String clientId) {
    Instant now = Instant.now();
    RegisteredClient cached = cache.get(clientId, now);
    if (cached != null) {
      return Optional.of(cached);
    }
    if (failures.get(clientId, now) != null) {
      return Optional.empty();
    }
    URI url;
    try {
      url = checkedUrl(clientId);
    } catch (Refused e) {
      LOG.info(() -> "client metadata document " + LogSafe.text(clientId) + " refused: "
          + LogSafe.text(e.getMessage()));
      return Optional.empty();
    }
    if (!waiting.tryAcquire()) {
      throw busy(clientId);
    }
    try {
      CompletableFuture<Outcome> mine = new CompletableFuture<>();
      CompletableFuture<Outcome> flight = inFlight.putIfAbsent(clientId, mine);
      if (flight == null) {
        flight = mine;
        start(clientId, url, mine);
      }
      return Optional.ofNullable(await(clientId, flight).client());
    } finally {
      waiting.release();
    }
  }

  /** Requests waiting for a fetch now (tests). */
  int waiting() {
    return WAITING_PER_FETCH * fetches.getMaximumPoolSize() - waiting.availablePermits();
  }

  private OAuthException busy(String clientId) {
    LOG.warning(() -> "client metadata document " + LogSafe.text(clientId) + " not fetched: "
        + fetches.getMaximumPoolSize() + " fetches and their waiting requests are the limit");
    return new OAuthException(new OAuthError("temporarily_unavailable", "too many client"
        + " metadata documents are being fetched; try again in a few seconds", 503));
  }

  private void start(String clientId, URI url, CompletableFuture<Outcome> flight) {
    try {
      fetches.execute(() -> flight.complete(fetch(clientId, url, flight)));
    } catch (RejectedExecutionException e) {
      inFlight.remove(clientId, flight);
      flight.complete(BUSY);
    }
  }

  private Outcome await(String clientId, CompletableFuture<Outcome> flight) {
    Outcome outcome;
    try {
      outcome = flight.get(TIMEOUT.plus(GRACE).toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      outcome = new Outcome(null, "no answer within " + TIMEOUT.toSeconds() + " s");
    } catch (ExecutionException e) {
      outcome = new Outcome(null, "fetch failed");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Outcome(null, "interrupted");
    }
    if (outcome == BUSY) {
      throw busy(clientId);
    }
    return outcome;
  }

  /** Runs on a fetch thread: resolve, check, GET, validate; records the outcome in the caches. */
  private Outcome fetch(String clientId, URI url, CompletableFuture<Outcome> flight) {
    Instant deadline = Instant.now().plus(TIMEOUT);
    Outcome outcome;
    try {
      DocumentFetcher.Fetched fetched = get(url, deadline);
      outcome = accept(clientId, fetched);
    } catch (Unreachable e) {
      outcome = new Outcome(null, e.getMessage());
      failures.put(clientId, e.getMessage(), Instant.now().plus(FAILURE_TTL));
    } catch (Refused e) {
      outcome = new Outcome(null, e.getMessage());
    } catch (RuntimeException e) {
      outcome = new Outcome(null, e.getClass().getSimpleName());
    } finally {
      inFlight.remove(clientId, flight);
    }
    if (outcome.refusal() != null) {
      LOG.info("client metadata document " + LogSafe.text(clientId) + " refused: "
          + LogSafe.text(outcome.refusal()));
    }
    return outcome;
  }

  private DocumentFetcher.Fetched get(URI url, Instant deadline) throws Unreachable {
    List<InetAddress> addresses = checkedAddresses(url.getHost());
    IOException last = null;
    for (InetAddress address : addresses) {
      try {
        return fetcher.get(url, address, MAX_BYTES, deadline);
      } catch (ConnectException e) {
        last = e; // this address does not answer: the next one may
      } catch (IOException e) {
        throw new Unreachable("cannot be fetched: " + e.getMessage());
      }
    }
    throw new Unreachable("cannot be fetched: " + (last == null ? "no address" : last.getMessage()));
  }

  private Outcome accept(String clientId, DocumentFetcher.Fetched fetched) throws Refused {
    if (fetched.status() != 200) {
      throw new Refused("HTTP " + fetched.status());
    }
    if (fetched.body().length > MAX_BYTES) {
      throw new Refused("larger than " + MAX_BYTES + " bytes");
    }
    if (!fetched.contentType().toLowerCase(Locale.ROOT).contains("json")) {
      throw new Refused("not JSON");
    }
    RegisteredClient client = client(clientId, fetched.body());
    cache.put(clientId, client, Instant.now().plus(ttl(fetched.cacheControl())));
    return new Outcome(client, null);
  }

  /** A fetch that got no response to judge: remembered for {@link #FAILURE_TTL}. */
  static final class Unreachable extends Exception {
    private static final long serialVersionUID = 1L;

    Unreachable(String message) {
      super(message, null, false, false);
    }
  }

  static final class Refused extends Exception {
    private static final long serialVersionUID = 1L;

    Refused(String message) {
      super(message, null, false, false);
    }
  }

  static URI checkedUrl(String clientId) throws Refused {
    URI url;
    try {
      url = new URI(clientId);
    } catch (URISyntaxException e) {
      throw new Refused("not a URL");
    }
    String path = url.getRawPath() == null ? "" : url.getRawPath();
    if (!"https".equals(url.getScheme()) || url.getHost() == null) {
      throw new Refused("not an https URL with a host name");
    }
    if (SpecialAddresses.ambiguousNumber(url.getHost())) {
      throw new Refused("the host is a number in a form other than a.b.c.d");
    }
    if (url.getRawFragment() != null || url.getRawUserInfo() != null || url.getRawQuery() != null) {
      throw new Refused("fragment, user information or query present");
    }
    if (path.isEmpty() || path.equals("/")) {
      throw new Refused("no path");
    }
    for (String segment : path.split("/")) {
      if (segment.equals(".") || segment.equals("..")) {
        throw new Refused("dot segment in the path");
      }
    }
    return url;
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

  static RegisteredClient client(String clientId, byte[] body) throws Refused {
    JsonObject document;
    try (JsonReader reader = Json.createReader(new ByteArrayInputStream(body))) {
      JsonValue value = reader.readValue();
      if (value.getValueType() != JsonValue.ValueType.OBJECT) {
        throw new Refused("not a JSON object");
      }
      document = value.asJsonObject();
    } catch (jakarta.json.JsonException | IllegalStateException e) {
      throw new Refused("invalid JSON");
    }
    if (!(document.get("client_id") instanceof JsonString id) || !id.getString().equals(clientId)) {
      throw new Refused("client_id does not equal the document URL");
    }
    if (!(document.get("client_name") instanceof JsonString name) || name.getString().isBlank()) {
      throw new Refused("client_name missing");
    }
    if (document.containsKey("client_secret") || document.containsKey("client_secret_expires_at")) {
      throw new Refused("a client secret in a public document");
    }
    JsonValue method = document.get("token_endpoint_auth_method");
    if (method != null && !(method instanceof JsonString m && m.getString().equals("none"))) {
      throw new Refused("token_endpoint_auth_method must be none");
    }
    if (!(document.get("redirect_uris") instanceof JsonArray uris) || uris.isEmpty()) {
      throw new Refused("redirect_uris missing");
    }
    List<String> redirects = new ArrayList<>();
    for (JsonValue uri : uris) {
      if (!(uri instanceof JsonString text) || RedirectUris.refusal(text.getString()) != null) {
        throw new Refused("an unacceptable redirect URI");
      }
      redirects.add(text.getString());
    }
    boolean refresh = document.get("grant_types") instanceof JsonArray grants
        && grants.stream().anyMatch(g -> g instanceof JsonString s && s.getString().equals("refresh_token"));
    String clientName = name.getString().length() > 200 ? name.getString().substring(0, 200) : name.getString();
    return new RegisteredClient(clientId, RegisteredClient.Kind.METADATA_DOCUMENT, clientName,
        redirects, "none", null, refresh, Instant.now());
  }

  private static Duration ttl(String cacheControl) {
    Matcher maxAge = MAX_AGE.matcher(cacheControl);
    if (!maxAge.find()) {
      return DEFAULT_TTL;
    }
    try {
      Duration declared = Duration.ofSeconds(Long.parseLong(maxAge.group(1)));
      return declared.compareTo(MAX_TTL) > 0 ? MAX_TTL : declared;
    } catch (NumberFormatException e) {
      return DEFAULT_TTL;
    }
  }
}
