package dev.toriimcp.oauth.control;

import dev.toriimcp.oauth.entity.UsedAssertion;
import dev.toriimcp.platform.control.Storage;
import jakarta.persistence.PersistenceException;
import java.time.Instant;

/**
 * The replay check of client assertions (RFC 7523 §3 item 7; OpenID Connect Core §9: "the jti
 * ... MUST NOT be accepted again"), across every node sharing the database (ADR 0023). A first
 * use inserts a row keyed by the hash of client id and {@code jti}; the primary key turns a
 * second insert, here or on another node, into a failed commit. The {@link Purger} deletes rows
 * once their assertion has expired.
 */
final class UsedAssertions {

  private final Storage storage;

  UsedAssertions(Storage storage) {
    this.storage = storage;
  }

  /**
   * Records the assertion's first use; false when it was used before.
   *
   * @throws PersistenceException when the database fails for another reason
   */
  boolean firstUse(String clientId, String jti, Instant expiresAt) {
    String hash = hash(clientId, jti);
    try {
      storage.inTransaction(em -> {
        em.persist(new UsedAssertion(hash, expiresAt));
        em.flush();
        return null;
      });
      return true;
    } catch (PersistenceException e) {
      // A duplicate key, or a database that does not answer: only the row tells them apart.
      if (storage.inTransaction(em -> em.find(UsedAssertion.class, hash)) != null) {
        return false;
      }
      throw e;
    }
  }

  /** Unambiguous for any client id and jti: the length of the id comes first. */
  static String hash(String clientId, String jti) {
    return Secrets.hash(clientId.length() + ":" + clientId + jti);
  }
}
