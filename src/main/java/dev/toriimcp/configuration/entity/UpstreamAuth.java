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
   */
  record LoginBroker(URI loginUrl) implements UpstreamAuth {
    public static final String TYPE = "login-broker";

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
