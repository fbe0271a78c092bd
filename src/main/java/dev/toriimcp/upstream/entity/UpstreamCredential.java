package dev.toriimcp.upstream.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.time.Instant;

/**
 * A user's credential for one backend (the token or cookie its login returned), stored only
 * sealed: a compact JWE bound to this backend and subject (ADR 0006).
 */
@Entity
@Table(name = "upstream_credential")
@IdClass(UpstreamCredential.Key.class)
public class UpstreamCredential {

  /**
   * The composite key: one credential per (user, backend). A class, not a record: the JPA
   * provider sets its fields reflectively.
   */
  public static class Key implements Serializable {
    private static final long serialVersionUID = 1L;
    private String subject;
    private String backend;

    public Key() {}

    public Key(String subject, String backend) {
      this.subject = subject;
      this.backend = backend;
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Key key && java.util.Objects.equals(subject, key.subject)
          && java.util.Objects.equals(backend, key.backend);
    }

    @Override
    public int hashCode() {
      return java.util.Objects.hash(subject, backend);
    }
  }

  @Id
  @Column(name = "subject")
  private String subject;

  @Id
  @Column(name = "backend", length = 63)
  private String backend;

  @Column(name = "sealed", nullable = false, length = 16000)
  private String sealed;

  @Column(name = "expires_at")
  private Instant expiresAt;

  @Column(name = "updated_at", nullable = false)
  private Instant updatedAt;

  protected UpstreamCredential() {}

  public UpstreamCredential(String subject, String backend, String sealed, Instant expiresAt,
      Instant updatedAt) {
    this.subject = subject;
    this.backend = backend;
    this.sealed = sealed;
    this.expiresAt = expiresAt;
    this.updatedAt = updatedAt;
  }

  public String sealed() {
    return sealed;
  }

  public Instant expiresAt() {
    return expiresAt;
  }

  public void replace(String sealed, Instant expiresAt, Instant now) {
    this.sealed = sealed;
    this.expiresAt = expiresAt;
    this.updatedAt = now;
  }
}
