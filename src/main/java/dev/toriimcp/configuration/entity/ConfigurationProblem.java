package dev.toriimcp.configuration.entity;

/**
 * One thing wrong with {@code mcp-proxy.yaml}, located precisely enough that an operator can fix
 * it without guessing: the file, the line, the backend (when inside one) and the key path.
 *
 * <p>The message never contains a resolved {@code ${...}} value: those may be secrets. Readers
 * quote the raw YAML text (the placeholder itself) instead.
 *
 * @param file the configuration file, as the operator named it
 * @param line 1-based line, or 0 when the problem concerns the whole file
 * @param backend backend name, or {@code null} outside a backend entry
 * @param key dotted key path such as {@code backends[1].spec_url}, or {@code null}
 * @param message what is wrong and, where possible, what is expected
 */
public record ConfigurationProblem(String file, int line, String backend, String key, String message) {

  /** Renders {@code file:line: backend 'x': key 'k': message}, omitting absent parts. */
  @Override
  public String toString() {
    StringBuilder text = new StringBuilder(file);
    if (line > 0) {
      text.append(':').append(line);
    }
    text.append(": ");
    if (backend != null) {
      text.append("backend '").append(backend).append("': ");
    }
    if (key != null) {
      text.append("key '").append(key).append("': ");
    }
    return text.append(message).toString();
  }
}
