package dev.toriimcp.mcp.control;

import dev.toriimcp.mcp.entity.McpSession;
import dev.toriimcp.oauth.control.Secrets;
import dev.toriimcp.oauth.entity.AccessGrant;
import dev.toriimcp.platform.control.Storage;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * MCP sessions: created at {@code initialize}, checked on later requests that carry
 * {@code Mcp-Session-Id}, ended by DELETE. The id is 256 random bits (visible ASCII), stored as
 * its hash; it never authenticates anything, it is only valid together with a bearer token of
 * the same user, client and backend.
 *
 * <p>Every request of a client carries its session, so a live session is trusted for
 * {@link #CACHE} without asking the database again (like access tokens); a session ended on
 * another node stops working within that time, on this node at once. Use is recorded at most
 * once per {@link #TOUCH_INTERVAL}, so that the idle purge only removes sessions nobody uses.
 */
@ApplicationScoped
public class Sessions {

  static final Duration CACHE = Duration.ofSeconds(5);
  static final Duration TOUCH_INTERVAL = Duration.ofHours(1);
  private static final int CACHE_SIZE = 10_000;

  private record Live(String subject, String clientId, String backend, Instant until) {}

  private final Map<String, Live> live = new ConcurrentHashMap<>();

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

  /** Whether the id names a live session of this grant's user, client and backend. */
  public boolean valid(String id, AccessGrant grant) {
    if (id == null || id.length() > 128) {
      return false;
    }
    String hash = Secrets.hash(id);
    Instant now = Instant.now();
    Live known = live.get(hash);
    if (known == null || !known.until().isAfter(now)) {
      known = storage.inTransaction(em -> {
        McpSession session = em.find(McpSession.class, hash);
        if (session == null || session.ended()) {
          return null;
        }
        session.touch(now, TOUCH_INTERVAL);
        return new Live(session.subject(), session.clientId(), session.backend(), now.plus(CACHE));
      });
      if (known == null) {
        live.remove(hash);
        return false;
      }
      if (live.size() >= CACHE_SIZE) {
        live.clear();
      }
      live.put(hash, known);
    }
    return known.subject().equals(grant.subject()) && known.clientId().equals(grant.clientId())
        && known.backend().equals(grant.backend());
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
