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
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

  /** The credential in clear and when it expires (null: no stated expiry). */
  private record Opened(String credential, Instant expiresAt) {}

  private static final Logger LOG = Logger.getLogger(UpstreamCredentials.class.getName());

  @Inject Storage storage;
  @Inject Sealing sealing;

  private final ExpiringCache<String, Opened> cache = new ExpiringCache<>(10_000);

  /**
   * The user's upstream credential in clear, if one is stored and not expired: for an
   * {@code oauth2} backend the access token of the sealed token set ({@link BrokeredTokens}).
   */
  public Optional<String> open(String subject, BackendDefinition definition) {
    String backend = definition.name();
    String key = backend + "\n" + subject;
    Instant now = Instant.now();
    Opened cached = cache.get(key, now);
    if (cached == null) {
      UpstreamCredential stored = storage.inTransaction(em ->
          em.find(UpstreamCredential.class, new UpstreamCredential.Key(subject, backend)));
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
      String credential;
      try {
        credential = definition.auth() instanceof UpstreamAuth.OAuth2
            ? BrokeredTokens.fromBytes(opened).accessToken()
            : new String(opened, StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        discard(stored, new SealingException("not a credential of this backend's kind"));
        return Optional.empty();
      }
      cached = new Opened(credential, stored.expiresAt());
      cache.put(key, cached, now.plus(CACHE));
    }
    if (cached.expiresAt() != null && cached.expiresAt().isBefore(now)) {
      return Optional.empty();
    }
    return Optional.of(cached.credential());
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
    cache.remove(backend + "\n" + subject);
  }

  /** A copy of the request with the credential attached. */
  public static UpstreamRequest apply(UpstreamRequest request, UpstreamAuth auth, String credential) {
    Map<String, List<String>> headers = new LinkedHashMap<>(request.headers());
    if (auth instanceof UpstreamAuth.OAuth2 oauth2) {
      headers.keySet().removeIf(k -> k.equalsIgnoreCase(oauth2.applyHeader()));
      headers.put(oauth2.applyHeader(), List.of(oauth2.applyPrefix() + credential));
      return new UpstreamRequest(request.method(), request.uri(), headers, request.body());
    }
    if (!(auth instanceof UpstreamAuth.LoginBroker broker)) {
      return request;
    }
    if (broker.cookie() != null) {
      List<String> cookies = new ArrayList<>();
      String existing = request.header("Cookie");
      if (existing != null) {
        cookies.add(existing);
      }
      cookies.add(broker.cookie() + "=" + credential);
      headers.keySet().removeIf(k -> k.equalsIgnoreCase("Cookie"));
      headers.put("Cookie", List.of(String.join("; ", cookies)));
    } else {
      headers.keySet().removeIf(k -> k.equalsIgnoreCase(broker.applyHeader()));
      headers.put(broker.applyHeader(), List.of(broker.applyPrefix() + credential));
    }
    return new UpstreamRequest(request.method(), request.uri(), headers, request.body());
  }
}
