package dev.toriimcp.oauth.control;

import dev.toriimcp.oauth.entity.AccessToken;
import dev.toriimcp.oauth.entity.AuthorizationCode;
import dev.toriimcp.oauth.entity.Consent;
import dev.toriimcp.oauth.entity.RefreshToken;
import dev.toriimcp.oauth.entity.RegisteredClient;
import dev.toriimcp.oauth.entity.UsedAssertion;
import dev.toriimcp.platform.control.Storage;
import dev.toriimcp.upstream.entity.UpstreamCredential;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Deletes what can no longer be used, every {@link #PERIOD}: expired codes, tokens and the
 * replay records of expired client assertions (ADR 0023),
 * dynamically registered clients unused for {@link #STALE_CLIENT} that hold no refresh token
 * (Claude registers a new client per connection: research trap 11), and the sealed upstream
 * credentials and consents that no live grant uses any more (ADR 0017): a credential nobody can
 * use is a liability, not a convenience. "Live" is an unexpired, unrevoked access token, refresh
 * token not yet rotated, or unredeemed code of the same user and backend (and client, for a
 * consent); rows younger than {@link #UNUSED_GRACE} stay, so a sign-in whose code is still on its
 * way to the client keeps its credential.
 */
@ApplicationScoped
public class Purger {

  static final Duration PERIOD = Duration.ofMinutes(10);
  static final Duration STALE_CLIENT = Duration.ofDays(30);
  static final Duration IDLE_SESSION = Duration.ofDays(1);
  static final Duration UNUSED_GRACE = Duration.ofHours(1);

  /**
   * No live grant of the row's user and backend (and client, with {@code %1$s} set): SQL, not
   * JPQL, because EclipseLink renders these correlated subqueries as cross joins and compares
   * booleans with integers, which Derby refuses. Parameters: {@code now} five times.
   */
  private static final String NO_LIVE_GRANT = " AND NOT EXISTS (SELECT 1 FROM oauth_refresh_token r"
      + " WHERE r.subject = c.subject AND r.backend = c.backend%1$s AND r.revoked = FALSE"
      + " AND r.rotated_at IS NULL AND r.expires_at > ? AND r.idle_expires_at > ?)"
      + " AND NOT EXISTS (SELECT 1 FROM oauth_access_token a WHERE a.subject = c.subject"
      + " AND a.backend = c.backend%2$s AND a.revoked = FALSE AND a.expires_at > ?)"
      + " AND NOT EXISTS (SELECT 1 FROM oauth_authorization_code k WHERE k.subject = c.subject"
      + " AND k.backend = c.backend%3$s AND k.consumed_at IS NULL AND k.expires_at > ?)";
  static final String PURGE_UNUSED_CREDENTIALS = "DELETE FROM upstream_credential c"
      + " WHERE c.updated_at < ?" + String.format(NO_LIVE_GRANT, "", "", "");
  static final String PURGE_UNUSED_CONSENTS = "DELETE FROM oauth_consent c WHERE c.granted_at < ?"
      + String.format(NO_LIVE_GRANT, " AND r.client_id = c.client_id",
          " AND a.client_id = c.client_id", " AND k.client_id = c.client_id");

  private static final Logger LOG = Logger.getLogger(Purger.class.getName());

  @Inject Storage storage;

  @Resource ManagedScheduledExecutorService scheduler;

  private ScheduledFuture<?> task;

  public synchronized void start() {
    if (task == null) {
      task = scheduler.scheduleWithFixedDelay(this::purgeQuietly, PERIOD.toSeconds(),
          PERIOD.toSeconds(), TimeUnit.SECONDS);
    }
  }

  @PreDestroy
  synchronized void stop() {
    if (task != null) {
      task.cancel(false);
    }
  }

  /** One purge; returns how many rows were deleted. */
  public int purge(Instant now) {
    return storage.inTransaction(em ->
        em.createNamedQuery(AuthorizationCode.PURGE).setParameter("before", now).executeUpdate()
            + em.createNamedQuery(AccessToken.PURGE).setParameter("now", now).executeUpdate()
            + em.createNamedQuery(RefreshToken.PURGE).setParameter("now", now).executeUpdate()
            + em.createNamedQuery(UsedAssertion.PURGE).setParameter("now", now).executeUpdate()
            + em.createNamedQuery(RegisteredClient.PURGE_STALE)
                .setParameter("before", now.minus(STALE_CLIENT)).executeUpdate()
            + em.createNamedQuery(dev.toriimcp.mcp.entity.McpSession.PURGE)
                .setParameter("before", now.minus(IDLE_SESSION)).executeUpdate()
            + purgeUnused(em, PURGE_UNUSED_CREDENTIALS, UpstreamCredential.class, now)
            + purgeUnused(em, PURGE_UNUSED_CONSENTS, Consent.class, now));
  }

  /** Runs one native purge; the shared cache forgets the class, as for a JPQL bulk delete. */
  private static int purgeUnused(jakarta.persistence.EntityManager em, String sql,
      Class<?> entity, Instant now) {
    jakarta.persistence.Query delete = em.createNativeQuery(sql)
        .setParameter(1, Timestamp.from(now.minus(UNUSED_GRACE)));
    for (int i = 2; i <= 5; i++) {
      delete.setParameter(i, Timestamp.from(now));
    }
    int deleted = delete.executeUpdate();
    em.getEntityManagerFactory().getCache().evict(entity);
    return deleted;
  }

  private void purgeQuietly() {
    try {
      int deleted = purge(Instant.now());
      if (deleted > 0) {
        LOG.fine(() -> "purged " + deleted + " expired OAuth rows");
      }
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "purging expired OAuth rows failed; will retry", e);
    }
  }
}
