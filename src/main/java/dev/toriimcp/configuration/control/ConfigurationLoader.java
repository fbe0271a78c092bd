package dev.toriimcp.configuration.control;

import dev.toriimcp.configuration.entity.ConfigurationException;
import dev.toriimcp.configuration.entity.ConfigurationProblem;
import dev.toriimcp.configuration.entity.GatewayConfiguration;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/** Reads the configuration file once: locate, read as UTF-8, validate. */
public final class ConfigurationLoader {

  private final ConfigurationLocator locator;
  private final ConfigurationReader reader;

  public ConfigurationLoader(ConfigurationLocator locator, ConfigurationReader reader) {
    this.locator = locator;
    this.reader = reader;
  }

  public static ConfigurationLoader forRuntime() {
    return new ConfigurationLoader(
        ConfigurationLocator.forRuntime(), new ConfigurationReader(PlaceholderResolver.forRuntime(),
            Boolean.getBoolean(ConfigurationReader.DEMO_PROPERTY)));
  }

  /**
   * For tools that only read the configuration and never seal anything (the catalog report):
   * the published demo key is no risk there, so the example configuration is readable as is.
   */
  public static ConfigurationLoader forInspection() {
    return new ConfigurationLoader(ConfigurationLocator.forRuntime(),
        new ConfigurationReader(PlaceholderResolver.forRuntime(), true));
  }

  public ConfigurationLocator.Location locate() {
    return locator.locate();
  }

  /** Loads from the located file; every problem comes back in one {@link ConfigurationException}. */
  public GatewayConfiguration load(ConfigurationLocator.Location location) {
    Path path = location.path();
    String text;
    try {
      text = Files.readString(path, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw fileProblem(path, "file not found (absolute path " + path.toAbsolutePath()
          + "; chosen by " + location.origin() + ")");
    } catch (CharacterCodingException e) {
      throw fileProblem(path, "not valid UTF-8");
    } catch (IOException e) {
      throw fileProblem(path, "cannot be read: " + e.getClass().getSimpleName());
    }
    return reader.read(path, text);
  }

  private static ConfigurationException fileProblem(Path path, String message) {
    return new ConfigurationException(
        List.of(new ConfigurationProblem(path.toString(), 0, null, null, message)));
  }
}
