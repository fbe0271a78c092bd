package dev.toriimcp.configuration.control;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
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
 *   <li>{@code ${file:/ABSOLUTE/PATH}}: the content of a file, its trailing line breaks removed,
 *       so that a secret never has to sit in the environment;
 *   <li>{@code ${credential:NAME}}: the file {@code NAME} of {@code $CREDENTIALS_DIRECTORY},
 *       where systemd puts what a unit's {@code LoadCredential=NAME:...} names (systemd.exec(5),
 *       "Credentials"): readable only by the service, and gone when it stops;
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
  private static final String FILE_PREFIX = "file:";
  private static final String CREDENTIAL_PREFIX = "credential:";
  /** systemd's rule for credential names: a file name, no directory. */
  private static final Pattern CREDENTIAL = Pattern.compile("[A-Za-z0-9_@:.\\-]+");
  static final String CREDENTIALS_DIRECTORY = "CREDENTIALS_DIRECTORY";
  /** A secret is a key or a password: anything larger is a wrong path, not a secret. */
  static final int MAX_SECRET_BYTES = 64 * 1024;
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
    if (expression.startsWith(FILE_PREFIX)) {
      return fromFile(expression, expression.substring(FILE_PREFIX.length()).trim());
    }
    if (expression.startsWith(CREDENTIAL_PREFIX)) {
      return fromCredential(expression, expression.substring(CREDENTIAL_PREFIX.length()).trim());
    }
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

  private String fromCredential(String expression, String name)
      throws UnresolvedPlaceholderException {
    if (!CREDENTIAL.matcher(name).matches() || name.equals(".") || name.equals("..")) {
      throw new UnresolvedPlaceholderException("malformed placeholder ${" + expression
          + "}: expected ${credential:NAME}, NAME a file name (letters, digits, '_', '-', '.',"
          + " '@', ':') as in LoadCredential=NAME:PATH");
    }
    String directory = environment.apply(CREDENTIALS_DIRECTORY);
    if (directory == null || directory.isBlank()) {
      throw new UnresolvedPlaceholderException("unresolved placeholder ${" + expression
          + "}: the environment variable " + CREDENTIALS_DIRECTORY + " is not set; systemd sets"
          + " it for a unit with LoadCredential=" + name + ":/path/to/secret (run as that"
          + " service, or set " + CREDENTIALS_DIRECTORY + " to a directory holding '" + name + "')");
    }
    return readSecret(expression, Path.of(directory.trim()).resolve(name));
  }

  private static String fromFile(String expression, String path)
      throws UnresolvedPlaceholderException {
    Path file;
    try {
      file = Path.of(path);
    } catch (InvalidPathException e) {
      file = null;
    }
    if (path.isEmpty() || file == null || !file.isAbsolute()) {
      throw new UnresolvedPlaceholderException("malformed placeholder ${" + expression
          + "}: expected ${file:/absolute/path/to/secret}");
    }
    return readSecret(expression, file);
  }

  /**
   * Reads a secret file as UTF-8 and drops its trailing line breaks (what {@code echo} and
   * editors add). The messages name the placeholder and the path, never any content.
   */
  private static String readSecret(String expression, Path file)
      throws UnresolvedPlaceholderException {
    String problem = "unresolved placeholder ${" + expression + "}: ";
    if (Files.isDirectory(file)) {
      throw new UnresolvedPlaceholderException(problem + "'" + file + "' is not readable: it is"
          + " a directory, not a file");
    }
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file)) {
      bytes = in.readNBytes(MAX_SECRET_BYTES + 1);
    } catch (NoSuchFileException e) {
      throw new UnresolvedPlaceholderException(problem + "file not found: '" + file + "'");
    } catch (AccessDeniedException e) {
      throw new UnresolvedPlaceholderException(problem + "'" + file + "' is not readable by this"
          + " process (permission denied)");
    } catch (IOException e) {
      throw new UnresolvedPlaceholderException(problem + "'" + file + "' is not readable: "
          + e.getClass().getSimpleName());
    }
    if (bytes.length > MAX_SECRET_BYTES) {
      throw new UnresolvedPlaceholderException(problem + "'" + file + "' is larger than "
          + MAX_SECRET_BYTES + " bytes, too large for a secret");
    }
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw new UnresolvedPlaceholderException(problem + "'" + file + "' is not UTF-8 text");
    }
    int end = text.length();
    while (end > 0 && (text.charAt(end - 1) == '\n' || text.charAt(end - 1) == '\r')) {
      end--;
    }
    if (end == 0) {
      throw new UnresolvedPlaceholderException(problem + "'" + file + "' is empty");
    }
    return text.substring(0, end);
  }

  private static void requireName(String name, String expression)
      throws UnresolvedPlaceholderException {
    if (!NAME.matcher(name).matches()) {
      throw new UnresolvedPlaceholderException(
          "malformed placeholder ${" + expression + "}: expected ${NAME}, ${NAME:-fallback},"
              + " ${jndi:NAME}, ${file:/path} or ${credential:NAME}");
    }
  }
}
