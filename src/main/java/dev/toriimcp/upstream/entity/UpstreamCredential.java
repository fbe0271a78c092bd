package dev.toriimcp.upstream.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.time.Instant;

/**
 * A user's credential for one backend (the token or cookie its login returned), stored only
 * sealed: a compact JWE bound to this backend and subject (ADR 0006). The id of the key it is
 * sealed under is a column of its own, so that keys can be counted, re-sealed and retired
 * without opening a row (ADR 0017).
 */
@Entity
@Table(name = "upstream_credential")
@IdClass(UpstreamCredential.Key.class)
@NamedQuery(name = UpstreamCredential.COUNT_BY_KEY,
    query = "SELECT c.keyId, COUNT(c) FROM UpstreamCredential c GROUP BY c.keyId")
@NamedQuery(name = UpstreamCredential.SEALED_UNDER,
    query = "SELECT c FROM UpstreamCredential c WHERE c.keyId = :key ORDER BY c.subject, c.backend")
@NamedQuery(name = UpstreamCredential.DELETE_SEALED, query = "DELETE FROM UpstreamCredential c"
    + " WHERE c.subject = :subject AND c.backend = :backend AND c.sealed = :sealed")
@NamedQuery(name = UpstreamCredential.RESEAL, query = "UPDATE UpstreamCredential c"
    + " SET c.sealed = :resealed, c.keyId = :key"
    + " WHERE c.subject = :subject AND c.backend = :backend AND c.sealed = :sealed")
public class UpstreamCredential {

  public static final String COUNT_BY_KEY = "UpstreamCredential.countByKey";
  public static final String SEALED_UNDER = "UpstreamCredential.sealedUnder";
  /** Deletes a row only if it still holds the given sealed value (no lost update). */
  public static final String DELETE_SEALED = "UpstreamCredential.deleteSealed";
  /** Replaces a row's sealed value only if it still holds the given one (no lost update). */
  public static final String RESEAL = "UpstreamCredential.reseal";

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

  @Column(name = "key_id", nullable = false, length = 32)
  private String keyId;

  @Column(name = "expires_at")
  private Instant expiresAt;

  @Column(name = "updated_at", nullable = false)
  private Instant updatedAt;

  protected UpstreamCredential() {}

  public UpstreamCredential(String subject, String backend, String sealed, String keyId,
      Instant expiresAt, Instant updatedAt) {
    this.subject = subject;
    this.backend = backend;
    this.sealed = sealed;
    this.keyId = keyId;
    this.expiresAt = expiresAt;
    this.updatedAt = updatedAt;
  }

  public String subject() {
    return subject;
  }

  public String backend() {
    return backend;
  }

  public String sealed() {
    return sealed;
  }

  public String keyId() {
    return keyId;
  }

  public Instant expiresAt() {
    return expiresAt;
  }

  public void replace(String sealed, String keyId, Instant expiresAt, Instant now) {
    this.sealed = sealed;
    this.keyId = keyId;
    this.expiresAt = expiresAt;
    this.updatedAt = now;
  }
}
