package dev.toriimcp.oauth.control;

import dev.toriimcp.oauth.entity.Consent;
import dev.toriimcp.platform.control.Storage;
import dev.toriimcp.sealing.control.Sealer;
import dev.toriimcp.upstream.entity.UpstreamCredential;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;

/**
 * Consents per (user, client, backend) and the redirect URIs they were given for (research
 * CM-13), and the user's sealed upstream credential stored with the grant: one transaction, so
 * a code is never issued without the credential it needs.
 */
@ApplicationScoped
public class Consents {

  @Inject Storage storage;
  @Inject dev.toriimcp.upstream.control.UpstreamCredentials credentials;

  /** Whether the user approved this client, this scope and this redirect URI before. */
  public boolean granted(String subject, String clientId, String backend, String scope,
      String redirectUri) {
    Consent consent = storage.inTransaction(em ->
        em.find(Consent.class, new Consent.Key(subject, clientId, backend)));
    return consent != null && Scopes.parse(consent.scope()).containsAll(Scopes.parse(scope))
        && consent.covers(redirectUri);
  }

  /** Whether the user has approved the client for the backend at all (any scope). */
  public boolean exists(String subject, String clientId, String backend) {
    return storage.inTransaction(em ->
        em.find(Consent.class, new Consent.Key(subject, clientId, backend))) != null;
  }

  public void grant(String subject, String clientId, String backend, String scope,
      String redirectUri, String sealedCredential, Instant credentialExpiresAt) {
    Instant now = Instant.now();
    String keyId = Sealer.keyId(sealedCredential).orElseThrow(
        () -> new IllegalArgumentException("not a sealed credential"));
    storage.inTransaction(em -> {
      Consent consent = em.find(Consent.class, new Consent.Key(subject, clientId, backend));
      if (consent == null) {
        em.persist(new Consent(subject, clientId, backend, scope, redirectUri, now));
      } else {
        consent.approve(scope, redirectUri, now);
      }
      UpstreamCredential credential =
          em.find(UpstreamCredential.class, new UpstreamCredential.Key(subject, backend));
      if (credential == null) {
        em.persist(new UpstreamCredential(subject, backend, sealedCredential, keyId,
            credentialExpiresAt, now));
      } else {
        credential.replace(sealedCredential, keyId, credentialExpiresAt, now);
      }
      return null;
    });
    credentials.forget(subject, backend);
  }
}
