package dev.toriimcp.mcp.control;

import dev.toriimcp.mcp.entity.McpSession;
import dev.toriimcp.oauth.control.Secrets;
import dev.toriimcp.oauth.entity.AccessGrant;
import dev.toriimcp.platform.control.ExpiringCache;
import dev.toriimcp.platform.control.Storage;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;

/**
 * MCP sessions: created at {@code initialize}, checked on later requests that carry
 * {@code Mcp-Session-Id}, ended by DELETE. The id is 256 random bits (visible ASCII), stored as
 * its hash; it never authenticates anything, it is only valid together with a bearer token of
 * the same user, client and backend.
 *
 * <p>Every request of a client carries its session, so a live session is trusted for
 * {@link #CACHE} without asking the database again (like access tokens). With several nodes
 * ({@link Storage#shared()}) nothing is cached, so a session ended on one node is refused on
 * every node at its next request (ADR 0034). Use is recorded at most
 * once per {@link #TOUCH_INTERVAL}, so that the idle purge only removes sessions nobody uses.
 */
@ApplicationScoped
public class Sessions {

  static final Duration CACHE = Duration.ofSeconds(5);
  static final Duration TOUCH_INTERVAL = Duration.ofHours(1);
  private static final int CACHE_SIZE = 10_000;

  /** What a live session says about the requests made in it. */
  public record Live(String protocolVersion, String logLevel) {}

  /** Whom a live session belongs to, the protocol version it negotiated, its logging level. */
  private record Owner(String subject, String clientId, String backend, String protocolVersion,
      String logLevel) {
    boolean of(AccessGrant grant) {
      return subject.equals(grant.subject()) && clientId.equals(grant.clientId())
          && backend.equals(grant.backend());
    }
  }

  private final ExpiringCache<String, Owner> live = new ExpiringCache<>(CACHE_SIZE);

  @Inject Storage storage;

  /** A new session for this grant; returns the id to send in {@code Mcp-Session-Id}. */
  public String create(AccessGrant grant, String protocolVersion) {
    String id = Secrets.newToken();
    McpSession session = new McpSession(Secrets.hash(id), grant.subject(), grant.clientId(),
        grant.backend(), protocolVersion, Instant.now());
    storage.inTransaction(em -> {
      em.persist(session);
      return null;
    });
    return id;
  }

  /**
   * The protocol version negotiated by the live session of this grant's user, client and
   * backend that the id names; null if the id names no such session.
   */
  public String protocolVersion(String id, AccessGrant grant) {
    Live live = live(id, grant);
    return live == null ? null : live.protocolVersion();
  }

  /**
   * The live session of this grant's user, client and backend that the id names; null if the id
   * names no such session.
   */
  public Live live(String id, AccessGrant grant) {
    if (id == null || id.length() > 128) {
      return null;
    }
    String hash = Secrets.hash(id);
    Instant now = Instant.now();
    Owner owner = live.get(hash, now);
    if (owner == null) {
      // A read outside a transaction; the rare write (a use to record) has one of its own.
      McpSession session = storage.read(em -> em.find(McpSession.class, hash));
      if (session != null && !session.ended() && session.touchDue(now, TOUCH_INTERVAL)) {
        storage.inTransaction(em -> {
          McpSession current = em.find(McpSession.class, hash);
          if (current != null) {
            current.touch(now, TOUCH_INTERVAL);
          }
          return null;
        });
      }
      owner = session == null || session.ended() ? null : new Owner(session.subject(),
          session.clientId(), session.backend(), session.protocolVersion(), session.logLevel());
      if (owner == null) {
        live.remove(hash);
        return null;
      }
      if (!storage.shared()) {
        live.put(hash, owner, now.plus(CACHE));
      }
    }
    return owner.of(grant) ? new Live(owner.protocolVersion(), owner.logLevel()) : null;
  }

  /**
   * Keeps the logging level the session's client chose (MCP server/utilities/logging); false if
   * the id names no live session of this grant. In the database, so every node honours it; other
   * nodes see it within {@link #CACHE} (at once with a shared database), this one at once.
   */
  public boolean logLevel(String id, AccessGrant grant, String level) {
    if (id == null || id.length() > 128) {
      return false;
    }
    String hash = Secrets.hash(id);
    Owner owner = storage.inTransaction(em -> {
      McpSession session = em.find(McpSession.class, hash);
      if (session == null || !session.belongsTo(grant.subject(), grant.clientId(), grant.backend())) {
        return null;
      }
      session.logLevel(level);
      return new Owner(session.subject(), session.clientId(), session.backend(),
          session.protocolVersion(), level);
    });
    if (owner == null) {
      return false;
    }
    if (!storage.shared()) {
      live.put(hash, owner, Instant.now().plus(CACHE));
    }
    return true;
  }

  /** Ends the session; false if there was no live session of this grant under that id. */
  public boolean end(String id, AccessGrant grant) {
    if (id == null || id.length() > 128) {
      return false;
    }
    String hash = Secrets.hash(id);
    return storage.inTransaction(em -> {
      McpSession session = em.find(McpSession.class, hash);
      if (session == null || !session.belongsTo(grant.subject(), grant.clientId(), grant.backend())) {
        return false;
      }
      session.end();
      live.remove(hash);
      return true;
    });
  }
}
