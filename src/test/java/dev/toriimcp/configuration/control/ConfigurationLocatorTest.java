package dev.toriimcp.configuration.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ConfigurationLocatorTest {

  private static ConfigurationLocator locator(
      Map<String, String> jndi, Map<String, String> properties, Map<String, String> environment) {
    return new ConfigurationLocator(
        name -> Optional.ofNullable(jndi.get(name)), properties::get, environment::get);
  }

  @Test
  void jndiWinsOverEverything() {
    ConfigurationLocator.Location location = locator(
        Map.of("torii/config", "/srv/jndi.yaml"),
        Map.of("torii.config", "/srv/property.yaml"),
        Map.of("TORII_CONFIG", "/srv/env.yaml")).locate();

    assertThat(location).isEqualTo(
        new ConfigurationLocator.Location(Path.of("/srv/jndi.yaml"), "JNDI torii/config"));
  }

  @Test
  void thenTheSystemPropertyThenTheEnvironment() {
    assertThat(locator(Map.of(), Map.of("torii.config", "/p.yaml"), Map.of("TORII_CONFIG", "/e.yaml"))
        .locate().path()).isEqualTo(Path.of("/p.yaml"));
    assertThat(locator(Map.of(), Map.of(), Map.of("TORII_CONFIG", "/e.yaml")).locate().path())
        .isEqualTo(Path.of("/e.yaml"));
  }

  @Test
  void defaultsToTheWorkingDirectory() {
    assertThat(locator(Map.of("torii/config", " "), Map.of(), Map.of()).locate())
        .isEqualTo(new ConfigurationLocator.Location(Path.of("mcp-proxy.yaml"), "default"));
  }
}
