package dev.toriimcp.upstream.control;

import dev.toriimcp.configuration.entity.SealingSettings;
import dev.toriimcp.platform.control.Storage;
import dev.toriimcp.sealing.control.Sealer;
import dev.toriimcp.sealing.control.Sealing;
import dev.toriimcp.sealing.entity.SealingException;
import dev.toriimcp.sealing.entity.SealingKey;
import dev.toriimcp.upstream.entity.UpstreamCredential;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * Key rotation of the stored upstream credentials, at start-up (ADR 0017): every row sealed under
 * a listed key that is not {@code sealing.current} is re-sealed under the current one, in batches
 * of {@link #BATCH} rows per transaction; then one log line per key says how many rows it still
 * seals, so an operator knows when a key can be removed from {@code sealing.keys}. Rows under a
 * key that is no longer listed cannot be opened: they are reported, and deleted when used (the
 * user signs in again), so that a key removed by mistake can still be put back.
 */
@ApplicationScoped
public class SealedCredentials {

  static final int BATCH = 100;
  private static final Logger LOG = Logger.getLogger(SealedCredentials.class.getName());

  @Inject Storage storage;
  @Inject Sealing sealing;

  /** What one re-sealing pass did. */
  public record Resealed(int resealed, int discarded) {}

  /** Re-seals, then reports; for the start-up sequence. */
  public void rotate(SealingSettings settings) {
    Resealed done = reseal(settings);
    if (done.resealed() > 0 || done.discarded() > 0) {
      LOG.info("torii-mcp sealing: re-sealed " + done.resealed() + " upstream credential(s) under"
          + " the current key '" + sealing.sealer().currentKeyId() + "'" + (done.discarded() == 0
              ? "" : "; deleted " + done.discarded() + " that did not open (their users sign in again)"));
    }
    report(settings).forEach(LOG::info);
  }

  /** Re-seals every row under a listed, non-current key under the current key. */
  public Resealed reseal(SealingSettings settings) {
    Sealer sealer = sealing.sealer();
    int resealed = 0;
    int discarded = 0;
    for (SealingKey key : settings.keys()) {
      if (key.id().equals(sealer.currentKeyId())) {
        continue;
      }
      while (true) {
        Resealed batch = resealBatch(sealer, key.id());
        resealed += batch.resealed();
        discarded += batch.discarded();
        if (batch.resealed() + batch.discarded() == 0) {
          break; // nothing left, or only rows another node is changing right now
        }
      }
    }
    return new Resealed(resealed, discarded);
  }

  private Resealed resealBatch(Sealer sealer, String keyId) {
    return storage.inTransaction(em -> {
      List<UpstreamCredential> rows = em.createNamedQuery(UpstreamCredential.SEALED_UNDER,
          UpstreamCredential.class).setParameter("key", keyId).setMaxResults(BATCH).getResultList();
      int resealed = 0;
      int discarded = 0;
      for (UpstreamCredential row : rows) {
        em.detach(row);
        String replacement;
        try {
          replacement = sealer.seal(sealer.open(row.sealed(), row.backend(), row.subject()),
              row.backend(), row.subject());
        } catch (SealingException e) {
          discarded += em.createNamedQuery(UpstreamCredential.DELETE_SEALED)
              .setParameter("subject", row.subject()).setParameter("backend", row.backend())
              .setParameter("sealed", row.sealed()).executeUpdate();
          continue;
        }
        resealed += em.createNamedQuery(UpstreamCredential.RESEAL)
            .setParameter("resealed", replacement).setParameter("key", sealer.currentKeyId())
            .setParameter("subject", row.subject()).setParameter("backend", row.backend())
            .setParameter("sealed", row.sealed()).executeUpdate();
      }
      return new Resealed(resealed, discarded);
    });
  }

  /** How many stored upstream credentials each key id seals; keys sealing none are absent. */
  public Map<String, Long> countsByKey() {
    Map<String, Long> counts = new LinkedHashMap<>();
    storage.inTransaction(em -> em.createNamedQuery(UpstreamCredential.COUNT_BY_KEY, Object[].class)
        .getResultList()).forEach(row -> counts.put((String) row[0], ((Number) row[1]).longValue()));
    return counts;
  }

  /** One line per key: the listed ones in order, then any unlisted key that still seals rows. */
  public List<String> report(SealingSettings settings) {
    Map<String, Long> counts = countsByKey();
    String current = sealing.sealer().currentKeyId();
    List<String> lines = new ArrayList<>();
    for (SealingKey key : settings.keys()) {
      long rows = counts.getOrDefault(key.id(), 0L);
      counts.remove(key.id());
      String role = key.id().equals(current) ? "current"
          : rows == 0 ? "listed; it may be removed from sealing.keys" : "listed";
      lines.add("torii-mcp sealing: key '" + key.id() + "' (" + role + ") seals " + rows
          + " upstream credential(s)");
    }
    counts.forEach((keyId, rows) -> lines.add("torii-mcp sealing: key '" + keyId
        + "' (not in sealing.keys) seals " + rows + " upstream credential(s) that cannot be opened;"
        + " each is deleted when used and its user asked to sign in again"));
    return lines;
  }
}
