package dev.toriimcp.configuration.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.toriimcp.configuration.entity.BackendDefinition;
import dev.toriimcp.configuration.entity.GatewayConfiguration;
import dev.toriimcp.configuration.entity.UpstreamAuth;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The YAML of the README's identity provider recipes is configuration the gateway accepts, read
 * by the same reader as a real file: a recipe that drifts from the keys fails here, not at an
 * administrator's start.
 */
class ReadmeRecipesTest {

  private static final Path README = Path.of("README.md");
  private static final Pattern YAML = Pattern.compile("```yaml\\n(.*?)```", Pattern.DOTALL);
  private final ConfigurationReader reader = new ConfigurationReader(new PlaceholderResolver(
      name -> "secret-of-" + name, name -> null, name -> Optional.empty()));

  @Test
  void everyRecipeIsAValidOauth2Backend() throws IOException {
    Map<String, UpstreamAuth.OAuth2> recipes = recipes();

    assertThat(recipes).containsOnlyKeys("github", "google", "entra", "keycloak", "okta", "auth0");
    recipes.forEach((name, auth) -> assertThat(auth.clientSecret()).as(name)
        .isEqualTo("secret-of-" + name.toUpperCase() + "_CLIENT_SECRET"));

    UpstreamAuth.OAuth2 github = recipes.get("github");
    assertThat(github.issuer()).isNull();
    assertThat(github.tokenEndpointAuth()).isEqualTo("client_secret_post");
    assertThat(github.user()).isEqualTo(new UpstreamAuth.UserNaming.UserInfo(
        URI.create("https://api.github.com/user"), "/login"));
    assertThat(recipes.get("google").parameters())
        .containsEntry("access_type", "offline").containsEntry("prompt", "consent");
    assertThat(recipes.get("entra").issuer().toString())
        .startsWith("https://login.microsoftonline.com/").endsWith("/v2.0");
    assertThat(recipes.get("entra").scopes()).contains("offline_access");
    assertThat(recipes.get("keycloak").user())
        .isEqualTo(new UpstreamAuth.UserNaming.IdTokenClaim("preferred_username"));
    assertThat(recipes.get("okta").scopes()).contains("offline_access");
    assertThat(recipes.get("auth0").issuer().toString()).endsWith("/");
    assertThat(recipes.get("auth0").parameters()).containsKey("audience");
  }

  /** Each YAML block of the recipes section, read as the one backend of a configuration. */
  private Map<String, UpstreamAuth.OAuth2> recipes() throws IOException {
    String readme = Files.readString(README, StandardCharsets.UTF_8);
    int start = readme.indexOf("\n## Identity provider recipes");
    assertThat(start).as("the README's recipes section").isPositive();
    int end = readme.indexOf("\n## ", start + 1);
    Matcher blocks = YAML.matcher(readme.substring(start, end < 0 ? readme.length() : end));
    List<String> snippets = new ArrayList<>();
    while (blocks.find()) {
      snippets.add(blocks.group(1));
    }
    Map<String, UpstreamAuth.OAuth2> recipes = new LinkedHashMap<>();
    for (String snippet : snippets) {
      GatewayConfiguration configuration = reader.read(Path.of("/etc/torii/mcp-proxy.yaml"),
          "public_url: https://mcp.example.com\nbackends:\n" + snippet
              + "sealing: {keys: [{id: k1, secret: AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=}]}\n");
      for (BackendDefinition backend : configuration.backends()) {
        assertThat(backend.auth()).as(backend.name()).isInstanceOf(UpstreamAuth.OAuth2.class);
        recipes.put(backend.name(), (UpstreamAuth.OAuth2) backend.auth());
      }
    }
    return recipes;
  }
}
