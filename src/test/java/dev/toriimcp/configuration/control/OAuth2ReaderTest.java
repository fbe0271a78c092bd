package dev.toriimcp.configuration.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.toriimcp.configuration.entity.ConfigurationException;
import dev.toriimcp.configuration.entity.ConfigurationProblem;
import dev.toriimcp.configuration.entity.UpstreamAuth;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import dev.toriimcp.testing.LogCapture;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

class OAuth2ReaderTest {

  private static final Path FILE = Path.of("/etc/torii/mcp-proxy.yaml");
  private static final String SECRET = "idp-Client-Secret-Never-Shown";
  private static final String KEY = "HyAhIiMkJSYnKCkqKywtLi8wMTIzNDU2Nzg5Ojs8PT4=";
  private final ConfigurationReader reader = new ConfigurationReader(new PlaceholderResolver(
      Map.of("GH_SECRET", SECRET)::get, name -> null, name -> Optional.empty()));

  @Test
  void readsADiscoveredOpenIdProviderWithItsDefaults() {
    UpstreamAuth.OAuth2 auth = read("""
        {type: oauth2, issuer: https://login.example.com/realms/a, client_id: torii,
         scopes: openid profile offline_access}""");

    assertThat(auth.issuer()).isEqualTo(URI.create("https://login.example.com/realms/a"));
    assertThat(auth.authorizationEndpoint()).isNull();
    assertThat(auth.clientSecret()).isNull();
    assertThat(auth.tokenEndpointAuth()).isEqualTo("none");
    assertThat(auth.scopes()).containsExactly("openid", "profile", "offline_access");
    assertThat(auth.user()).isEqualTo(new UpstreamAuth.UserNaming.IdTokenClaim("sub"));
    assertThat(auth.applyHeader()).isEqualTo("Authorization");
    assertThat(auth.applyPrefix()).isEqualTo("Bearer ");
    assertThat(auth.refreshSkew()).isEqualTo(Duration.ofSeconds(60));
  }

  @Test
  void readsAProviderWithoutMetadataAndAUserInfoEndpoint() {
    UpstreamAuth.OAuth2 auth = read(block("""
        type: oauth2
        authorization_endpoint: https://github.com/login/oauth/authorize
        token_endpoint: https://github.com/login/oauth/access_token
        client_id: Iv1.abc
        client_secret: ${GH_SECRET}
        token_endpoint_auth: client_secret_post
        scopes: [repo, read:user]
        parameters: {prompt: select_account, audience: https://api.example.com}
        apply: {header: X-Token}
        user: {userinfo_url: https://api.github.com/user, pointer: /login}
        refresh_skew: 120"""));

    assertThat(auth.issuer()).isNull();
    assertThat(auth.tokenEndpoint()).isEqualTo(URI.create("https://github.com/login/oauth/access_token"));
    assertThat(auth.clientSecret()).isEqualTo(SECRET);
    assertThat(auth.tokenEndpointAuth()).isEqualTo("client_secret_post");
    assertThat(auth.scopes()).containsExactly("repo", "read:user");
    assertThat(auth.parameters()).containsExactly(Map.entry("prompt", "select_account"),
        Map.entry("audience", "https://api.example.com"));
    assertThat(auth.applyHeader()).isEqualTo("X-Token");
    assertThat(auth.applyPrefix()).isEmpty();
    assertThat(auth.user()).isEqualTo(new UpstreamAuth.UserNaming.UserInfo(
        URI.create("https://api.github.com/user"), "/login"));
    assertThat(auth.refreshSkew()).isEqualTo(Duration.ofSeconds(120));
    assertThat(auth.toString()).doesNotContain(SECRET);
  }

  @Test
  void namesEveryMistakeWithItsKeyAndLine() {
    assertThat(problems("{type: oauth2, client_id: torii, scopes: openid}"))
        .extracting(ConfigurationProblem::key).containsExactly("backends[0].auth.issuer");
    assertThat(problems("{type: oauth2, issuer: https://idp.example.com, scopes: openid}"))
        .extracting(ConfigurationProblem::key).containsExactly("backends[0].auth.client_id");
    assertThat(messages("""
        {type: oauth2, token_endpoint: https://idp.example.com/token, client_id: a,
         user: {userinfo_url: https://api.example.com/me, pointer: /id}}""")).singleElement()
        .asString().contains("required with token_endpoint");
    assertThat(messages("{type: oauth2, issuer: https://idp.example.com, client_id: a}"))
        .singleElement().asString().startsWith("required without the openid scope");
    assertThat(messages("""
        {type: oauth2, issuer: https://idp.example.com, client_id: a, scopes: openid,
         token_endpoint_auth: client_secret_basic}""")).containsExactly(
        "client_secret_basic needs client_secret");
    assertThat(messages("""
        {type: oauth2, issuer: https://idp.example.com, client_id: a, scopes: openid,
         parameters: {state: x, redirect_uri: y}}""")).containsExactly(
        "set by the gateway itself", "set by the gateway itself");
    assertThat(messages("""
        {type: oauth2, issuer: https://idp.example.com, client_id: a, scopes: [openid, "a b"]}"""))
        .singleElement().asString().contains("not a valid scope");
    assertThat(messages("""
        {type: oauth2, issuer: "https://idp.example.com?x=1", client_id: a, scopes: openid}"""))
        .singleElement().asString().contains("no query or fragment");
    assertThat(problems("{type: oauth2, issuer: https://idp.example.com, client_id: a,"
        + " scopes: openid, login_url: https://x.example.com}"))
        .singleElement().satisfies(p -> {
          assertThat(p.key()).isEqualTo("backends[0].auth.login_url");
          assertThat(p.line()).isEqualTo(5);
          assertThat(p.message()).startsWith("not used with type oauth2");
        });
  }

  @Test
  void warnsOfPlainHttpEndpointsOffLoopback() {
    LogCapture capture = new LogCapture();
    Logger log = Logger.getLogger(ConfigurationReader.class.getName());
    log.addHandler(capture);
    try {
      // Loopback http is a developer's IdP: no warning. Elsewhere the codes travel in clear.
      reader.read(FILE, config("""
          {type: oauth2, issuer: http://127.0.0.1:9000/default, client_id: a, scopes: openid}"""));
      assertThat(capture.records()).isEmpty();
      reader.read(FILE, config("""
          {type: oauth2, issuer: http://idp.example.com, client_id: a, scopes: openid}"""));
      assertThat(capture.records()).singleElement()
          .satisfies(r -> assertThat(r.getMessage()).contains("auth.issuer"));
    } finally {
      log.removeHandler(capture);
    }
  }

  private UpstreamAuth.OAuth2 read(String auth) {
    return (UpstreamAuth.OAuth2) reader.read(FILE, config(auth)).backends().get(0).auth();
  }

  /** A block mapping placed under {@code auth:}. */
  private static String block(String mapping) {
    return "\n" + mapping.lines().map(line -> "      " + line).collect(
        java.util.stream.Collectors.joining("\n"));
  }

  private static String config(String auth) {
    return """
        public_url: https://mcp.example.com
        backends:
          - name: api
            spec_url: api.yaml
            auth: %s
        sealing:
          keys: [{id: k, secret: "%s"}]
        """.formatted(auth, KEY);
  }

  private List<ConfigurationProblem> problems(String auth) {
    ConfigurationException failure = catchThrowableOfType(ConfigurationException.class,
        () -> reader.read(FILE, config(auth)));
    assertThat(failure).as("expected the configuration to be rejected").isNotNull();
    return failure.problems();
  }

  private List<String> messages(String auth) {
    return problems(auth).stream().map(ConfigurationProblem::message).toList();
  }
}
