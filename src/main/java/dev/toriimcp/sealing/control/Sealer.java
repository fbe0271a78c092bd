package dev.toriimcp.sealing.control;

import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.JWEObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.DirectDecrypter;
import com.nimbusds.jose.crypto.DirectEncrypter;
import com.nimbusds.jose.util.Base64URL;
import dev.toriimcp.sealing.entity.SealingException;
import dev.toriimcp.sealing.entity.SealingKey;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.ParseException;

/**
 * Seals and opens secrets as compact JWE: {@code alg: dir}, {@code enc: A256GCM} (AES-256-GCM,
 * 96-bit random IV, 128-bit tag), {@code kid} of the key used.
 *
 * <p>Binding: the protected header carries {@code bnd}, a SHA-256 digest of the backend and the
 * user. The protected header is the GCM additional authenticated data (RFC 7516 §5.1 step 14), so
 * it cannot be altered without failing decryption, and {@link #open} refuses a value whose
 * binding is not the expected one: a sealed credential copied to another user's or backend's row
 * does not open.
 */
public final class Sealer {

  static final String BINDING = "bnd";
  private static final String DOMAIN = "torii-mcp sealed credential v1";

  private final Keyring keyring;

  public Sealer(Keyring keyring) {
    this.keyring = keyring;
  }

  /** Seals {@code plaintext} for one user of one backend, under the current key. */
  public String seal(byte[] plaintext, String backend, String subject) {
    SealingKey key = keyring.current();
    JWEHeader header = new JWEHeader.Builder(JWEAlgorithm.DIR, EncryptionMethod.A256GCM)
        .keyID(key.id())
        .customParam(BINDING, binding(backend, subject).toString())
        .build();
    JWEObject jwe = new JWEObject(header, new Payload(plaintext));
    try {
      jwe.encrypt(new DirectEncrypter(key.secret()));
    } catch (JOSEException e) {
      throw new SealingException("sealing failed: " + e.getClass().getSimpleName());
    }
    return jwe.serialize();
  }

  /** Opens a value sealed for this user of this backend, under any key of the keyring. */
  public byte[] open(String sealed, String backend, String subject) {
    JWEObject jwe;
    try {
      jwe = JWEObject.parse(sealed);
    } catch (ParseException e) {
      throw new SealingException("not a sealed value");
    }
    JWEHeader header = jwe.getHeader();
    if (!JWEAlgorithm.DIR.equals(header.getAlgorithm())
        || !EncryptionMethod.A256GCM.equals(header.getEncryptionMethod())) {
      throw new SealingException("sealed with an unsupported algorithm");
    }
    String keyId = header.getKeyID();
    SealingKey key = keyring.key(keyId == null ? "" : keyId).orElseThrow(() ->
        new SealingException("sealed under key id '" + keyId + "', which is not in the keyring"));
    Object bound = header.getCustomParam(BINDING);
    byte[] expected = binding(backend, subject).toString().getBytes(StandardCharsets.US_ASCII);
    if (!(bound instanceof String text)
        || !MessageDigest.isEqual(expected, text.getBytes(StandardCharsets.US_ASCII))) {
      throw new SealingException("sealed for another user or backend");
    }
    try {
      jwe.decrypt(new DirectDecrypter(key.secret()));
    } catch (JOSEException e) {
      throw new SealingException("the sealed value is corrupt or was altered");
    }
    return jwe.getPayload().toBytes();
  }

  /**
   * The id of the key a value was sealed under, read from its protected header without opening
   * it; empty if the value is not a compact JWE or names no key.
   */
  public static java.util.Optional<String> keyId(String sealed) {
    try {
      return java.util.Optional.ofNullable(JWEObject.parse(sealed).getHeader().getKeyID());
    } catch (ParseException | RuntimeException e) {
      return java.util.Optional.empty();
    }
  }

  /** The id of the key that {@link #seal} uses now. */
  public String currentKeyId() {
    return keyring.current().id();
  }

  /** Whether the keyring still holds the key of this id, so that values sealed under it open. */
  public boolean opens(String keyId) {
    return keyId != null && keyring.key(keyId).isPresent();
  }

  private static Base64URL binding(String backend, String subject) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      for (String part : new String[] {DOMAIN, backend, subject}) {
        byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
        digest.update(java.nio.ByteBuffer.allocate(4).putInt(bytes.length).array());
        digest.update(bytes);
      }
      return Base64URL.encode(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java platform", e);
    }
  }
}
