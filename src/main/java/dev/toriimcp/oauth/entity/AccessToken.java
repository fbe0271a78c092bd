package dev.toriimcp.oauth.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;
import java.time.Instant;

/** An issued MCP access token, stored only as its SHA-256 hash, bound to one backend. */
@Entity
@Table(name = "oauth_access_token")
@NamedQuery(name = AccessToken.REVOKE_GRANT,
    query = "UPDATE AccessToken t SET t.revoked = TRUE WHERE t.grantId = :grant")
@NamedQuery(name = AccessToken.PURGE, query = "DELETE FROM AccessToken t WHERE t.expiresAt < :now")
public class AccessToken {

  public static final String REVOKE_GRANT = "AccessToken.revokeGrant";
  public static final String PURGE = "AccessToken.purge";

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

  @Column(name = "revoked", nullable = false)
  private boolean revoked;

  protected AccessToken() {}

  public AccessToken(String tokenHash, String clientId, String subject, String backend,
      String scope, String grantId, Instant expiresAt) {
    this.tokenHash = tokenHash;
    this.clientId = clientId;
    this.subject = subject;
    this.backend = backend;
    this.scope = scope;
    this.grantId = grantId;
    this.expiresAt = expiresAt;
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

  public boolean revoked() {
    return revoked;
  }

  public void revoke() {
    this.revoked = true;
  }
}
