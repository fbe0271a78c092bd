package dev.toriimcp.oauth.control;

import dev.toriimcp.oauth.entity.AccessToken;
import dev.toriimcp.oauth.entity.AuthorizationCode;
import dev.toriimcp.oauth.entity.RefreshToken;
import dev.toriimcp.oauth.entity.RegisteredClient;
import dev.toriimcp.platform.control.Storage;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Deletes what can no longer be used, every {@link #PERIOD}: expired codes and tokens, and
 * dynamically registered clients unused for {@link #STALE_CLIENT} that hold no refresh token
 * (Claude registers a new client per connection: research trap 11).
 */
@ApplicationScoped
public class Purger {

  static final Duration PERIOD = Duration.ofMinutes(10);
  static final Duration STALE_CLIENT = Duration.ofDays(30);
  static final Duration IDLE_SESSION = Duration.ofDays(1);
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
            + em.createNamedQuery(RegisteredClient.PURGE_STALE)
                .setParameter("before", now.minus(STALE_CLIENT)).executeUpdate()
            + em.createNamedQuery(dev.toriimcp.mcp.entity.McpSession.PURGE)
                .setParameter("before", now.minus(IDLE_SESSION)).executeUpdate());
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
