package dev.toriimcp.oauth.control;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.regex.Pattern;

/** PKCE with S256 only (RFC 7636 §4.1–4.6; OAuth 2.1 §4.1.1). */
public final class Pkce {

  private static final Pattern VERIFIER = Pattern.compile("^[A-Za-z0-9._~-]{43,128}$");
  private static final Pattern CHALLENGE = Pattern.compile("^[A-Za-z0-9_-]{43}$");

  private Pkce() {}

  /** Whether a code_challenge is a well-formed S256 challenge (43 base64url characters). */
  public static boolean validChallenge(String challenge) {
    return challenge != null && CHALLENGE.matcher(challenge).matches();
  }

  public static boolean validVerifier(String verifier) {
    return verifier != null && VERIFIER.matcher(verifier).matches();
  }

  /** BASE64URL(SHA-256(verifier)) == challenge, compared in constant time. */
  public static boolean verifies(String verifier, String challenge) {
    if (!validVerifier(verifier) || !validChallenge(challenge)) {
      return false;
    }
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256")
          .digest(verifier.getBytes(StandardCharsets.US_ASCII));
      byte[] computed = Base64.getUrlEncoder().withoutPadding().encode(digest);
      return MessageDigest.isEqual(computed, challenge.getBytes(StandardCharsets.US_ASCII));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java platform", e);
    }
  }
}
