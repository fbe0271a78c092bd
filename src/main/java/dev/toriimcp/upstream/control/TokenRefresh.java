package dev.toriimcp.upstream.control;

import dev.toriimcp.configuration.entity.BackendDefinition;
import dev.toriimcp.configuration.entity.UpstreamAuth;
import dev.toriimcp.platform.control.Storage;
import dev.toriimcp.sealing.control.Sealer;
import dev.toriimcp.sealing.entity.SealingException;
import dev.toriimcp.upstream.entity.BrokeredTokens;
import dev.toriimcp.upstream.entity.Renewal;
import dev.toriimcp.upstream.entity.UpstreamCredential;
import jakarta.persistence.CacheRetrieveMode;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import java.io.IOException;
import java.time.Instant;
import java.util.Map;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * One refresh of a user's {@code oauth2} tokens, across nodes (ADR 0021): the credential row is
 * locked ({@code SELECT ... FOR UPDATE}) for the whole exchange with the identity provider, so a
 * second node that wants the same refresh waits for the first, then reads the row again and
 * finds the new tokens there instead of spending the (possibly single-use) refresh token a
 * second time. The new tokens are sealed and stored in the same transaction.
 */
final class TokenRefresh {

  private static final Logger LOG = Logger.getLogger(TokenRefresh.class.getName());
  /** Read the row from the database, never from the JPA provider's shared cache. */
  static final Map<String, Object> FRESH = Map.of(
      "jakarta.persistence.cache.retrieveMode", CacheRetrieveMode.BYPASS,
      "eclipselink.refresh", "true");

  private final Storage storage;
  private final Supplier<Sealer> sealer;
  private final IdentityProviders providers;

  TokenRefresh(Storage storage, Supplier<Sealer> sealer, IdentityProviders providers) {
    this.storage = storage;
    this.sealer = sealer;
    this.providers = providers;
  }

  /**
   * Renews the user's tokens if they still need it once the row is locked: {@code refused} is
   * the access token the backend has just answered 401 to (then any other stored token is new
   * enough), or {@code null} for a token that expires within the backend's refresh skew.
   */
  Renewal refresh(String subject, BackendDefinition definition, String refused) {
    UpstreamAuth.OAuth2 auth = (UpstreamAuth.OAuth2) definition.auth();
    String backend = definition.name();
    return storage.inTransaction(em -> {
      UpstreamCredential row = em.find(UpstreamCredential.class,
          new UpstreamCredential.Key(subject, backend), LockModeType.PESSIMISTIC_WRITE, FRESH);
      if (row == null) {
        return new Renewal.SignInAgain();
      }
      BrokeredTokens tokens;
      try {
        tokens = BrokeredTokens.fromBytes(sealer.get().open(row.sealed(), backend, subject));
      } catch (SealingException | IllegalArgumentException e) {
        return dropped(em, row, "its stored tokens cannot be opened");
      }
      Instant now = Instant.now();
      boolean stale = refused != null ? tokens.accessToken().equals(refused)
          : tokens.expiresBefore(now.plus(auth.refreshSkew()));
      if (!stale) {
        return new Renewal.Renewed(tokens); // renewed meanwhile, on this node or another
      }
      if (tokens.refreshToken() == null) {
        // Nothing to renew with: the token serves until it expires, a refusal means sign in.
        return refused == null && !tokens.expiresBefore(now) ? new Renewal.Renewed(tokens)
            : new Renewal.SignInAgain();
      }
      IdentityProviderClient.Issued issued;
      try {
        issued = new IdentityProviderClient(providers.http())
            .refresh(auth, providers.provider(definition), tokens.refreshToken());
      } catch (IdentityProviderClient.RefusedException e) {
        if ("invalid_grant".equals(e.error())) {
          return dropped(em, row, "the identity provider refused its refresh token"
              + " (invalid_grant: revoked or expired there)");
        }
        // invalid_client and the like: the gateway's own registration; a new sign-in meets it too.
        return unavailable(backend, "the identity provider refused the refresh with '"
            + e.error() + "' (check the backend's client_id, client_secret and"
            + " token_endpoint_auth)");
      } catch (IOException | IdentityProviders.UnavailableException e) {
        return unavailable(backend, "the identity provider cannot be reached for a refresh ("
            + e.getMessage() + ")");
      }
      BrokeredTokens renewed =
          new BrokeredTokens(issued.accessToken(), issued.refreshToken(), issued.expiresAt());
      String sealed = sealer.get().seal(renewed.toBytes(), backend, subject);
      row.replace(sealed, Sealer.keyId(sealed).orElseThrow(), renewed.expiresAt(), now);
      LOG.fine(() -> "backend '" + backend + "': refreshed the tokens of a user ("
          + (issued.refreshToken() == null || issued.refreshToken().equals(tokens.refreshToken())
              ? "refresh token kept" : "refresh token rotated") + ")");
      return new Renewal.Renewed(renewed);
    });
  }

  private static Renewal dropped(EntityManager em, UpstreamCredential row, String reason) {
    em.remove(row);
    LOG.info(() -> "backend '" + row.backend() + "': " + reason + "; deleted the user's"
        + " credential, the MCP client is asked to authorize again");
    return new Renewal.SignInAgain();
  }

  private static Renewal unavailable(String backend, String reason) {
    LOG.warning(() -> "backend '" + backend + "': " + reason + "; the tool call fails, the"
        + " user's grant is kept");
    return new Renewal.Unavailable(reason);
  }
}
