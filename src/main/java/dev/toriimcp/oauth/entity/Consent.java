package dev.toriimcp.oauth.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.time.Instant;

/**
 * A user's consent for one client to use one backend (MCP security best practices), given for
 * the redirect URIs the user was shown: a client ID metadata document can add a redirect URI at
 * any time, and a consent does not extend to it (draft-ietf-oauth-client-id-metadata-document-02
 * §8.4; research CM-13).
 */
@Entity
@Table(name = "oauth_consent")
@IdClass(Consent.Key.class)
public class Consent {

  static final int MAX_REDIRECT_URIS = 4000;

  /**
   * The composite key: one consent per (user, client, backend). A class, not a record: the JPA
   * provider sets its fields reflectively.
   */
  public static class Key implements Serializable {
    private static final long serialVersionUID = 1L;
    private String subject;
    private String clientId;
    private String backend;

    public Key() {}

    public Key(String subject, String clientId, String backend) {
      this.subject = subject;
      this.clientId = clientId;
      this.backend = backend;
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Key key && java.util.Objects.equals(subject, key.subject)
          && java.util.Objects.equals(clientId, key.clientId)
          && java.util.Objects.equals(backend, key.backend);
    }

    @Override
    public int hashCode() {
      return java.util.Objects.hash(subject, clientId, backend);
    }
  }

  @Id
  @Column(name = "subject")
  private String subject;

  @Id
  @Column(name = "client_id")
  private String clientId;

  @Id
  @Column(name = "backend", length = 63)
  private String backend;

  @Column(name = "scope", nullable = false, length = 1000)
  private String scope;

  @Column(name = "granted_at", nullable = false)
  private Instant grantedAt;

  /** One per line; null in rows from before redirect URIs were recorded (they cover none). */
  @Column(name = "redirect_uris", length = MAX_REDIRECT_URIS)
  private String redirectUris;

  protected Consent() {}

  public Consent(String subject, String clientId, String backend, String scope,
      String redirectUri, Instant grantedAt) {
    this.subject = subject;
    this.clientId = clientId;
    this.backend = backend;
    this.scope = scope;
    this.redirectUris = redirectUri;
    this.grantedAt = grantedAt;
  }

  public String scope() {
    return scope;
  }

  /**
   * Whether the user approved this redirect URI (a loopback one with any port, as redirect
   * matching does: RFC 8252 §7.3).
   */
  public boolean covers(String redirectUri) {
    return redirectUris != null && redirectUris.lines()
        .anyMatch(approved -> RedirectUris.matches(approved, redirectUri));
  }

  /**
   * Records a new approval: the scope now granted and one more redirect URI. Should the list
   * outgrow its column, it starts again from this one.
   */
  public void approve(String grantedScope, String redirectUri, Instant now) {
    scope = grantedScope;
    grantedAt = now;
    if (!covers(redirectUri)) {
      String joined = redirectUris == null ? redirectUri : redirectUris + "\n" + redirectUri;
      redirectUris = joined.length() > MAX_REDIRECT_URIS ? redirectUri : joined;
    }
  }
}
