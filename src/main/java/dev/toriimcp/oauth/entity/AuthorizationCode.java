package dev.toriimcp.oauth.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/**
 * An issued authorization code, stored as its hash and bound to client, redirect URI, PKCE
 * challenge, user, backend and scope (OAuth 2.1 §4.1.2). Single use: {@link #consume} records the
 * first redemption; {@code grantId} links the tokens it produced, so that a second redemption
 * can revoke them (OAuth 2.1 §4.1.3).
 */
@Entity
@Table(name = "oauth_authorization_code")
@jakarta.persistence.NamedQuery(name = AuthorizationCode.PURGE,
    query = "DELETE FROM AuthorizationCode c WHERE c.expiresAt < :before")
public class AuthorizationCode {

  public static final String PURGE = "AuthorizationCode.purge";

  @Id
  @Column(name = "code_hash", length = 64)
  private String codeHash;

  @Column(name = "client_id", nullable = false)
  private String clientId;

  @Column(name = "redirect_uri", nullable = false, length = 2000)
  private String redirectUri;

  @Column(name = "code_challenge", nullable = false, length = 128)
  private String codeChallenge;

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

  @Column(name = "consumed_at")
  private Instant consumedAt;

  protected AuthorizationCode() {}

  public AuthorizationCode(String codeHash, String clientId, String redirectUri,
      String codeChallenge, String subject, String backend, String scope, String grantId,
      Instant expiresAt) {
    this.codeHash = codeHash;
    this.clientId = clientId;
    this.redirectUri = redirectUri;
    this.codeChallenge = codeChallenge;
    this.subject = subject;
    this.backend = backend;
    this.scope = scope;
    this.grantId = grantId;
    this.expiresAt = expiresAt;
  }

  public String clientId() {
    return clientId;
  }

  public String redirectUri() {
    return redirectUri;
  }

  public String codeChallenge() {
    return codeChallenge;
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

  public boolean consumed() {
    return consumedAt != null;
  }

  public void consume(Instant now) {
    this.consumedAt = now;
  }
}
