package dev.toriimcp.oauth.control;

import dev.toriimcp.oauth.entity.Consent;
import dev.toriimcp.platform.control.Storage;
import dev.toriimcp.upstream.entity.UpstreamCredential;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;

/**
 * Consents per (user, client, backend), and the user's sealed upstream credential stored with the
 * grant: one transaction, so a code is never issued without the credential it needs.
 */
@ApplicationScoped
public class Consents {

  @Inject Storage storage;
  @Inject dev.toriimcp.upstream.control.UpstreamCredentials credentials;

  public boolean granted(String subject, String clientId, String backend, String scope) {
    Consent consent = storage.inTransaction(em ->
        em.find(Consent.class, new Consent.Key(subject, clientId, backend)));
    return consent != null && Scopes.parse(consent.scope()).containsAll(Scopes.parse(scope));
  }

  /** Whether the user has approved the client for the backend at all (any scope). */
  public boolean exists(String subject, String clientId, String backend) {
    return storage.inTransaction(em ->
        em.find(Consent.class, new Consent.Key(subject, clientId, backend))) != null;
  }

  public void grant(String subject, String clientId, String backend, String scope,
      String sealedCredential, Instant credentialExpiresAt) {
    Instant now = Instant.now();
    storage.inTransaction(em -> {
      em.merge(new Consent(subject, clientId, backend, scope, now));
      UpstreamCredential credential =
          em.find(UpstreamCredential.class, new UpstreamCredential.Key(subject, backend));
      if (credential == null) {
        em.persist(new UpstreamCredential(subject, backend, sealedCredential, credentialExpiresAt, now));
      } else {
        credential.replace(sealedCredential, credentialExpiresAt, now);
      }
      return null;
    });
    credentials.forget(subject, backend);
  }
}
