package dev.toriimcp.demo;

import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.annotation.WebListener;
import java.net.InetAddress;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.OAuth2Config;
import no.nav.security.mock.oauth2.http.NettyWrapper;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import no.nav.security.mock.oauth2.token.OAuth2TokenCallback;
import no.nav.security.mock.oauth2.token.OAuth2TokenProvider;

/**
 * The demo's OAuth 2 / OpenID Connect provider (ADR 0022): mock-oauth2-server, started with the
 * demo WAR on loopback and stopped when it is undeployed, so that the run command needs nothing
 * installed. Its sign-in page accepts any username, which becomes the tokens' {@code sub}; it
 * accepts any client id and redirect URI. Access tokens are RS256 JWTs for the audience
 * {@value #AUDIENCE}, valid {@value #TOKEN_SECONDS} s; refresh tokens rotate.
 */
@WebListener
public class DemoIdentityProvider implements ServletContextListener {

  /** The path segment after the port: the issuer is {@code http://localhost:<port>/demo-idp}. */
  static final String ISSUER_ID = "demo-idp";
  /** The audience of its access tokens, which the demo's OAuth-protected API requires. */
  static final String AUDIENCE = "demo-notes";
  static final long TOKEN_SECONDS = 3600;
  static final int DEFAULT_PORT = 8090;

  private static final Logger LOG = Logger.getLogger(DemoIdentityProvider.class.getName());

  private MockOAuth2Server server;

  /** Where it listens: {@code DEMO_IDP_PORT} (system property, else environment), else 8090. */
  static int port() {
    String value = System.getProperty("DEMO_IDP_PORT", System.getenv("DEMO_IDP_PORT"));
    if (value == null || value.isBlank()) {
      return DEFAULT_PORT;
    }
    try {
      int port = Integer.parseInt(value.trim());
      if (port < 1 || port > 65535) {
        throw new NumberFormatException();
      }
      return port;
    } catch (NumberFormatException e) {
      throw new IllegalStateException("DEMO_IDP_PORT must be a port number (1-65535), not '"
          + value + "'");
    }
  }

  /** The issuer the demo API expects in tokens, as the gateway's configuration names it. */
  static URI issuer() {
    return URI.create("http://localhost:" + port() + "/" + ISSUER_ID);
  }

  @Override
  public void contextInitialized(ServletContextEvent event) {
    int port;
    try {
      port = port();
    } catch (IllegalStateException e) {
      LOG.severe("demo identity provider not started: " + e.getMessage());
      return;
    }
    OAuth2TokenCallback tokens = new DefaultOAuth2TokenCallback(ISSUER_ID, "anonymous", "JWT",
        List.of(AUDIENCE), Map.of(), TOKEN_SECONDS);
    OAuth2Config config = new OAuth2Config(true, null, null, true, new OAuth2TokenProvider(),
        Set.of(tokens), new NettyWrapper());
    MockOAuth2Server started = new MockOAuth2Server(config);
    try {
      started.start(InetAddress.getLoopbackAddress(), port);
    } catch (RuntimeException e) {
      // The notes API with its own login still works; only the oauth2 backend is unavailable.
      LOG.log(Level.SEVERE, "demo identity provider not started: cannot listen on "
          + InetAddress.getLoopbackAddress().getHostAddress() + ":" + port + " (" + e
          + "); set DEMO_IDP_PORT to a free port");
      return;
    }
    server = started;
    LOG.info("demo identity provider (any username signs in) at " + issuer());
  }

  @Override
  public void contextDestroyed(ServletContextEvent event) {
    if (server != null) {
      server.shutdown();
      server = null;
    }
  }
}
