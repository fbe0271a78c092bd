package dev.toriimcp.upstream.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.Resource;
import com.nimbusds.jose.util.ResourceRetriever;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.openid.connect.sdk.Nonce;
import com.nimbusds.openid.connect.sdk.claims.IDTokenClaimsSet;
import com.nimbusds.openid.connect.sdk.validators.IDTokenValidator;
import dev.toriimcp.configuration.entity.BackendDefinition;
import dev.toriimcp.configuration.entity.UpstreamAuth;
import dev.toriimcp.upstream.entity.BrokeredTokens;
import dev.toriimcp.upstream.entity.IdentityProvider;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.text.ParseException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A user's sign-in at an {@code oauth2} backend's identity provider, seen from the gateway as
 * that provider's client (ADR 0020): where the browser is sent, and what the callback does with
 * the answer: the RFC 9207 {@code iss} check, the code redemption with the gateway's own PKCE
 * verifier, the OpenID Connect ID token validation (signature against the provider's JWKS,
 * issuer, audience, nonce, expiry; OpenID Connect Core §3.1.3.7) and the naming of the user.
 * Every exchange goes through {@link IdentityProviderHttp}. The tokens are handed back only to
 * be sealed; no message of this class contains one.
 */
@ApplicationScoped
public class IdentityProviderLogin {

  /** The user's name at the backend and the provider's tokens for that user. */
  public record SignedIn(String subject, BrokeredTokens tokens) {
    @Override
    public String toString() {
      return "SignedIn[subject=" + subject + "]";
    }
  }

  /** Why a sign-in failed: the OAuth error for the MCP client and a line for the log. */
  public static final class FailedException extends Exception {
    private static final long serialVersionUID = 1L;

    /** What failed, which decides the page and the error sent to the MCP client. */
    public enum Kind {
      /** The answer is not for this sign-in: another provider's {@code iss} (RFC 9207). */
      MISMATCH,
      /** The provider's answer cannot be trusted (ID token, user name). */
      INVALID,
      /** The token endpoint refused the code or the gateway's client authentication. */
      REFUSED,
      /** The provider (token endpoint, keys, user info) cannot be reached or answers garbage. */
      UNAVAILABLE
    }

    private final Kind kind;

    FailedException(Kind kind, String message) {
      super(message, null, false, false);
      this.kind = kind;
    }

    public Kind kind() {
      return kind;
    }
  }

  /** Longest user name kept (the {@code subject} columns hold 255 characters). */
  static final int MAX_SUBJECT = 255;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<JWSAlgorithm> SIGNATURES = Set.of(JWSAlgorithm.RS256,
      JWSAlgorithm.RS384, JWSAlgorithm.RS512, JWSAlgorithm.PS256, JWSAlgorithm.PS384,
      JWSAlgorithm.PS512, JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512,
      JWSAlgorithm.EdDSA);

  @Inject IdentityProviders providers;

  private final Map<String, JWKSource<SecurityContext>> keys = new ConcurrentHashMap<>();

  /** The provider's authorization endpoint with the gateway's request (ADR 0020). */
  public URI authorizationRedirect(BackendDefinition backend, URI callback, String state,
      String nonce, CodeVerifier verifier) throws IdentityProviders.UnavailableException {
    return IdentityProviderClient.authorizationRedirect(auth(backend),
        providers.provider(backend), callback, state, nonce, verifier);
  }

  /**
   * Checks the authorization response's {@code iss} (RFC 9207 §2.4): when sent it must be the
   * provider's issuer; when the provider's metadata promises it, it must be sent.
   */
  public void checkIssuer(BackendDefinition backend, String iss) throws FailedException {
    IdentityProvider provider = provider(backend);
    if (iss == null) {
      if (provider.issParameter()) {
        throw new FailedException(FailedException.Kind.MISMATCH, "the authorization response has"
            + " no iss although the provider's metadata promises it (RFC 9207)");
      }
      return;
    }
    if (provider.issuer() == null || !provider.issuer().toString().equals(iss)) {
      throw new FailedException(FailedException.Kind.MISMATCH, "the authorization response's"
          + " iss is not the provider's issuer (RFC 9207; a mix-up?)");
    }
  }

  /** Redeems the code, validates the ID token and names the user. */
  public SignedIn complete(BackendDefinition backend, String code, URI callback,
      CodeVerifier verifier, String nonce) throws FailedException {
    if (code == null || code.isEmpty()) {
      throw new FailedException(FailedException.Kind.INVALID, "the authorization response has"
          + " no code");
    }
    UpstreamAuth.OAuth2 auth = auth(backend);
    IdentityProvider provider = provider(backend);
    IdentityProviderClient.Issued issued;
    try {
      issued = new IdentityProviderClient(providers.http()).redeem(auth, provider, code, callback,
          verifier);
    } catch (IdentityProviderClient.RefusedException e) {
      throw new FailedException(FailedException.Kind.REFUSED, "the token endpoint refused the"
          + " code redemption with " + e.error());
    } catch (IOException e) {
      throw new FailedException(FailedException.Kind.UNAVAILABLE, "the token endpoint: "
          + e.getMessage());
    }
    IDTokenClaimsSet claims = auth.openId() ? validate(backend, auth, provider, issued, nonce)
        : null;
    String subject = auth.user() instanceof UpstreamAuth.UserNaming.UserInfo byUserInfo
        ? userInfo(byUserInfo, auth, issued.accessToken())
        : claim(claims, ((UpstreamAuth.UserNaming.IdTokenClaim) auth.user()).claim());
    return new SignedIn(subject, new BrokeredTokens(issued.accessToken(), issued.refreshToken(),
        issued.expiresAt()));
  }

  private IDTokenClaimsSet validate(BackendDefinition backend, UpstreamAuth.OAuth2 auth,
      IdentityProvider provider, IdentityProviderClient.Issued issued, String nonce)
      throws FailedException {
    if (issued.idToken() == null) {
      throw new FailedException(FailedException.Kind.INVALID, "the token response has no ID"
          + " token although the openid scope was asked for");
    }
    if (provider.issuer() == null || provider.jwksUri() == null) {
      throw new FailedException(FailedException.Kind.INVALID, "the provider names no issuer or"
          + " jwks_uri, so its ID token cannot be checked");
    }
    IDTokenValidator validator = new IDTokenValidator(new Issuer(provider.issuer().toString()),
        new ClientID(auth.clientId()), new JWSVerificationKeySelector<>(SIGNATURES,
            keys.computeIfAbsent(backend.name(), name -> keySource(provider.jwksUri()))), null);
    validator.setMaxClockSkew(60);
    try {
      return validator.validate(JWTParser.parse(issued.idToken()),
          nonce == null ? null : new Nonce(nonce));
    } catch (ParseException e) {
      throw new FailedException(FailedException.Kind.INVALID, "the ID token is not a JWT");
    } catch (KeySourceException e) {
      throw new FailedException(FailedException.Kind.UNAVAILABLE, "the provider's keys ("
          + provider.jwksUri() + ") cannot be fetched: " + e.getMessage());
    } catch (BadJOSEException | JOSEException e) {
      throw new FailedException(FailedException.Kind.INVALID, "the ID token is not valid ("
          + e.getMessage() + ")");
    }
  }

  private JWKSource<SecurityContext> keySource(URI jwksUri) {
    try {
      return JWKSourceBuilder.<SecurityContext>create(jwksUri.toURL(), retriever()).build();
    } catch (java.net.MalformedURLException e) {
      throw new IllegalStateException("jwks_uri " + jwksUri + " is not a URL", e);
    }
  }

  /** JOSE's key source fetches the JWKS through the gateway's egress client for providers. */
  private ResourceRetriever retriever() {
    return (URL url) -> {
      HTTPResponse answer;
      try {
        answer = providers.http().get(url.toURI(), Map.of());
      } catch (URISyntaxException e) {
        throw new IOException("not a URI: " + url);
      }
      if (answer.getStatusCode() != 200) {
        throw new IOException("HTTP " + answer.getStatusCode());
      }
      return new Resource(answer.getBody(), answer.getHeaderValue("Content-Type"));
    };
  }

  private static String claim(IDTokenClaimsSet claims, String name) throws FailedException {
    Object value = claims == null ? null : claims.getClaim(name);
    if (!(value instanceof String text) || text.isBlank()) {
      throw new FailedException(FailedException.Kind.INVALID, "the ID token has no text claim '"
          + name + "' to name the user by (auth.user.claim)");
    }
    return checked(text);
  }

  private String userInfo(UpstreamAuth.UserNaming.UserInfo byUserInfo, UpstreamAuth.OAuth2 auth,
      String accessToken) throws FailedException {
    HTTPResponse answer;
    try {
      answer = providers.http().get(byUserInfo.url(),
          Map.of(auth.applyHeader(), auth.applyPrefix() + accessToken));
    } catch (IOException e) {
      throw new FailedException(FailedException.Kind.UNAVAILABLE, "auth.user.userinfo_url "
          + byUserInfo.url() + ": " + e.getMessage());
    }
    if (answer.getStatusCode() != 200) {
      throw new FailedException(FailedException.Kind.UNAVAILABLE, "auth.user.userinfo_url "
          + byUserInfo.url() + " answered HTTP " + answer.getStatusCode());
    }
    JsonNode value;
    try {
      value = JSON.readTree(answer.getBody() == null ? "" : answer.getBody())
          .at(byUserInfo.pointer());
    } catch (IOException e) {
      throw new FailedException(FailedException.Kind.UNAVAILABLE, "auth.user.userinfo_url "
          + byUserInfo.url() + " answered no JSON");
    }
    if (!(value.isTextual() || value.isIntegralNumber()) || value.asText().isBlank()) {
      throw new FailedException(FailedException.Kind.INVALID, "auth.user.userinfo_url "
          + byUserInfo.url() + " has no text or number at " + byUserInfo.pointer());
    }
    return checked(value.asText());
  }

  private static String checked(String subject) throws FailedException {
    if (subject.length() > MAX_SUBJECT || subject.chars().anyMatch(Character::isISOControl)) {
      throw new FailedException(FailedException.Kind.INVALID, "the user's name is longer than "
          + MAX_SUBJECT + " characters or has control characters");
    }
    return subject;
  }

  private IdentityProvider provider(BackendDefinition backend) throws FailedException {
    try {
      return providers.provider(backend);
    } catch (IdentityProviders.UnavailableException e) {
      throw new FailedException(FailedException.Kind.UNAVAILABLE, e.getMessage());
    }
  }

  private static UpstreamAuth.OAuth2 auth(BackendDefinition backend) {
    if (!(backend.auth() instanceof UpstreamAuth.OAuth2 auth)) {
      throw new IllegalArgumentException("backend '" + backend.name() + "' is not oauth2");
    }
    return auth;
  }
}
