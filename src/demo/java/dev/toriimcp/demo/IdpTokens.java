package dev.toriimcp.demo;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.nimbusds.oauth2.sdk.GeneralException;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.net.URI;
import java.text.ParseException;
import java.time.Instant;
import java.util.Set;

/**
 * Checks the access tokens of the demo identity provider the way a resource server does: an RS256
 * signature by a key of the provider's JWKS (found through its discovery document), the exact
 * issuer, the audience {@value DemoIdentityProvider#AUDIENCE} (so its ID tokens, whose audience
 * is the client, are refused), and expiry. Nothing else is trusted, least of all the claims of a
 * token that fails a check.
 */
@ApplicationScoped
public class IdpTokens {

  /** Who a valid token speaks for: its {@code sub}, issuer, client ({@code azp}) and expiry. */
  record Caller(String subject, String issuer, String client, Instant expiresAt) {}

  /** A token that is missing or fails a check; the message is safe to send back. */
  static final class InvalidTokenException extends Exception {
    private static final long serialVersionUID = 1L;
    final boolean missing;

    InvalidTokenException(String message, boolean missing) {
      super(message);
      this.missing = missing;
    }
  }

  private volatile DefaultJWTProcessor<SecurityContext> processor;

  Caller verify(String authorization) throws InvalidTokenException {
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      throw new InvalidTokenException("a bearer token of the demo identity provider is required",
          true);
    }
    JWTClaimsSet claims;
    try {
      claims = processor().process(authorization.substring(7).trim(), null);
    } catch (ParseException e) {
      throw new InvalidTokenException("not a JWT", false);
    } catch (BadJOSEException | JOSEException e) {
      throw new InvalidTokenException(e.getMessage(), false);
    }
    Object client = claims.getClaim("azp");
    return new Caller(claims.getSubject(), claims.getIssuer(),
        client == null ? "" : client.toString(), claims.getExpirationTime().toInstant());
  }

  /** Built on first use, from the provider's discovery document; retried until that works. */
  private DefaultJWTProcessor<SecurityContext> processor() throws InvalidTokenException {
    DefaultJWTProcessor<SecurityContext> current = processor;
    if (current != null) {
      return current;
    }
    URI issuer;
    OIDCProviderMetadata metadata;
    try {
      issuer = DemoIdentityProvider.issuer();
      metadata = OIDCProviderMetadata.resolve(new Issuer(issuer), 2000, 2000);
    } catch (IllegalStateException | GeneralException | IOException e) {
      throw new InvalidTokenException("the demo identity provider is not reachable", false);
    }
    JWKSource<SecurityContext> keys;
    try {
      keys = JWKSourceBuilder.create(metadata.getJWKSetURI().toURL()).retrying(true).build();
    } catch (java.net.MalformedURLException e) {
      throw new InvalidTokenException("the demo identity provider has no usable jwks_uri", false);
    }
    DefaultJWTProcessor<SecurityContext> built = new DefaultJWTProcessor<>();
    built.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.RS256, keys));
    built.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>(DemoIdentityProvider.AUDIENCE,
        new JWTClaimsSet.Builder().issuer(issuer.toString()).build(), Set.of("sub", "exp")));
    processor = built;
    return built;
  }
}
