package dev.toriimcp.oauth.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.toriimcp.oauth.entity.AccessToken;
import dev.toriimcp.oauth.entity.Consent;
import dev.toriimcp.oauth.entity.RefreshToken;
import dev.toriimcp.platform.control.TestStorage;
import dev.toriimcp.upstream.entity.UpstreamCredential;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The purge of sealed upstream credentials and consents that no live grant uses (ADR 0017),
 * against real storage.
 */
class PurgerTest {

  private static TestStorage storage;
  private static final Instant NOW = Instant.now();
  private static final Instant OLD = NOW.minus(Duration.ofHours(2));

  @BeforeAll
  static void open() {
    storage = TestStorage.open("purger");
  }

  @AfterAll
  static void close() {
    storage.close();
  }

  private static void persist(Object entity) {
    storage.storage().inTransaction(em -> {
      em.persist(entity);
      return null;
    });
  }

  private static boolean credentialKept(String subject) {
    return storage.storage().inTransaction(em -> em.find(UpstreamCredential.class,
        new UpstreamCredential.Key(subject, "demo"))) != null;
  }

  private static boolean consentKept(String subject, String client) {
    return storage.storage().inTransaction(em -> em.find(Consent.class,
        new Consent.Key(subject, client, "demo"))) != null;
  }

  @Test
  void credentialsAndConsentsThatNoLiveGrantUsesArePurged() {
    // Nothing uses them.
    persist(new UpstreamCredential("unused", "demo", "sealed", "k1", null, OLD));
    persist(new Consent("unused", "client-a", "demo", "demo", "https://client.example/cb", OLD));
    // A live refresh token of the same user, backend and client uses them.
    persist(new UpstreamCredential("refreshing", "demo", "sealed", "k1", null, OLD));
    persist(new Consent("refreshing", "client-a", "demo", "demo", "https://client.example/cb", OLD));
    persist(new RefreshToken(Secrets.hash(Secrets.newToken()), "client-a", "refreshing", "demo",
        "demo", "grant-1", NOW.plus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(1))));
    // Only a live access token of another client: the credential stays, this consent goes.
    persist(new UpstreamCredential("elsewhere", "demo", "sealed", "k1", null, OLD));
    persist(new Consent("elsewhere", "client-a", "demo", "demo", "https://client.example/cb", OLD));
    persist(new AccessToken(Secrets.hash(Secrets.newToken()), "client-b", "elsewhere", "demo",
        "demo", "grant-2", NOW.plus(Duration.ofHours(1))));
    // A revoked token keeps nothing alive.
    persist(new UpstreamCredential("revoked", "demo", "sealed", "k1", null, OLD));
    RefreshToken revoked = new RefreshToken(Secrets.hash(Secrets.newToken()), "client-a",
        "revoked", "demo", "demo", "grant-3", NOW.plus(Duration.ofDays(1)),
        NOW.plus(Duration.ofDays(1)));
    revoked.revoke();
    persist(revoked);
    // Stored a moment ago, its code still on the way to the client.
    persist(new UpstreamCredential("fresh", "demo", "sealed", "k1", null, NOW));
    persist(new Consent("fresh", "client-a", "demo", "demo", "https://client.example/cb", NOW));

    new PurgerFixture(storage).purger().purge(NOW);

    assertThat(credentialKept("unused")).isFalse();
    assertThat(consentKept("unused", "client-a")).isFalse();
    assertThat(credentialKept("refreshing")).isTrue();
    assertThat(consentKept("refreshing", "client-a")).isTrue();
    assertThat(credentialKept("elsewhere")).isTrue();
    assertThat(consentKept("elsewhere", "client-a")).isFalse();
    assertThat(credentialKept("revoked")).isFalse();
    assertThat(credentialKept("fresh")).isTrue();
    assertThat(consentKept("fresh", "client-a")).isTrue();
  }

  /** A purger on the test storage (no scheduler: {@link Purger#purge} is called directly). */
  private record PurgerFixture(TestStorage storage) {
    Purger purger() {
      Purger purger = new Purger();
      purger.storage = storage.storage();
      return purger;
    }
  }
}
