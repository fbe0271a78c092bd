package dev.toriimcp.oauth.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.toriimcp.configuration.entity.BackendDefinition;
import dev.toriimcp.configuration.entity.GatewayConfiguration;
import dev.toriimcp.configuration.entity.Limits;
import dev.toriimcp.configuration.entity.Policy;
import dev.toriimcp.configuration.entity.StorageSettings;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Research §5.4 AZ-12 and AZ-13. */
class ResourcesTest {

  private static final GatewayConfiguration CONFIGURATION = new GatewayConfiguration(
      Path.of("x.yaml"), URI.create("https://gw.example.com"),
      List.of(new BackendDefinition("a", URI.create("file:/a.yaml"), null, Policy.ALLOW_ALL, null, Map.of()),
          new BackendDefinition("b", URI.create("file:/b.yaml"), null, Policy.ALLOW_ALL, null, Map.of())),
      new StorageSettings(null, Path.of("d")), Limits.DEFAULT, null,
      dev.toriimcp.configuration.entity.OAuthSettings.DEFAULT, List.of(), List.of());

  @Test
  void acceptsTheCanonicalResourceAndHarmlessVariants() {
    for (String resource : new String[] {"https://gw.example.com/mcp/a",
        "https://GW.example.com/mcp/a/", "HTTPS://gw.example.com:443/mcp/a"}) {
      assertThat(Resources.backend(CONFIGURATION, resource)).as(resource)
          .map(BackendDefinition::name).contains("a");
    }
  }

  @Test
  void refusesEverythingElse() {
    for (String resource : new String[] {"/mcp/a", "https://gw.example.com/mcp/a#frag",
        "https://other.example/mcp/a", "https://gw.example.com/mcp/nope",
        "https://gw.example.com/mcp/a?utm=x", "https://gw.example.com/mcp/A",
        "https://gw.example.com:8443/mcp/a", "not a uri", ""}) {
      assertThat(Resources.backend(CONFIGURATION, resource)).as(resource).isEmpty();
    }
  }
}
