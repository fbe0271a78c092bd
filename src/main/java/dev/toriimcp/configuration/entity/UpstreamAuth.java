package dev.toriimcp.configuration.entity;

import java.net.URI;

/**
 * How the gateway obtains a user's credential for a backend. The brokers that act on it live in
 * the {@code upstream} and {@code login} components; this is only the validated configuration.
 */
public sealed interface UpstreamAuth {

  /** The config value of {@code auth.type}. */
  String type();

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

  /** The backend delegates login to its own OAuth 2 identity provider. */
  record OAuth2(URI issuer) implements UpstreamAuth {
    public static final String TYPE = "oauth2";

    @Override
    public String type() {
      return TYPE;
    }
  }
}
