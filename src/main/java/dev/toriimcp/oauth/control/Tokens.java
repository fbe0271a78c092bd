package dev.toriimcp.oauth.control;

import dev.toriimcp.configuration.control.LiveConfiguration;
import dev.toriimcp.configuration.entity.BackendDefinition;
import dev.toriimcp.configuration.entity.OAuthSettings;
import dev.toriimcp.oauth.entity.AccessGrant;
import dev.toriimcp.oauth.entity.AccessToken;
import dev.toriimcp.oauth.entity.AuthorizationCode;
import dev.toriimcp.oauth.entity.OAuthError;
import dev.toriimcp.oauth.entity.OAuthException;
import dev.toriimcp.oauth.entity.RefreshToken;
import dev.toriimcp.oauth.entity.RegisteredClient;
import dev.toriimcp.oauth.entity.TokenResponse;
import dev.toriimcp.platform.control.ExpiringCache;
import dev.toriimcp.platform.control.Storage;
import dev.toriimcp.sealing.control.Sealing;
import dev.toriimcp.upstream.entity.UpstreamCredential;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Codes and tokens: issue, redeem, rotate, validate, revoke. Every value is 256 random bits and
 * only its SHA-256 hash is stored (ADR 0007).
 */
@ApplicationScoped
public class Tokens {

  private static final Logger LOG = Logger.getLogger(Tokens.class.getName());

  @Inject Storage storage;
  @Inject LiveConfiguration live;
  @Inject Sealing sealing;

  private OAuthSettings lifetimes() {
    return live.current().oauth();
  }

  /** Issues a code for an approved authorization request; returns the code itself. */
  public String issueCode(String clientId, String redirectUri, String codeChallenge,
      String subject, String backend, String scope) {
    String code = Secrets.newToken();
    AuthorizationCode entity = new AuthorizationCode(Secrets.hash(code), clientId, redirectUri,
        codeChallenge, subject, backend, scope, Secrets.newToken(),
        Instant.now().plus(lifetimes().code()));
    storage.inTransaction(em -> {
      em.persist(entity);
      return null;
    });
    return code;
  }

  /**
   * Redeems a code (OAuth 2.1 §4.1.3). A second redemption with a correct verifier is refused and
   * revokes what the first one issued; a replay with a wrong verifier changes nothing.
   */
  public TokenResponse redeem(RegisteredClient client, String code, String redirectUri,
      String verifier, String backendFromResource) {
    return stored(() -> storage.inTransaction(em -> redeem(em, client, code, redirectUri, verifier,
        backendFromResource))).get();
  }

  /**
   * The outcome of a token request whose refusal must still be committed: a detected code or
   * refresh-token replay revokes the grant, and that revocation must not roll back with the error.
   */
  private record Outcome(TokenResponse response, OAuthError error) {
    TokenResponse get() {
      if (error != null) {
        throw new OAuthException(error);
      }
      return response;
    }
  }

  private Outcome redeem(EntityManager em, RegisteredClient client, String code,
      String redirectUri, String verifier, String backendFromResource) {
    AuthorizationCode stored = em.find(AuthorizationCode.class, Secrets.hash(code),
        LockModeType.PESSIMISTIC_WRITE);
    if (stored == null || !stored.clientId().equals(client.clientId())) {
      throw new OAuthException(OAuthError.invalidGrant("the code is invalid"));
    }
    if (!Pkce.verifies(verifier, stored.codeChallenge())) {
      throw new OAuthException(OAuthError.invalidGrant("the code verifier does not match"));
    }
    if (stored.consumed()) {
      revokeGrant(em, stored.grantId());
      return new Outcome(null, OAuthError.invalidGrant("the code was already used"));
    }
    if (stored.expiresAt().isBefore(Instant.now())) {
      throw new OAuthException(OAuthError.invalidGrant("the code has expired"));
    }
    if (redirectUri != null && !redirectUri.equals(stored.redirectUri())) {
      throw new OAuthException(OAuthError.invalidGrant("redirect_uri does not match"));
    }
    if (backendFromResource != null && !backendFromResource.equals(stored.backend())) {
      throw new OAuthException(OAuthError.invalidTarget("resource does not match the grant"));
    }
    stored.consume(Instant.now());
    if (client.kind() != RegisteredClient.Kind.METADATA_DOCUMENT) {
      // A document's client lives in the document cache, not in oauth_client (whose kind
      // column is too short for it anyway): merging it would fail the redemption.
      client.used(Instant.now());
      em.merge(client);
    }
    return new Outcome(issue(em, client, stored.subject(), stored.backend(), stored.scope(),
        stored.grantId(), null), null);
  }

  /**
   * Rotates a refresh token (OAuth 2.1 §4.3.1). Within {@code oauth.refresh_grace} of its rotation
   * a used token yields the grant's one live refresh token again (the successor, or where the
   * chain has moved on, its latest link) with a new access token: parallel or retried refreshes
   * get a working pair, and no second live successor ever exists. After that, its reuse revokes
   * the whole grant. Every successor keeps the grant's absolute expiry. A refused request never
   * consumes the token; a store failure is 503 and consumes nothing (research RF-11, ADR 0017).
   */
  public TokenResponse refresh(RegisteredClient client, String refreshToken, String scope,
      String backendFromResource) {
    return stored(() -> storage.inTransaction(em -> refresh(em, client, refreshToken, scope,
        backendFromResource))).get();
  }

  private Outcome refresh(EntityManager em, RegisteredClient client, String refreshToken,
      String scope, String backendFromResource) {
    RefreshToken stored = em.find(RefreshToken.class, Secrets.hash(refreshToken),
        LockModeType.PESSIMISTIC_WRITE);
    Instant now = Instant.now();
    if (stored == null || stored.revoked() || !stored.clientId().equals(client.clientId())) {
      throw new OAuthException(OAuthError.invalidGrant("the refresh token is invalid"));
    }
    if (stored.expiresAt().isBefore(now) || stored.idleExpiresAt().isBefore(now)) {
      throw new OAuthException(OAuthError.invalidGrant("the refresh token has expired"));
    }
    if (stored.rotatedAt() != null && stored.rotatedAt().plus(lifetimes().refreshGrace()).isBefore(now)) {
      revokeGrant(em, stored.grantId());
      return new Outcome(null, OAuthError.invalidGrant("the refresh token was already used"));
    }
    if (backendFromResource != null && !backendFromResource.equals(stored.backend())) {
      throw new OAuthException(OAuthError.invalidTarget("resource does not match the grant"));
    }
    String granted = stored.scope();
    if (scope != null && !scope.isBlank()) {
      if (!Scopes.parse(granted).containsAll(Scopes.parse(scope))) {
        throw new OAuthException(OAuthError.invalidScope("broader than the original grant"));
      }
      granted = Scopes.format(Scopes.parse(scope));
    }
    if (!upstreamLinked(em, stored)) {
      // Research RF-9: the user's upstream credential is gone (or sealed under a removed key);
      // tokens would only meet "sign in again" at the first tool call, so the grant ends now.
      revokeGrant(em, stored.grantId());
      return new Outcome(null, OAuthError.invalidGrant("the user must sign in to the backend again"));
    }
    if (stored.rotatedAt() != null) {
      String live = liveSuccessor(em, refreshToken, stored);
      String access = issueAccess(em, client, stored.subject(), stored.backend(), granted,
          stored.grantId());
      return new Outcome(new TokenResponse(access, lifetimes().accessToken().toSeconds(), granted,
          live), null);
    }
    TokenResponse issued = issue(em, client, stored.subject(), stored.backend(), granted,
        stored.grantId(), stored.expiresAt());
    stored.rotate(now, issued.refreshToken() == null ? null
        : SuccessorSeal.seal(refreshToken, issued.refreshToken()));
    return new Outcome(issued, null);
  }

  /** Longest chain of rotations followed from a retried token to the grant's live one. */
  private static final int MAX_CHAIN = 16;

  /**
   * The grant's live refresh token, reached from a used one by opening each successor with its
   * predecessor. Refused when the chain is broken (a token from before successors were kept,
   * or one purged or revoked since).
   */
  private static String liveSuccessor(EntityManager em, String used, RefreshToken stored) {
    String token = used;
    RefreshToken row = stored;
    for (int step = 0; step < MAX_CHAIN && row.rotatedAt() != null; step++) {
      String next = SuccessorSeal.open(token, row.successorSealed()).orElse(null);
      row = next == null ? null : em.find(RefreshToken.class, Secrets.hash(next),
          LockModeType.PESSIMISTIC_WRITE);
      if (row == null || row.revoked()) {
        throw new OAuthException(OAuthError.invalidGrant("the refresh token was already used"));
      }
      token = next;
    }
    if (row.rotatedAt() != null) {
      throw new OAuthException(OAuthError.invalidGrant("the refresh token was already used"));
    }
    return token;
  }

  /** Whether the user's upstream credential, where the backend needs one, is there and opens. */
  private boolean upstreamLinked(EntityManager em, RefreshToken stored) {
    Optional<BackendDefinition> backend = live.current().backend(stored.backend());
    if (backend.isEmpty() || backend.get().auth() == null) {
      return true;
    }
    UpstreamCredential credential = em.find(UpstreamCredential.class,
        new UpstreamCredential.Key(stored.subject(), stored.backend()));
    return credential != null && sealing.sealer().opens(credential.keyId());
  }

  /**
   * Runs storage work of the token endpoint: a failure of the store is 503 {@code
   * temporarily_unavailable}, never {@code invalid_grant} (which would make the client drop a good
   * refresh token) nor a bare 500 (research §2.7, RF-11).
   */
  private static <T> T stored(Supplier<T> work) {
    try {
      return work.get();
    } catch (OAuthException e) {
      throw e;
    } catch (RuntimeException e) {
      LOG.warning(() -> "token endpoint: the store failed (" + e.getClass().getName()
          + (e.getCause() == null ? "" : ", caused by " + e.getCause().getClass().getName())
          + "); answered 503");
      throw new OAuthException(OAuthError.temporarilyUnavailable());
    }
  }

  /**
   * How long a validated access token is trusted without asking the database again: the steady
   * state of a tool-calling client costs no query on a single node. With several nodes
   * ({@link Storage#shared()}) nothing is cached, so a token revoked on one node is refused on
   * every node at the next call (ADR 0034).
   */
  static final java.time.Duration VALIDATION_CACHE = java.time.Duration.ofSeconds(5);
  private static final int VALIDATION_CACHE_SIZE = 10_000;

  private final ExpiringCache<String, AccessToken> validated =
      new ExpiringCache<>(VALIDATION_CACHE_SIZE);

  /** The grant of a valid, unrevoked, unexpired access token for this backend, if any. */
  public Optional<AccessGrant> validate(String accessToken, String backend) {
    if (accessToken == null || accessToken.length() > 512) {
      return Optional.empty();
    }
    String hash = Secrets.hash(accessToken);
    Instant now = Instant.now();
    AccessToken stored = validated.get(hash, now);
    if (stored == null) {
      stored = storage.read(em -> em.find(AccessToken.class, hash));
      if (stored != null && !stored.revoked() && !storage.shared()) {
        validated.put(hash, stored, now.plus(VALIDATION_CACHE));
      }
    }
    if (stored == null || stored.revoked() || stored.expiresAt().isBefore(now)
        || !stored.backend().equals(backend)) {
      return Optional.empty();
    }
    return Optional.of(new AccessGrant(stored.subject(), stored.clientId(), stored.backend(),
        stored.scope(), stored.grantId()));
  }

  /** RFC 7009: revokes a token of this client and its grant; unknown tokens are ignored. */
  public void revoke(RegisteredClient client, String token) {
    storage.inTransaction(em -> {
      String hash = Secrets.hash(token);
      RefreshToken refresh = em.find(RefreshToken.class, hash);
      if (refresh != null && refresh.clientId().equals(client.clientId())) {
        revokeGrant(em, refresh.grantId());
        return null;
      }
      AccessToken access = em.find(AccessToken.class, hash);
      if (access != null && access.clientId().equals(client.clientId())) {
        access.revoke();
        validated.clear();
      }
      return null;
    });
  }

  /**
   * Revokes every access and refresh token of one authorization. The gateway does this when the
   * user's upstream credential no longer works: the client's refresh then fails, so it runs the
   * authorization again, and the login stores a new credential.
   */
  public void revokeGrant(String grantId) {
    storage.inTransaction(em -> {
      revokeGrant(em, grantId);
      return null;
    });
  }

  /**
   * A new access token and, if the client may refresh, a new refresh token. {@code
   * refreshExpiresAt} is the grant's absolute refresh expiry, carried forward from its first
   * refresh token; null starts a grant.
   */
  private TokenResponse issue(EntityManager em, RegisteredClient client, String subject,
      String backend, String scope, String grantId, Instant refreshExpiresAt) {
    Instant now = Instant.now();
    String access = issueAccess(em, client, subject, backend, scope, grantId);
    String refresh = null;
    if (client.refreshAllowed()) {
      refresh = Secrets.newToken();
      em.persist(new RefreshToken(Secrets.hash(refresh), client.clientId(), subject, backend,
          scope, grantId, refreshExpiresAt != null ? refreshExpiresAt
              : now.plus(lifetimes().refreshToken()), now.plus(lifetimes().refreshIdle())));
    }
    return new TokenResponse(access, lifetimes().accessToken().toSeconds(), scope, refresh);
  }

  private String issueAccess(EntityManager em, RegisteredClient client, String subject,
      String backend, String scope, String grantId) {
    String access = Secrets.newToken();
    em.persist(new AccessToken(Secrets.hash(access), client.clientId(), subject, backend, scope,
        grantId, Instant.now().plus(lifetimes().accessToken())));
    return access;
  }

  private void revokeGrant(EntityManager em, String grantId) {
    validated.clear(); // a shared database caches nothing, so only this node remembers
    em.createNamedQuery(AccessToken.REVOKE_GRANT).setParameter("grant", grantId).executeUpdate();
    em.createNamedQuery(RefreshToken.REVOKE_GRANT).setParameter("grant", grantId).executeUpdate();
  }
}
