package dev.toriimcp.mcp.control;

import dev.toriimcp.mcp.entity.McpSession;
import dev.toriimcp.oauth.control.Secrets;
import dev.toriimcp.oauth.entity.AccessGrant;
import dev.toriimcp.platform.control.Storage;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;

/**
 * MCP sessions: created at {@code initialize}, checked on later requests that carry
 * {@code Mcp-Session-Id}, ended by DELETE. The id is 256 random bits (visible ASCII), stored as
 * its hash; it never authenticates anything, it is only valid together with a bearer token of
 * the same user, client and backend.
 */
@ApplicationScoped
public class Sessions {

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
    McpSession session = storage.inTransaction(em -> em.find(McpSession.class, Secrets.hash(id)));
    return session != null && session.belongsTo(grant.subject(), grant.clientId(), grant.backend());
  }

  /** Ends the session; false if there was no live session of this grant under that id. */
  public boolean end(String id, AccessGrant grant) {
    if (id == null || id.length() > 128) {
      return false;
    }
    return storage.inTransaction(em -> {
      McpSession session = em.find(McpSession.class, Secrets.hash(id));
      if (session == null || !session.belongsTo(grant.subject(), grant.clientId(), grant.backend())) {
        return false;
      }
      session.end();
      return true;
    });
  }
}
