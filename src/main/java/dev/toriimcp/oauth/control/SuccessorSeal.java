package dev.toriimcp.oauth.control;

import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.JWEObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.DirectDecrypter;
import com.nimbusds.jose.crypto.DirectEncrypter;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.text.ParseException;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Keeps a rotated refresh token's successor so that a retry inside the grace window gets the
 * same successor back (research RF-3; OAuth 2.1 §4.3.1 allows one live refresh token per grant).
 * The successor is sealed (compact JWE, {@code dir} + A256GCM, as in ADR 0006) under a key
 * derived from the rotated token itself, HMAC-SHA256(token, {@value #PURPOSE}): only whoever
 * presents that token can open it, and the database, which holds only the token's SHA-256 hash,
 * cannot. No configured key is needed, so this works with no {@code sealing} section too.
 */
final class SuccessorSeal {

  private static final String PURPOSE = "torii-mcp refresh successor v1";

  private SuccessorSeal() {}

  static String seal(String predecessor, String successor) {
    JWEObject jwe = new JWEObject(new JWEHeader(JWEAlgorithm.DIR, EncryptionMethod.A256GCM),
        new Payload(successor));
    try {
      jwe.encrypt(new DirectEncrypter(key(predecessor)));
    } catch (JOSEException e) {
      throw new IllegalStateException("sealing a refresh token failed: "
          + e.getClass().getSimpleName());
    }
    return jwe.serialize();
  }

  /** The successor, if {@code sealed} was sealed for this predecessor and is intact. */
  static Optional<String> open(String predecessor, String sealed) {
    if (sealed == null) {
      return Optional.empty();
    }
    try {
      JWEObject jwe = JWEObject.parse(sealed);
      jwe.decrypt(new DirectDecrypter(key(predecessor)));
      return Optional.of(jwe.getPayload().toString());
    } catch (ParseException | JOSEException e) {
      return Optional.empty();
    }
  }

  private static byte[] key(String predecessor) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(predecessor.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return mac.doFinal(PURPOSE.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is required by every Java platform", e);
    }
  }
}
