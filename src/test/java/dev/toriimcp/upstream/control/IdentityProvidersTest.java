package dev.toriimcp.upstream.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.toriimcp.configuration.entity.BackendDefinition;
import dev.toriimcp.configuration.entity.Policy;
import dev.toriimcp.configuration.entity.UpstreamAuth;
import dev.toriimcp.upstream.entity.IdentityProvider;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Discovery against a real OpenID provider, and the refusals that keep a mixed-up one out. */
class IdentityProvidersTest {

  private static MockOAuth2Server idp;
  private static HttpServer impostor;

  @BeforeAll
  static void start() throws IOException {
    idp = new MockOAuth2Server();
    idp.start(InetAddress.getLoopbackAddress(), 0);
    impostor = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    impostor.createContext("/", exchange -> {
      String path = exchange.getRequestURI().getPath();
      String body = switch (path) {
        case "/.well-known/oauth-authorization-server/other" ->
            "{\"issuer\":\"https://elsewhere.example.com\",\"authorization_endpoint\":"
                + "\"https://elsewhere.example.com/a\",\"token_endpoint\":\"https://elsewhere.example.com/t\","
                + "\"response_types_supported\":[\"code\"]}";
        case "/.well-known/oauth-authorization-server/plain" ->
            "{\"issuer\":\"" + base() + "/plain\",\"authorization_endpoint\":"
                + "\"http://idp.example.com/a\",\"token_endpoint\":\"" + base() + "/t\","
                + "\"response_types_supported\":[\"code\"]}";
        case "/.well-known/oauth-authorization-server/slow" -> null;
        default -> "";
      };
      if (body == null) {
        exchange.sendResponseHeaders(200, 0);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write('{');
          out.flush();
          Thread.sleep(3_000);
        } catch (InterruptedException | IOException ignored) {
          // the client gave up
        }
        return;
      }
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(body.isEmpty() ? 404 : 200, body.isEmpty() ? -1 : bytes.length);
      if (!body.isEmpty()) {
        exchange.getResponseBody().write(bytes);
      }
      exchange.close();
    });
    impostor.start();
  }

  @AfterAll
  static void stop() {
    idp.shutdown();
    impostor.stop(0);
  }

  private static String base() {
    return "http://127.0.0.1:" + impostor.getAddress().getPort();
  }

  @Test
  void discoversAnOpenIdProviderFromItsIssuer() throws Exception {
    URI issuer = idp.issuerUrl("corp").uri();
    IdentityProvider provider = new IdentityProviders().discover("api", issuer);

    assertThat(provider.issuer()).isEqualTo(issuer);
    assertThat(provider.authorizationEndpoint().toString()).startsWith(issuer.toString());
    assertThat(provider.tokenEndpoint().toString()).startsWith(issuer.toString());
    assertThat(provider.jwksUri()).isNotNull();
    assertThat(provider.userInfoEndpoint()).isNotNull();
  }

  @Test
  void usesExplicitEndpointsWithoutFetchingAnything() throws Exception {
    UpstreamAuth.OAuth2 auth = new UpstreamAuth.OAuth2(null,
        URI.create("https://github.com/login/oauth/authorize"),
        URI.create("https://github.com/login/oauth/access_token"), null, "id", "secret",
        "client_secret_post", List.of("repo"), Map.of(), "Authorization", "Bearer ",
        new UpstreamAuth.UserNaming.UserInfo(URI.create("https://api.github.com/user"), "/login"),
        Duration.ofSeconds(60));
    BackendDefinition backend = new BackendDefinition("github", URI.create("file:///spec.yaml"),
        null, Policy.ALLOW_ALL, auth, Map.of());

    IdentityProvider provider = new IdentityProviders().provider(backend);

    assertThat(provider.tokenEndpoint()).isEqualTo(auth.tokenEndpoint());
    assertThat(provider.issParameter()).isFalse();
  }

  @Test
  void refusesMetadataThatNamesAnotherIssuer() {
    assertThatThrownBy(() -> new IdentityProviders().discover("api", URI.create(base() + "/other")))
        .isInstanceOf(IdentityProviders.UnavailableException.class)
        .hasMessageContaining("names the issuer 'https://elsewhere.example.com'")
        .hasMessageContaining("RFC 8414");
  }

  @Test
  void refusesPlainHttpEndpointsOffLoopback() {
    assertThatThrownBy(() -> new IdentityProviders().discover("api", URI.create(base() + "/plain")))
        .isInstanceOf(IdentityProviders.UnavailableException.class)
        .hasMessageContaining("http://idp.example.com/a, which is neither https nor on loopback");
  }

  @Test
  void namesBothLocationsWhenNeitherAnswers() {
    assertThatThrownBy(() -> new IdentityProviders().discover("api", URI.create(base() + "/none")))
        .isInstanceOf(IdentityProviders.UnavailableException.class)
        .hasMessageContaining("/.well-known/oauth-authorization-server/none: HTTP 404")
        .hasMessageContaining("/none/.well-known/openid-configuration: HTTP 404");
  }

  @Test
  void endsATricklingAnswerAtTheDeadline() throws IOException {
    try (IdentityProviderHttp http = new IdentityProviderHttp(Duration.ofMillis(500))) {
      long start = System.nanoTime();
      assertThatThrownBy(() -> http.get(
          URI.create(base() + "/.well-known/oauth-authorization-server/slow"), Map.of()))
          .isInstanceOf(IOException.class).hasMessageContaining("no complete answer within");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    }
  }

  @Test
  void placesTheWellKnownSegmentsAsBothSpecificationsSay() {
    assertThat(IdentityProviders.metadataLocations(URI.create("https://idp.example.com/realms/a")))
        .containsExactly(
            URI.create("https://idp.example.com/.well-known/oauth-authorization-server/realms/a"),
            URI.create("https://idp.example.com/realms/a/.well-known/openid-configuration"));
    assertThat(IdentityProviders.metadataLocations(URI.create("https://idp.example.com/")))
        .containsExactly(URI.create("https://idp.example.com/.well-known/oauth-authorization-server"),
            URI.create("https://idp.example.com/.well-known/openid-configuration"));
  }
}
