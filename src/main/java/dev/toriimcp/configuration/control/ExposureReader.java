package dev.toriimcp.configuration.control;

import dev.toriimcp.configuration.entity.Exposure;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads a backend's {@code exposure}, {@code token_budget} and {@code descriptions}: how much of
 * its catalog a client is shown (ADR 0031). Each is optional; absent keys take {@link
 * Exposure#DEFAULT}'s value.
 */
final class ExposureReader {

  static final List<String> KEYS = List.of("exposure", "token_budget", "descriptions");

  private static final List<String> MODES = List.of("auto", "all", "dynamic");
  private static final List<String> DESCRIPTIONS = List.of("compact", "full");
  /** Below this, even a handful of tools would go dynamic: a typo rather than a choice. */
  private static final int MINIMUM_BUDGET = 100;

  private ExposureReader() {}

  /** The backend's exposure, or {@code null} after reporting a problem. */
  static Exposure exposure(Map<String, Node> entries, String backend, String position, YamlNodes yaml) {
    Exposure fallback = Exposure.DEFAULT;
    String mode = yaml.choice(entries.get("exposure"), backend, position + ".exposure",
        lower(fallback.mode()), MODES);
    Integer budget = yaml.wholeNumber(entries.get("token_budget"), backend,
        position + ".token_budget", fallback.tokenBudget(), MINIMUM_BUDGET);
    String descriptions = yaml.choice(entries.get("descriptions"), backend,
        position + ".descriptions", lower(fallback.descriptions()), DESCRIPTIONS);
    if (mode == null || budget == null || descriptions == null) {
      return null;
    }
    return new Exposure(Exposure.Mode.valueOf(mode.toUpperCase(Locale.ROOT)), budget,
        Exposure.Descriptions.valueOf(descriptions.toUpperCase(Locale.ROOT)));
  }

  private static String lower(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT);
  }
}
