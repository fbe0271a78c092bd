package dev.toriimcp.configuration.control;

import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Resolves {@code ${...}} placeholders inside one YAML scalar.
 *
 * <ul>
 *   <li>{@code ${NAME}}: the environment variable {@code NAME}, else the system property;
 *   <li>{@code ${NAME:-fallback}}: the same, with a literal fallback when neither is set;
 *   <li>{@code ${jndi:NAME}}: a JNDI lookup, for secrets an administrator defines in the
 *       server (for example a String custom resource in the Payara admin console);
 *   <li><code>$${</code> is a literal <code>${</code>.
 * </ul>
 *
 * <p>Substitution happens after YAML parsing, on scalars only, so a value can never change the
 * structure of the file whatever characters it contains. Resolved values are treated as secrets:
 * an unresolved placeholder is reported by its name, never by any value.
 */
public final class PlaceholderResolver {

  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\$\\{|\\$\\{([^}]*)}");
  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.\\-/:]*");
  private static final String JNDI_PREFIX = "jndi:";
  private static final String FALLBACK_SEPARATOR = ":-";

  private final Function<String, String> environment;
  private final Function<String, String> systemProperties;
  private final Function<String, Optional<String>> jndi;

  public PlaceholderResolver(
      Function<String, String> environment,
      Function<String, String> systemProperties,
      Function<String, Optional<String>> jndi) {
    this.environment = environment;
    this.systemProperties = systemProperties;
    this.jndi = jndi;
  }

  /** The resolver for a running server: real environment, system properties and JNDI. */
  public static PlaceholderResolver forRuntime() {
    return new PlaceholderResolver(System::getenv, System::getProperty, JndiLookup::string);
  }

  /** Outcome of resolving one scalar. */
  public record Resolved(String value, boolean substituted) {}

  /** Thrown when a placeholder is malformed or names something that is not defined. */
  public static final class UnresolvedPlaceholderException extends Exception {
    private static final long serialVersionUID = 1L;

    UnresolvedPlaceholderException(String message) {
      super(message);
    }
  }

  public Resolved resolve(String raw) throws UnresolvedPlaceholderException {
    if (raw.indexOf('$') < 0) {
      return new Resolved(raw, false);
    }
    Matcher matcher = PLACEHOLDER.matcher(raw);
    StringBuilder out = new StringBuilder(raw.length());
    boolean substituted = false;
    while (matcher.find()) {
      String replacement;
      if (matcher.group(1) == null) {
        replacement = "${";
      } else {
        replacement = lookup(matcher.group(1).trim());
        substituted = true;
      }
      matcher.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    matcher.appendTail(out);
    return new Resolved(out.toString(), substituted);
  }

  private String lookup(String expression) throws UnresolvedPlaceholderException {
    if (expression.startsWith(JNDI_PREFIX)) {
      String name = expression.substring(JNDI_PREFIX.length()).trim();
      requireName(name, expression);
      return jndi.apply(name)
          .orElseThrow(
              () ->
                  new UnresolvedPlaceholderException(
                      "unresolved placeholder ${" + expression + "}: no JNDI entry '" + name
                          + "' (define it in the server, e.g. as a String custom resource)"));
    }
    String name = expression;
    String fallback = null;
    int separator = expression.indexOf(FALLBACK_SEPARATOR);
    if (separator >= 0) {
      name = expression.substring(0, separator).trim();
      fallback = expression.substring(separator + FALLBACK_SEPARATOR.length());
    }
    requireName(name, expression);
    String value = environment.apply(name);
    if (value == null) {
      value = systemProperties.apply(name);
    }
    if (value != null) {
      return value;
    }
    if (fallback != null) {
      return fallback;
    }
    throw new UnresolvedPlaceholderException(
        "unresolved placeholder ${" + name + "}: set the environment variable or system property "
            + name + ", or give a fallback as ${" + name + ":-value}");
  }

  private static void requireName(String name, String expression)
      throws UnresolvedPlaceholderException {
    if (!NAME.matcher(name).matches()) {
      throw new UnresolvedPlaceholderException(
          "malformed placeholder ${" + expression + "}: expected ${NAME}, ${NAME:-fallback} or"
              + " ${jndi:NAME}");
    }
  }
}
