package dev.toriimcp.mcp.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;
import java.time.Instant;

/**
 * An MCP session (Mcp-Session-Id), stored as the hash of its id and bound to the user, client and
 * backend it was created for (MCP security best practices: sessions are never authentication and
 * are bound to the user). In the database so that any node can serve it.
 */
@Entity
@Table(name = "mcp_session")
@NamedQuery(name = McpSession.PURGE,
    query = "DELETE FROM McpSession s WHERE s.ended = TRUE OR s.lastSeenAt < :before")
public class McpSession {

  public static final String PURGE = "McpSession.purge";

  @Id
  @Column(name = "session_hash", length = 64)
  private String sessionHash;

  @Column(name = "subject", nullable = false)
  private String subject;

  @Column(name = "client_id", nullable = false)
  private String clientId;

  @Column(name = "backend", nullable = false, length = 63)
  private String backend;

  @Column(name = "protocol_version", nullable = false, length = 16)
  private String protocolVersion;

  @Column(name = "created_at", nullable = false)
  private Instant createdAt;

  @Column(name = "last_seen_at", nullable = false)
  private Instant lastSeenAt;

  @Column(name = "ended", nullable = false)
  private boolean ended;

  /** The logging level its client chose (MCP server/utilities/logging); null until it does. */
  @Column(name = "log_level", length = 16)
  private String logLevel;

  protected McpSession() {}

  public McpSession(String sessionHash, String subject, String clientId, String backend,
      String protocolVersion, Instant now) {
    this.sessionHash = sessionHash;
    this.subject = subject;
    this.clientId = clientId;
    this.backend = backend;
    this.protocolVersion = protocolVersion;
    this.createdAt = now;
    this.lastSeenAt = now;
  }

  public String subject() {
    return subject;
  }

  public String clientId() {
    return clientId;
  }

  public String backend() {
    return backend;
  }

  /** The MCP version negotiated at {@code initialize}. */
  public String protocolVersion() {
    return protocolVersion;
  }

  public String logLevel() {
    return logLevel;
  }

  public void logLevel(String level) {
    this.logLevel = level;
  }

  public boolean ended() {
    return ended;
  }

  /** Whether the session may serve this user, client and backend. */
  public boolean belongsTo(String subject, String clientId, String backend) {
    return !ended && this.subject.equals(subject) && this.clientId.equals(clientId)
        && this.backend.equals(backend);
  }

  /** Records use, at most once per {@code interval}, so that a session in use is not purged. */
  /** Whether {@link #touch} would record a use at {@code now}. */
  public boolean touchDue(Instant now, java.time.Duration interval) {
    return lastSeenAt.plus(interval).isBefore(now);
  }

  public void touch(Instant now, java.time.Duration interval) {
    if (lastSeenAt.plus(interval).isBefore(now)) {
      lastSeenAt = now;
    }
  }

  public void end() {
    this.ended = true;
  }
}
