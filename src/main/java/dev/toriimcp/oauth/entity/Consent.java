package dev.toriimcp.oauth.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.time.Instant;

/** A user's consent for one client to use one backend (MCP security best practices). */
@Entity
@Table(name = "oauth_consent")
@IdClass(Consent.Key.class)
public class Consent {

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

  protected Consent() {}

  public Consent(String subject, String clientId, String backend, String scope, Instant grantedAt) {
    this.subject = subject;
    this.clientId = clientId;
    this.backend = backend;
    this.scope = scope;
    this.grantedAt = grantedAt;
  }

  public String scope() {
    return scope;
  }
}
