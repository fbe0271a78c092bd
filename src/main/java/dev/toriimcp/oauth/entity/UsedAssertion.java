package dev.toriimcp.oauth.entity;

import jakarta.persistence.Cacheable;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;
import java.time.Instant;

/**
 * A client assertion (RFC 7523 §3) that was accepted once: the SHA-256 of its client id and
 * {@code jti}, kept until the assertion expires (ADR 0023). The primary key is the replay check:
 * of two nodes inserting the same row, exactly one commits. Never cached: every look-up must see
 * the other nodes' rows.
 */
@Entity
@Cacheable(false)
@Table(name = "oauth_used_assertion")
@NamedQuery(name = UsedAssertion.PURGE, query = "DELETE FROM UsedAssertion a WHERE a.expiresAt < :now")
public class UsedAssertion {

  public static final String PURGE = "UsedAssertion.purge";

  @Id
  @Column(name = "jti_hash", length = 64)
  private String jtiHash;

  @Column(name = "expires_at", nullable = false)
  private Instant expiresAt;

  protected UsedAssertion() {}

  public UsedAssertion(String jtiHash, Instant expiresAt) {
    this.jtiHash = jtiHash;
    this.expiresAt = expiresAt;
  }

  public Instant expiresAt() {
    return expiresAt;
  }
}
