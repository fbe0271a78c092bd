package dev.toriimcp.upstream.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.toriimcp.configuration.entity.BackendDefinition;
import dev.toriimcp.configuration.entity.Policy;
import dev.toriimcp.configuration.entity.SealingSettings;
import dev.toriimcp.configuration.entity.UpstreamAuth;
import dev.toriimcp.platform.control.TestStorage;
import dev.toriimcp.sealing.control.Sealer;
import dev.toriimcp.sealing.entity.SealingKey;
import dev.toriimcp.testing.TestGateway;
import dev.toriimcp.upstream.entity.UpstreamCredential;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Sealed upstream credentials across key rotation (ADR 0017), against real storage: a row under a
 * removed key is "no credential" and is deleted, rows under a retired but listed key are
 * re-sealed in batches, and each key's row count is reported.
 */
class SealedCredentialsTest {

  private static final BackendDefinition DEMO = new BackendDefinition("demo",
      java.net.URI.create("file:///spec.yaml"), null, Policy.ALLOW_ALL,
      new UpstreamAuth.LoginBroker(java.net.URI.create("http://127.0.0.1/login")), java.util.Map.of());

  private static final SealingKey K1 = TestGateway.key("k1", 1);
  private static final SealingKey K2 = TestGateway.key("k2", 2);
  private static final SealingKey K3 = TestGateway.key("k3", 3);

  private static TestStorage storage;

  @BeforeAll
  static void open() {
    storage = TestStorage.open("sealed-credentials");
  }

  @AfterAll
  static void close() {
    storage.close();
  }

  @BeforeEach
  void empty() {
    storage.storage().inTransaction(em ->
        em.createQuery("DELETE FROM UpstreamCredential c").executeUpdate());
  }

  private void store(SealingSettings keys, String subject, String credential) {
    String sealed = TestGateway.sealing(keys).sealer().seal(
        credential.getBytes(StandardCharsets.UTF_8), "demo", subject);
    storage.storage().inTransaction(em -> {
      em.persist(new UpstreamCredential(subject, "demo", sealed, Sealer.keyId(sealed).orElseThrow(),
          null, Instant.now()));
      return null;
    });
  }

  private UpstreamCredentials credentials(SealingSettings keys) {
    UpstreamCredentials credentials = new UpstreamCredentials();
    credentials.storage = storage.storage();
    credentials.sealing = TestGateway.sealing(keys);
    return credentials;
  }

  private SealedCredentials rotation(SealingSettings keys) {
    SealedCredentials rotation = new SealedCredentials();
    rotation.storage = storage.storage();
    rotation.sealing = TestGateway.sealing(keys);
    return rotation;
  }

  private UpstreamCredential row(String subject) {
    return storage.storage().inTransaction(em ->
        em.find(UpstreamCredential.class, new UpstreamCredential.Key(subject, "demo")));
  }

  @Test
  void aCredentialUnderARemovedKeyIsNoCredentialAndIsDeleted() throws Exception {
    store(new SealingSettings(List.of(K1), "k1"), "alice", "alice-token");
    SealingSettings withoutK1 = new SealingSettings(List.of(K2), "k2");

    assertThat(credentials(withoutK1).open("alice", DEMO)).isEmpty();
    assertThat(row("alice")).as("deleted").isNull();
    assertThat(credentials(withoutK1).open("alice", DEMO)).isEmpty();
  }

  @Test
  void aCredentialUnderAListedKeyStillOpens() throws Exception {
    store(new SealingSettings(List.of(K1), "k1"), "alice", "alice-token");

    assertThat(credentials(new SealingSettings(List.of(K1, K2), "k2")).open("alice", DEMO))
        .contains("alice-token");
  }

  @Test
  void rowsUnderAListedOldKeyAreResealedUnderTheCurrentOneInBatches() throws Exception {
    SealingSettings old = new SealingSettings(List.of(K1), "k1");
    int users = SealedCredentials.BATCH * 2 + 7;
    for (int i = 0; i < users; i++) {
      store(old, "user-" + i, "token-" + i);
    }
    store(new SealingSettings(List.of(K3), "k3"), "gone", "gone-token");
    SealingSettings rotated = new SealingSettings(List.of(K1, K2, K3), "k2");

    SealedCredentials.Resealed done = rotation(rotated).reseal(rotated);

    assertThat(done.resealed()).isEqualTo(users + 1);
    assertThat(row("user-0").keyId()).isEqualTo("k2");
    assertThat(Sealer.keyId(row("user-" + (users - 1)).sealed())).contains("k2");
    SealingSettings onlyK2 = new SealingSettings(List.of(K2), "k2");
    assertThat(credentials(onlyK2).open("user-" + (users - 1), DEMO))
        .as("opens without the old key").contains("token-" + (users - 1));
    assertThat(rotation(rotated).report(rotated)).containsExactly(
        "torii-mcp sealing: key 'k1' (listed; it may be removed from sealing.keys) seals 0 upstream credential(s)",
        "torii-mcp sealing: key 'k2' (current) seals " + (users + 1) + " upstream credential(s)",
        "torii-mcp sealing: key 'k3' (listed; it may be removed from sealing.keys) seals 0 upstream credential(s)");
  }

  @Test
  void theReportNamesKeysThatAreNoLongerConfigured() {
    store(new SealingSettings(List.of(K1), "k1"), "alice", "a");
    store(new SealingSettings(List.of(K1), "k1"), "bob", "b");
    store(new SealingSettings(List.of(K2), "k2"), "carol", "c");
    SealingSettings onlyK2 = new SealingSettings(List.of(K2), "k2");

    SealedCredentials.Resealed done = rotation(onlyK2).reseal(onlyK2);

    assertThat(done.resealed()).isZero();
    assertThat(rotation(onlyK2).report(onlyK2)).containsExactly(
        "torii-mcp sealing: key 'k2' (current) seals 1 upstream credential(s)",
        "torii-mcp sealing: key 'k1' (not in sealing.keys) seals 2 upstream credential(s) that"
            + " cannot be opened; each is deleted when used and its user asked to sign in again");
    assertThat(row("alice")).as("kept, in case the key is put back").isNotNull();
  }
}
