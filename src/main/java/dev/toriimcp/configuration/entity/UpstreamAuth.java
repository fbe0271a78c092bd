package dev.toriimcp.configuration.entity;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * How the gateway obtains a user's credential for a backend. The brokers that act on it live in
 * the {@code upstream} and {@code login} components; this is only the validated configuration.
 */
public sealed interface UpstreamAuth {

  /** The config value of {@code auth.type}. */
  String type();

  /** The header that carries the credential upstream; {@code null} when it is the cookie. */
  String applyHeader();

  /** The text before the credential in {@link #applyHeader()}. */
  String applyPrefix();

  /** The name of the session cookie that carries the credential instead, or {@code null}. */
  default String cookie() {
    return null;
  }

  /**
   * The backend has its own username/password login endpoint; the gateway shows a login page and
   * verifies the user against {@code login_url}.
   *
   * @param loginUrl the backend's login endpoint
   * @param form send the credentials as form fields instead of a JSON object
   * @param usernameField field name of the username (default {@code username})
   * @param passwordField field name of the password (default {@code password})
   * @param tokenPointer JSON Pointer to the credential in the login response (default
   *     {@code /access_token}); unused when {@code cookie} is set
   * @param cookie name of a session cookie that is the credential instead: taken from the login
   *     response's {@code Set-Cookie} and sent upstream as that cookie; or {@code null}
   * @param expiresPointer JSON Pointer to a lifetime in seconds, or {@code null}
   * @param applyHeader header that carries the credential upstream (default
   *     {@code Authorization}); {@code null} when it is sent as the cookie
   * @param applyPrefix text before the credential in that header (default {@code "Bearer "})
   */
  record LoginBroker(URI loginUrl, boolean form, String usernameField, String passwordField,
      String tokenPointer, String cookie, String expiresPointer, String applyHeader,
      String applyPrefix) implements UpstreamAuth {
    public static final String TYPE = "login-broker";

    /** The defaults: JSON in, {@code /access_token} out, sent as {@code Authorization: Bearer}. */
    public LoginBroker(URI loginUrl) {
      this(loginUrl, false, "username", "password", "/access_token", null, "/expires_in",
          "Authorization", "Bearer ");
    }

    @Override
    public String type() {
      return TYPE;
    }
  }

  /**
   * The backend takes access tokens of its own OAuth 2 identity provider. The gateway is a client
   * of that provider: during the MCP client's authorization it sends the user there
   * (authorization code with PKCE S256), seals the tokens it gets, applies the access token to
   * every upstream call and refreshes it silently (ADR 0020).
   *
   * @param issuer the provider's issuer identifier, whose metadata is discovered at start
   *     (RFC 8414, then OpenID Connect Discovery); {@code null} when both endpoints are given
   * @param authorizationEndpoint explicit authorization endpoint, or {@code null} (discovered)
   * @param tokenEndpoint explicit token endpoint, or {@code null} (discovered)
   * @param jwksUri the provider's keys for ID token signatures, or {@code null} (discovered)
   * @param clientId the gateway's client id at the provider
   * @param clientSecret the gateway's client secret, or {@code null} for a public client
   * @param tokenEndpointAuth {@code client_secret_basic}, {@code client_secret_post} or
   *     {@code none}
   * @param scopes scopes requested at the provider, in order
   * @param parameters extra authorization request parameters ({@code audience}, {@code prompt},
   *     ...), in order
   * @param applyHeader header that carries the access token upstream (default
   *     {@code Authorization})
   * @param applyPrefix text before the token in that header (default {@code "Bearer "})
   * @param user how the gateway names the user
   * @param refreshSkew a token expiring within this much time is refreshed before a call
   */
  record OAuth2(URI issuer, URI authorizationEndpoint, URI tokenEndpoint, URI jwksUri,
      String clientId,
      String clientSecret, String tokenEndpointAuth, List<String> scopes,
      Map<String, String> parameters, String applyHeader, String applyPrefix, UserNaming user,
      Duration refreshSkew) implements UpstreamAuth {
    public static final String TYPE = "oauth2";
    public static final Duration DEFAULT_REFRESH_SKEW = Duration.ofSeconds(60);

    public OAuth2 {
      scopes = List.copyOf(scopes);
      parameters = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(parameters));
    }

    /** Whether the provider is asked for an OpenID Connect ID token. */
    public boolean openId() {
      return scopes.contains("openid");
    }

    @Override
    public String type() {
      return TYPE;
    }

    @Override
    public String toString() {
      return "OAuth2[issuer=" + issuer + ", authorizationEndpoint=" + authorizationEndpoint
          + ", tokenEndpoint=" + tokenEndpoint + ", clientId=" + clientId + ", clientSecret="
          + (clientSecret == null ? "none" : "(not shown)") + ", tokenEndpointAuth="
          + tokenEndpointAuth + ", scopes=" + scopes + ", user=" + user + "]";
    }
  }

  /** How the gateway names the user of an {@link OAuth2} backend. */
  sealed interface UserNaming {

    /** A claim of the validated OpenID Connect ID token ({@code sub} by default). */
    record IdTokenClaim(String claim) implements UserNaming {}

    /**
     * A JSON Pointer into the answer of a user-info or "me" endpoint, called with the user's new
     * access token (for providers without OpenID Connect, such as GitHub).
     */
    record UserInfo(URI url, String pointer) implements UserNaming {}
  }
}
