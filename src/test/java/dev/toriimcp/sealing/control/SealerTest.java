package dev.toriimcp.sealing.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWEObject;
import dev.toriimcp.sealing.entity.SealingException;
import dev.toriimcp.sealing.entity.SealingKey;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class SealerTest {

  private static final byte[] SECRET = "upstream-token-abc123".getBytes(StandardCharsets.UTF_8);

  private static SealingKey key(String id, int fill) {
    byte[] bytes = new byte[32];
    java.util.Arrays.fill(bytes, (byte) fill);
    return new SealingKey(id, bytes);
  }

  private static final SealingKey K1 = key("k1", 1);
  private static final SealingKey K2 = key("k2", 2);

  @Test
  void sealsAsACompactDirA256GcmJweWithTheKeyIdAndOpensAgain() throws Exception {
    Sealer sealer = new Sealer(new Keyring(List.of(K1), null));

    String sealed = sealer.seal(SECRET, "demo", "alice");

    JWEObject jwe = JWEObject.parse(sealed);
    assertThat(jwe.getHeader().getAlgorithm().getName()).isEqualTo("dir");
    assertThat(jwe.getHeader().getEncryptionMethod().getName()).isEqualTo("A256GCM");
    assertThat(jwe.getHeader().getKeyID()).isEqualTo("k1");
    assertThat(sealed).doesNotContain("upstream-token")
        .doesNotContain(Base64.getUrlEncoder().withoutPadding().encodeToString(SECRET));
    assertThat(sealer.open(sealed, "demo", "alice")).isEqualTo(SECRET);
    assertThat(sealer.seal(SECRET, "demo", "alice")).as("fresh IV each time").isNotEqualTo(sealed);
  }

  @Test
  void aSealedValueDoesNotOpenForAnotherUserOrBackend() {
    Sealer sealer = new Sealer(new Keyring(List.of(K1), null));
    String sealed = sealer.seal(SECRET, "demo", "alice");

    assertThatThrownBy(() -> sealer.open(sealed, "demo", "bob"))
        .isInstanceOf(SealingException.class).hasMessage("sealed for another user or backend");
    assertThatThrownBy(() -> sealer.open(sealed, "other", "alice"))
        .isInstanceOf(SealingException.class).hasMessage("sealed for another user or backend");
  }

  @Test
  void aRewrittenBindingFailsAuthentication() {
    Sealer sealer = new Sealer(new Keyring(List.of(K1), null));
    String forAlice = sealer.seal(SECRET, "demo", "alice");
    String forBob = sealer.seal(SECRET, "demo", "bob");
    // Alice's ciphertext under Bob's (authentic) header.
    String[] a = forAlice.split("\\.");
    String[] b = forBob.split("\\.");
    String spliced = String.join(".", b[0], a[1], a[2], a[3], a[4]);

    assertThatThrownBy(() -> sealer.open(spliced, "demo", "bob"))
        .isInstanceOf(SealingException.class).hasMessage("the sealed value is corrupt or was altered");
  }

  @Test
  void rotationKeepsOldValuesReadableAndSealsNewOnesWithTheNewKey() throws Exception {
    String old = new Sealer(new Keyring(List.of(K1), null)).seal(SECRET, "demo", "alice");
    Sealer rotated = new Sealer(new Keyring(List.of(K1, K2), null));

    assertThat(rotated.open(old, "demo", "alice")).isEqualTo(SECRET);
    String fresh = rotated.seal(SECRET, "demo", "alice");
    assertThat(JWEObject.parse(fresh).getHeader().getKeyID()).isEqualTo("k2");
    assertThat(new Sealer(new Keyring(List.of(K1, K2), "k1")).seal(SECRET, "d", "u"))
        .satisfies(v -> assertThat(JWEObject.parse(v).getHeader().getKeyID()).isEqualTo("k1"));

    Sealer retired = new Sealer(new Keyring(List.of(K2), null));
    assertThatThrownBy(() -> retired.open(old, "demo", "alice"))
        .isInstanceOf(SealingException.class)
        .hasMessage("sealed under key id 'k1', which is not in the keyring");
  }

  @Test
  void garbageAndKeysNeverShowInMessages() {
    Sealer sealer = new Sealer(new Keyring(List.of(K1), null));

    assertThatThrownBy(() -> sealer.open("not-a-jwe", "d", "u")).hasMessage("not a sealed value");
    assertThat(K1.toString()).isEqualTo("SealingKey[k1]");
    assertThatThrownBy(() -> new SealingKey("k", new byte[16]))
        .hasMessage("a sealing key must be 32 bytes");
  }
}
