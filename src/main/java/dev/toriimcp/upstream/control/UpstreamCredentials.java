package dev.toriimcp.upstream.control;

import dev.toriimcp.configuration.entity.BackendDefinition;
import dev.toriimcp.configuration.entity.UpstreamAuth;
import dev.toriimcp.platform.control.ExpiringCache;
import dev.toriimcp.platform.control.Storage;
import dev.toriimcp.sealing.control.Sealing;
import dev.toriimcp.sealing.entity.SealingException;
import dev.toriimcp.upstream.entity.BrokeredTokens;
import dev.toriimcp.upstream.entity.UpstreamCredential;
import dev.toriimcp.upstream.entity.UpstreamRequest;
import dev.toriimcp.upstream.entity.Renewal;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * A user's upstream credential for a backend: loaded sealed, opened only for the call, and
 * applied the way the backend's login-broker configuration says (a header with a prefix, or the
 * session cookie). The MCP client's own token is never part of an upstream request.
 */
@ApplicationScoped
public class UpstreamCredentials {

  /**
   * How long an opened credential is reused without reading and opening the sealed row again
   * (the tool-call hot path: opening cost a fifth of the gateway's own time per call). It stays
   * in this node's memory only, never longer than this after it was read; a new sign-in on this
   * node replaces it at once ({@link #forget}), on other nodes within this time. The database
   * only ever holds it sealed.
   */
  static final java.time.Duration CACHE = java.time.Duration.ofSeconds(5);

  /**
   * The credential in clear, when it expires (null: no stated expiry) and whether a refresh token
   * is stored with it (the refresh token itself is never cached; a refresh reads the row).
   */
  private record Opened(String credential, Instant expiresAt, boolean renewable) {}

  private static final Logger LOG = Logger.getLogger(UpstreamCredentials.class.getName());
  /** Threads that run refreshes; a refresh waits at most the provider's deadline (10 s). */
  private static final int REFRESHERS = 8;

  @Inject Storage storage;
  @Inject Sealing sealing;
  @Inject IdentityProviders providers;

  private final ExpiringCache<String, Opened> cache = new ExpiringCache<>(10_000);
  /** Single flight on this node: the refresh in progress per (backend, user), if any. */
  private final Map<String, CompletableFuture<Renewal>> refreshing = new ConcurrentHashMap<>();
  private final ThreadPoolExecutor refreshers = refreshers();

  /**
   * The user's upstream credential in clear, if one is stored and not expired: for an
   * {@code oauth2} backend the access token of the sealed token set ({@link BrokeredTokens}),
   * refreshed first if it expires within {@code auth.refresh_skew} (ADR 0021). Empty means the
   * user must sign in again (also after the provider refused the refresh token).
   *
   * @throws IdentityProviders.UnavailableException the token needs a refresh and the backend's
   *     identity provider cannot give one now (the message is for the log)
   */
  public Optional<String> open(String subject, BackendDefinition definition)
      throws IdentityProviders.UnavailableException {
    String backend = definition.name();
    String key = key(backend, subject);
    Instant now = Instant.now();
    Opened cached = cache.get(key, now);
    if (cached == null) {
      UpstreamCredential stored = storage.inTransaction(em ->
          em.find(UpstreamCredential.class, new UpstreamCredential.Key(subject, backend),
              TokenRefresh.FRESH));
      if (stored == null) {
        cache.remove(key);
        return Optional.empty();
      }
      byte[] opened;
      try {
        opened = sealing.sealer().open(stored.sealed(), backend, subject);
      } catch (SealingException e) {
        discard(stored, e);
        return Optional.empty();
      }
      try {
        cached = definition.auth() instanceof UpstreamAuth.OAuth2
            ? opened(BrokeredTokens.fromBytes(opened))
            : new Opened(new String(opened, StandardCharsets.UTF_8), stored.expiresAt(), false);
      } catch (IllegalArgumentException e) {
        discard(stored, new SealingException("not a credential of this backend's kind"));
        return Optional.empty();
      }
      cache.put(key, cached, now.plus(CACHE));
    }
    if (cached.renewable() && definition.auth() instanceof UpstreamAuth.OAuth2 auth
        && cached.expiresAt() != null
        && cached.expiresAt().isBefore(now.plus(auth.refreshSkew()))) {
      Renewal renewal = join(renew(subject, definition, null));
      if (renewal instanceof Renewal.Renewed renewed) {
        return Optional.of(renewed.tokens().accessToken());
      }
      if (renewal instanceof Renewal.Unavailable unavailable) {
        if (cached.expiresAt().isAfter(now)) {
          return Optional.of(cached.credential()); // still valid: use it while the IdP is away
        }
        throw new IdentityProviders.UnavailableException(unavailable.reason());
      }
      return Optional.empty();
    }
    if (cached.expiresAt() != null && cached.expiresAt().isBefore(now)) {
      return Optional.empty();
    }
    return Optional.of(cached.credential());
  }

  /**
   * After the backend answered 401 to {@code refused}: new tokens for one retry, unless another
   * call has already renewed them (ADR 0021). Completes on a refresh thread, never exceptionally
   * for a provider's answer (only for a fault of the gateway's own store).
   */
  public CompletableFuture<Renewal> renewRefused(String subject, BackendDefinition definition,
      String refused) {
    return renew(subject, definition, refused);
  }

  /**
   * Single flight on this node: every caller for one (backend, user) shares the refresh in
   * progress, so a storm of calls holds one database connection and sends one request to the
   * provider; {@link TokenRefresh} makes it one across nodes. The cache holds the new token
   * before any waiting caller sees the result.
   */
  private CompletableFuture<Renewal> renew(String subject, BackendDefinition definition,
      String refused) {
    String key = key(definition.name(), subject);
    CompletableFuture<Renewal> mine = new CompletableFuture<>();
    CompletableFuture<Renewal> running = refreshing.putIfAbsent(key, mine);
    if (running != null) {
      // A refresh for the expiry may find the row fresh and keep the very token that was refused.
      return refused == null ? running : running.thenCompose(renewal ->
          renewal instanceof Renewal.Renewed renewed
              && renewed.tokens().accessToken().equals(refused)
              ? renew(subject, definition, refused) : CompletableFuture.completedFuture(renewal));
    }
    try {
      refreshers.execute(() -> {
        try {
          Renewal renewal = new TokenRefresh(storage, sealing::sealer, providers)
              .refresh(subject, definition, refused);
          if (renewal instanceof Renewal.Renewed renewed) {
            cache.put(key, opened(renewed.tokens()), Instant.now().plus(CACHE));
          } else if (renewal instanceof Renewal.SignInAgain) {
            cache.remove(key);
          }
          refreshing.remove(key, mine);
          mine.complete(renewal);
        } catch (RuntimeException e) {
          refreshing.remove(key, mine);
          mine.completeExceptionally(e);
        }
      });
    } catch (RejectedExecutionException e) {
      refreshing.remove(key, mine);
      mine.complete(new Renewal.Unavailable("too many refreshes waiting"));
    }
    return mine;
  }

  private static Opened opened(BrokeredTokens tokens) {
    return new Opened(tokens.accessToken(), tokens.expiresAt(), tokens.refreshToken() != null);
  }

  private static Renewal join(CompletableFuture<Renewal> renewal) {
    try {
      return renewal.join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException cause ? cause : e;
    }
  }

  private static String key(String backend, String subject) {
    return backend + "\n" + subject;
  }

  private static ThreadPoolExecutor refreshers() {
    ThreadPoolExecutor pool = new ThreadPoolExecutor(REFRESHERS, REFRESHERS, 30, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(10_000), runnable -> {
          Thread thread = new Thread(runnable, "torii-token-refresh");
          thread.setDaemon(true);
          return thread;
        });
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }

  @PreDestroy
  void stop() {
    refreshers.shutdownNow();
  }

  /**
   * A stored credential that does not open (its key was removed from {@code sealing.keys}, or the
   * value is damaged) is as good as none: the row is deleted, unless a new sign-in has replaced it
   * meanwhile, and the caller answers "authorization required", so the client authorizes again
   * and the user's new sign-in stores a credential sealed under the current key (ADR 0017).
   */
  private void discard(UpstreamCredential stored, SealingException reason) {
    int deleted = storage.inTransaction(em -> em.createNamedQuery(UpstreamCredential.DELETE_SEALED)
        .setParameter("subject", stored.subject()).setParameter("backend", stored.backend())
        .setParameter("sealed", stored.sealed()).executeUpdate());
    LOG.warning(() -> "backend '" + stored.backend() + "': an upstream credential sealed under key '"
        + stored.keyId() + "' cannot be opened (" + reason.getMessage() + "); "
        + (deleted > 0 ? "deleted it" : "it was already replaced")
        + ", and its user is asked to sign in again");
  }

  /** Drops the cached row of a user after a new sign-in stored a new credential. */
  public void forget(String subject, String backend) {
    cache.remove(key(backend, subject));
  }

  /** A copy of the request with the credential attached. */
  public static UpstreamRequest apply(UpstreamRequest request, UpstreamAuth auth, String credential) {
    if (auth == null) {
      return request;
    }
    Map<String, List<String>> headers = new LinkedHashMap<>(request.headers());
    if (auth.cookie() != null) {
      List<String> cookies = new ArrayList<>();
      String existing = request.header("Cookie");
      if (existing != null) {
        cookies.add(existing);
      }
      cookies.add(auth.cookie() + "=" + credential);
      headers.keySet().removeIf(k -> k.equalsIgnoreCase("Cookie"));
      headers.put("Cookie", List.of(String.join("; ", cookies)));
    } else {
      headers.keySet().removeIf(k -> k.equalsIgnoreCase(auth.applyHeader()));
      headers.put(auth.applyHeader(), List.of(auth.applyPrefix() + credential));
    }
    return new UpstreamRequest(request.method(), request.uri(), headers, request.body());
  }
}
