package dev.toriimcp.oauth.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;
import java.time.Instant;

/**
 * An issued refresh token, stored only as its hash. Rotated on every use (OAuth 2.1 §4.3.1): the
 * used token is marked {@code rotatedAt} and keeps its one successor, sealed so that only the
 * used token opens it; presented again inside the grace window it yields that same successor,
 * after the window it revokes the whole grant (RFC 9700 §4.14.2). A successor inherits the
 * grant's absolute {@code expiresAt}: rotation never extends a grant (ADR 0017).
 */
@Entity
@Table(name = "oauth_refresh_token")
@NamedQuery(name = RefreshToken.REVOKE_GRANT,
    query = "UPDATE RefreshToken t SET t.revoked = TRUE WHERE t.grantId = :grant")
@NamedQuery(name = RefreshToken.PURGE,
    query = "DELETE FROM RefreshToken t WHERE t.expiresAt < :now OR t.idleExpiresAt < :now")
public class RefreshToken {

  public static final String REVOKE_GRANT = "RefreshToken.revokeGrant";
  public static final String PURGE = "RefreshToken.purge";

  @Id
  @Column(name = "token_hash", length = 64)
  private String tokenHash;

  @Column(name = "client_id", nullable = false)
  private String clientId;

  @Column(name = "subject", nullable = false)
  private String subject;

  @Column(name = "backend", nullable = false, length = 63)
  private String backend;

  @Column(name = "scope", nullable = false, length = 1000)
  private String scope;

  @Column(name = "grant_id", nullable = false, length = 64)
  private String grantId;

  @Column(name = "expires_at", nullable = false)
  private Instant expiresAt;

  @Column(name = "idle_expires_at", nullable = false)
  private Instant idleExpiresAt;

  @Column(name = "rotated_at")
  private Instant rotatedAt;

  @Column(name = "revoked", nullable = false)
  private boolean revoked;

  @Column(name = "successor_sealed", length = 1000)
  private String successorSealed;

  protected RefreshToken() {}

  public RefreshToken(String tokenHash, String clientId, String subject, String backend,
      String scope, String grantId, Instant expiresAt, Instant idleExpiresAt) {
    this.tokenHash = tokenHash;
    this.clientId = clientId;
    this.subject = subject;
    this.backend = backend;
    this.scope = scope;
    this.grantId = grantId;
    this.expiresAt = expiresAt;
    this.idleExpiresAt = idleExpiresAt;
  }

  public String clientId() {
    return clientId;
  }

  public String subject() {
    return subject;
  }

  public String backend() {
    return backend;
  }

  public String scope() {
    return scope;
  }

  public String grantId() {
    return grantId;
  }

  public Instant expiresAt() {
    return expiresAt;
  }

  public Instant idleExpiresAt() {
    return idleExpiresAt;
  }

  public Instant rotatedAt() {
    return rotatedAt;
  }

  public boolean revoked() {
    return revoked;
  }

  public String successorSealed() {
    return successorSealed;
  }

  /** Marks the token used, keeping its successor (sealed) for retries inside the grace window. */
  public void rotate(Instant now, String successorSealed) {
    this.rotatedAt = now;
    this.successorSealed = successorSealed;
  }

  public void revoke() {
    this.revoked = true;
  }
}
