package dev.toriimcp.configuration.control;

import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Function;

/**
 * Finds {@code mcp-proxy.yaml}. The first of these that is set wins:
 *
 * <ol>
 *   <li>JNDI {@code torii/config} (a server resource or a {@code web.xml} env-entry);
 *   <li>system property {@code torii.config};
 *   <li>environment variable {@code TORII_CONFIG};
 *   <li>{@code ./mcp-proxy.yaml} in the server's working directory.
 * </ol>
 */
public final class ConfigurationLocator {

  public static final String JNDI_NAME = "torii/config";
  public static final String SYSTEM_PROPERTY = "torii.config";
  public static final String ENVIRONMENT_VARIABLE = "TORII_CONFIG";
  public static final Path DEFAULT = Path.of("mcp-proxy.yaml");

  /** Where the configuration comes from, and which setting said so (for the start-up log). */
  public record Location(Path path, String origin) {}

  private final Function<String, Optional<String>> jndi;
  private final Function<String, String> systemProperties;
  private final Function<String, String> environment;

  public ConfigurationLocator(
      Function<String, Optional<String>> jndi,
      Function<String, String> systemProperties,
      Function<String, String> environment) {
    this.jndi = jndi;
    this.systemProperties = systemProperties;
    this.environment = environment;
  }

  public static ConfigurationLocator forRuntime() {
    return new ConfigurationLocator(JndiLookup::string, System::getProperty, System::getenv);
  }

  public Location locate() {
    Optional<String> fromJndi = jndi.apply(JNDI_NAME).filter(s -> !s.isBlank());
    if (fromJndi.isPresent()) {
      return new Location(Path.of(fromJndi.get().trim()), "JNDI " + JNDI_NAME);
    }
    String property = systemProperties.apply(SYSTEM_PROPERTY);
    if (property != null && !property.isBlank()) {
      return new Location(Path.of(property.trim()), "system property " + SYSTEM_PROPERTY);
    }
    String variable = environment.apply(ENVIRONMENT_VARIABLE);
    if (variable != null && !variable.isBlank()) {
      return new Location(Path.of(variable.trim()), "environment variable " + ENVIRONMENT_VARIABLE);
    }
    return new Location(DEFAULT, "default");
  }
}
