package dev.toriimcp.upstream.control;

import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.AuthorizationGrant;
import com.nimbusds.oauth2.sdk.AuthorizationRequest;
import com.nimbusds.oauth2.sdk.ErrorObject;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.RefreshTokenGrant;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenErrorResponse;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientAuthentication;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.ClientSecretPost;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.oauth2.sdk.token.AccessToken;
import com.nimbusds.oauth2.sdk.token.RefreshToken;
import com.nimbusds.oauth2.sdk.token.Tokens;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponseParser;
import com.nimbusds.openid.connect.sdk.token.OIDCTokens;
import dev.toriimcp.configuration.entity.UpstreamAuth;
import dev.toriimcp.upstream.entity.IdentityProvider;
import java.io.IOException;
import java.net.URI;
import java.time.Instant;

/**
 * The gateway's messages to a backend's identity provider, as its OAuth client (RFC 6749,
 * OAuth 2.1, RFC 7636): the authorization request the browser is sent with, the code redemption
 * and the refresh grant. Nimbus builds and parses them; {@link IdentityProviderHttp} carries them.
 * Client authentication is what {@code auth.token_endpoint_auth} says: HTTP Basic, the secret in
 * the body, or only {@code client_id} for a public client (then PKCE alone binds the code).
 */
public final class IdentityProviderClient {

  /** What the token endpoint issued. {@code idToken} is the raw JWT, or {@code null}. */
  public record Issued(String accessToken, String refreshToken, Instant expiresAt, String idToken) {
    @Override
    public String toString() {
      return "Issued[expiresAt=" + expiresAt + ", refreshToken="
          + (refreshToken == null ? "none" : "(not shown)") + ", idToken="
          + (idToken == null ? "none" : "(not shown)") + "]";
    }
  }

  /**
   * The token endpoint refused the request with an OAuth error ({@code invalid_grant},
   * {@code invalid_client}, ...). The description is the provider's and is shown only escaped.
   */
  public static final class RefusedException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String error;

    RefusedException(String error, String description) {
      super(description == null ? error : error + ": " + description, null, false, false);
      this.error = error;
    }

    public String error() {
      return error;
    }
  }

  private final IdentityProviderHttp http;

  public IdentityProviderClient(IdentityProviderHttp http) {
    this.http = http;
  }

  /** Where the user's browser goes to sign in: the provider's authorization endpoint. */
  public static URI authorizationRedirect(UpstreamAuth.OAuth2 auth, IdentityProvider provider,
      URI callback, String state, String nonce, CodeVerifier verifier) {
    AuthorizationRequest.Builder request = new AuthorizationRequest.Builder(
        new ResponseType(ResponseType.Value.CODE), new ClientID(auth.clientId()))
        .endpointURI(provider.authorizationEndpoint())
        .redirectionURI(callback)
        .state(new State(state))
        .codeChallenge(verifier, CodeChallengeMethod.S256);
    if (!auth.scopes().isEmpty()) {
      request.scope(new Scope(auth.scopes().toArray(String[]::new)));
    }
    if (nonce != null) {
      request.customParameter("nonce", nonce);
    }
    auth.parameters().forEach(request::customParameter);
    return request.build().toURI();
  }

  /** Redeems an authorization code (with the PKCE verifier) at the token endpoint. */
  public Issued redeem(UpstreamAuth.OAuth2 auth, IdentityProvider provider, String code,
      URI callback, CodeVerifier verifier) throws RefusedException, IOException {
    return tokens(auth, provider, new AuthorizationCodeGrant(new AuthorizationCode(code),
        callback, verifier), null);
  }

  /**
   * Exchanges a refresh token for new tokens. A provider that does not rotate refresh tokens
   * answers without one; the old one then stays valid and is kept.
   */
  public Issued refresh(UpstreamAuth.OAuth2 auth, IdentityProvider provider, String refreshToken)
      throws RefusedException, IOException {
    return tokens(auth, provider, new RefreshTokenGrant(new RefreshToken(refreshToken)),
        refreshToken);
  }

  private Issued tokens(UpstreamAuth.OAuth2 auth, IdentityProvider provider,
      AuthorizationGrant grant, String previousRefresh) throws RefusedException, IOException {
    ClientAuthentication authentication = switch (auth.tokenEndpointAuth()) {
      case "client_secret_basic" -> new ClientSecretBasic(new ClientID(auth.clientId()),
          new Secret(auth.clientSecret()));
      case "client_secret_post" -> new ClientSecretPost(new ClientID(auth.clientId()),
          new Secret(auth.clientSecret()));
      default -> null;
    };
    TokenRequest request = authentication == null
        ? new TokenRequest(provider.tokenEndpoint(), new ClientID(auth.clientId()), grant)
        : new TokenRequest(provider.tokenEndpoint(), authentication, grant);
    com.nimbusds.oauth2.sdk.http.HTTPRequest outbound = request.toHTTPRequest();
    // GitHub answers form-encoded unless JSON is asked for.
    outbound.setAccept("application/json");
    HTTPResponse answer = http.send(outbound);
    TokenResponse parsed;
    try {
      parsed = auth.openId() ? OIDCTokenResponseParser.parse(answer) : TokenResponse.parse(answer);
    } catch (ParseException e) {
      throw new IOException("the token endpoint answered HTTP " + answer.getStatusCode()
          + " with no token response it understands");
    }
    if (!parsed.indicatesSuccess()) {
      ErrorObject error = ((TokenErrorResponse) parsed).getErrorObject();
      String code = error == null || error.getCode() == null ? "invalid_request" : error.getCode();
      throw new RefusedException(code, error == null ? null : error.getDescription());
    }
    Tokens tokens = parsed.toSuccessResponse().getTokens();
    AccessToken access = tokens.getAccessToken();
    RefreshToken refresh = tokens.getRefreshToken();
    String idToken = null;
    if (tokens instanceof OIDCTokens oidc && oidc.getIDTokenString() != null) {
      idToken = oidc.getIDTokenString();
    }
    Instant expiresAt = access.getLifetime() > 0
        ? Instant.now().plusSeconds(access.getLifetime()) : null;
    return new Issued(access.getValue(), refresh != null ? refresh.getValue() : previousRefresh,
        expiresAt, idToken);
  }
}
