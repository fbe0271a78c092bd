package dev.toriimcp.oauth.control;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.toriimcp.oauth.entity.RegisteredClient;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;

/**
 * Verifies {@code private_key_jwt} client assertions (RFC 7523 §3, RFC 7521 §4.2, OpenID Connect
 * Core §9; ADR 0023) with Nimbus JOSE's {@link DefaultJWTProcessor}:
 *
 * <ul>
 *   <li>a JWS signed with an asymmetric algorithm of {@link #ALGORITHMS} by a key of the client's
 *       JWK set ({@code none}, HMAC and encrypted JWTs are refused); {@code typ} absent,
 *       {@code JWT} or {@code client-authentication+jwt} (draft-ietf-oauth-rfc7523bis);
 *   <li>{@code iss} and {@code sub} both the client id; {@code aud} naming the issuer, the token
 *       endpoint or the endpoint called;
 *   <li>{@code exp} present, not past and at most {@link #MAX_LIFETIME} ahead; {@code nbf} and
 *       {@code iat}, if present, not in the future; each with {@link #SKEW} of leeway;
 *   <li>{@code jti} present and never seen before for this client, on any node
 *       ({@link UsedAssertions}), checked last so that only signed assertions leave rows.
 * </ul>
 *
 * Every refusal is a {@link Rejected} whose short reason goes to the log, not to the client.
 */
final class ClientAssertions {

  /** RFC 7523 §2.2. */
  static final String TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
  static final Set<JWSAlgorithm> ALGORITHMS = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384,
      JWSAlgorithm.RS512, JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512,
      JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512);
  static final Duration MAX_LIFETIME = Duration.ofMinutes(5);
  static final Duration SKEW = Duration.ofSeconds(30);
  /** Longer than any honest assertion (a few hundred bytes plus an RSA-4096 signature). */
  static final int MAX_LENGTH = 8 * 1024;
  private static final DefaultJOSEObjectTypeVerifier<SecurityContext> TYPES =
      new DefaultJOSEObjectTypeVerifier<>(JOSEObjectType.JWT, null,
          new JOSEObjectType("client-authentication+jwt"));
  private static final Set<String> REQUIRED = Set.of("iss", "sub", "aud", "exp", "jti");

  /** Why an assertion was refused: for the log only. */
  static final class Rejected extends Exception {
    private static final long serialVersionUID = 1L;

    Rejected(String reason) {
      super(reason, null, false, false);
    }
  }

  private final ClientKeys keys;
  private final UsedAssertions used;

  ClientAssertions(ClientKeys keys, UsedAssertions used) {
    this.keys = keys;
    this.used = used;
  }

  /**
   * The client the assertion names ({@code sub}, else {@code iss}), unverified: to find the
   * client when the request has no {@code client_id} (RFC 7521 §4.2); null if it names none.
   */
  static String claimedClient(String assertion) {
    if (assertion == null || assertion.length() > MAX_LENGTH) {
      return null;
    }
    try {
      JWTClaimsSet claims = JWTParser.parse(assertion).getJWTClaimsSet();
      return claims.getSubject() != null ? claims.getSubject() : claims.getIssuer();
    } catch (ParseException e) {
      return null;
    }
  }

  /** Verifies {@code assertion} for {@code client} at {@code now}; the claims it proved. */
  JWTClaimsSet verify(RegisteredClient client, String assertion, Set<String> audiences,
      Instant now) throws Rejected {
    if (assertion.length() > MAX_LENGTH) {
      throw new Rejected("the assertion is longer than " + MAX_LENGTH + " characters");
    }
    JWT jwt;
    try {
      jwt = JWTParser.parse(assertion);
    } catch (ParseException e) {
      throw new Rejected("the assertion is not a JWT");
    }
    if (!(jwt instanceof SignedJWT signed)) {
      throw new Rejected("the assertion is unsigned (alg none) or encrypted");
    }
    JWSAlgorithm algorithm = signed.getHeader().getAlgorithm();
    if (!ALGORITHMS.contains(algorithm)) {
      throw new Rejected("signature algorithm " + algorithm + " is not accepted");
    }
    DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    processor.setJWSTypeVerifier(TYPES);
    processor.setJWSKeySelector(new JWSVerificationKeySelector<>(ALGORITHMS, source(client)));
    processor.setJWTClaimsSetVerifier(claims(client.clientId(), audiences, now));
    JWTClaimsSet claims;
    try {
      claims = processor.process(signed, null);
    } catch (BadJOSEException | JOSEException e) {
      throw new Rejected(e.getMessage());
    }
    Instant expires = claims.getExpirationTime().toInstant();
    if (expires.isAfter(now.plus(MAX_LIFETIME).plus(SKEW))) {
      throw new Rejected("exp is more than " + MAX_LIFETIME.toMinutes() + " minutes ahead");
    }
    if (claims.getIssueTime() != null && claims.getIssueTime().toInstant().isAfter(now.plus(SKEW))) {
      throw new Rejected("iat is in the future");
    }
    if (claims.getJWTID().isBlank()) {
      throw new Rejected("jti is empty");
    }
    if (!used.firstUse(client.clientId(), claims.getJWTID(), expires.plus(SKEW))) {
      throw new Rejected("the jti was used before (replay)");
    }
    return claims;
  }

  /** The client's keys; once more, fetched anew, when none of them fits the assertion. */
  private JWKSource<SecurityContext> source(RegisteredClient client) {
    return (selector, context) -> {
      JWKSet set = keys.keys(client);
      if (set == null) {
        throw new KeySourceException("the client's JWK set cannot be had");
      }
      List<JWK> found = selector.select(set);
      if (found.isEmpty()) {
        JWKSet fresh = keys.refetched(client);
        if (fresh != null) {
          found = selector.select(fresh);
        }
      }
      return found;
    };
  }

  private static DefaultJWTClaimsVerifier<SecurityContext> claims(String clientId,
      Set<String> audiences, Instant now) {
    DefaultJWTClaimsVerifier<SecurityContext> verifier = new DefaultJWTClaimsVerifier<>(audiences,
        new JWTClaimsSet.Builder().issuer(clientId).subject(clientId).build(), REQUIRED, null) {
      @Override
      protected Date currentTime() {
        return Date.from(now);
      }
    };
    verifier.setMaxClockSkew((int) SKEW.toSeconds());
    return verifier;
  }
}
