package dev.toriimcp.configuration.control;

import dev.toriimcp.configuration.control.PlaceholderResolver.UnresolvedPlaceholderException;
import dev.toriimcp.configuration.entity.ConfigurationProblem;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Typed, position-aware access to a composed YAML tree. Every accessor records a {@link
 * ConfigurationProblem} with the line and key path instead of throwing, so that one pass reports
 * everything that is wrong.
 */
final class YamlNodes {

  private final String file;
  private final PlaceholderResolver placeholders;
  private final List<ConfigurationProblem> problems = new ArrayList<>();
  private final List<ConfigurationProblem> warnings = new ArrayList<>();

  YamlNodes(String file, PlaceholderResolver placeholders) {
    this.file = file;
    this.placeholders = placeholders;
  }

  List<ConfigurationProblem> problems() {
    return problems;
  }

  void problem(Node at, String backend, String key, String message) {
    problems.add(new ConfigurationProblem(file, line(at), backend, key, message));
  }

  /** Things that do not stop the start but that the operator must hear about (logged). */
  List<ConfigurationProblem> warnings() {
    return warnings;
  }

  void warning(Node at, String backend, String key, String message) {
    warnings.add(new ConfigurationProblem(file, line(at), backend, key, message));
  }

  /**
   * Warns about a plain {@code http} URL whose host is not loopback: whatever goes there crosses
   * the network unencrypted (OAuth 2.1 §1.5 requires TLS; RFC 8252 §8.3 makes loopback the one
   * exception). Loopback is {@code localhost}, {@code *.localhost} (RFC 6761 §6.3), 127.0.0.0/8
   * and {@code ::1}; nothing is resolved.
   */
  void warnIfPlainHttp(URI url, Node at, String backend, String key, String consequence) {
    if (url != null && "http".equalsIgnoreCase(url.getScheme()) && !loopback(url.getHost())) {
      warning(at, backend, key, "plain http to '" + url.getHost() + "', which is not a loopback"
          + " host: " + consequence + " cross the network unencrypted; use an https URL");
    }
  }

  static boolean loopback(String host) {
    if (host == null) {
      return false;
    }
    String name = host.toLowerCase(java.util.Locale.ROOT);
    if (name.startsWith("[") && name.endsWith("]")) {
      name = name.substring(1, name.length() - 1);
    }
    if (name.equals("localhost") || name.endsWith(".localhost")) {
      return true;
    }
    return dev.toriimcp.configuration.entity.Cidr.literal(name)
        .map(java.net.InetAddress::isLoopbackAddress).orElse(false);
  }

  static int line(Node node) {
    return node == null ? 0 : node.getStartMark().getLine() + 1;
  }

  /**
   * The entries of a mapping, keyed by name. Duplicate keys and keys outside {@code allowed} are
   * reported; the first occurrence wins.
   */
  Optional<Map<String, Node>> mapping(Node node, String backend, String key, List<String> allowed) {
    if (!(node instanceof MappingNode map)) {
      problem(node, backend, key, "expected a mapping (key: value), found " + kind(node));
      return Optional.empty();
    }
    Map<String, Node> entries = new LinkedHashMap<>();
    for (NodeTuple tuple : map.getValue()) {
      Node keyNode = tuple.getKeyNode();
      String path = key == null ? null : key;
      if (!(keyNode instanceof ScalarNode scalarKey)) {
        problem(keyNode, backend, path, "keys must be plain names, found " + kind(keyNode));
        continue;
      }
      String name = scalarKey.getValue();
      String child = path == null ? name : path + "." + name;
      if (!allowed.contains(name)) {
        problem(keyNode, backend, child, "unknown key" + suggestion(name, allowed));
      } else if (entries.containsKey(name)) {
        problem(
            keyNode,
            backend,
            child,
            "duplicate key (first given on line " + line(entries.get(name)) + ")");
      } else {
        entries.put(name, tuple.getValueNode());
      }
    }
    return Optional.of(entries);
  }

  /** A required or optional scalar with placeholders resolved; empty when absent or invalid. */
  Optional<String> string(Node node, String backend, String key) {
    if (node == null || isNull(node)) {
      return Optional.empty();
    }
    if (!(node instanceof ScalarNode scalar)) {
      problem(node, backend, key, "expected a single value, found " + kind(node));
      return Optional.empty();
    }
    try {
      return Optional.of(placeholders.resolve(scalar.getValue()).value());
    } catch (UnresolvedPlaceholderException e) {
      problem(node, backend, key, e.getMessage());
      return Optional.empty();
    }
  }

  /** An absolute http(s) URL; empty (with a problem) when absent-but-empty or invalid. */
  Optional<URI> url(Node node, String backend, String key) {
    Optional<String> value = string(node, backend, key);
    if (value.isEmpty()) {
      if (node != null && isNull(node)) {
        problem(node, backend, key, "must not be empty");
      }
      return Optional.empty();
    }
    String shown = raw(node);
    try {
      URI uri = new URI(value.get().trim());
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase();
      if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
        problem(node, backend, key, "expected an absolute http(s) URL, found '" + shown + "'");
        return Optional.empty();
      }
      return Optional.of(uri);
    } catch (URISyntaxException e) {
      problem(node, backend, key, "not a valid URL ('" + shown + "'): " + e.getReason());
      return Optional.empty();
    }
  }

  /**
   * A whole number of at least {@code minimum} ({@code _} allowed as a digit separator), or
   * {@code fallback} when absent; {@code null} (with a problem) when invalid.
   */
  Integer wholeNumber(Node node, String key, int fallback, int minimum) {
    return wholeNumber(node, null, key, fallback, minimum);
  }

  /** {@link #wholeNumber(Node, String, int, int)} inside a backend, whose name labels problems. */
  Integer wholeNumber(Node node, String backend, String key, int fallback, int minimum) {
    if (node == null || isNull(node)) {
      return fallback;
    }
    Optional<String> text = string(node, backend, key);
    if (text.isEmpty()) {
      return null;
    }
    try {
      int value = Integer.parseInt(text.get().trim().replace("_", ""));
      if (value >= minimum) {
        return value;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    problem(node, backend, key, "expected a whole number of at least " + minimum + ", found '"
        + raw(node) + "'");
    return null;
  }

  /**
   * One of {@code allowed} (case-insensitive, returned lower-case), or {@code fallback} when
   * absent; {@code null} (with a problem naming the allowed values) when anything else.
   */
  String choice(Node node, String backend, String key, String fallback, List<String> allowed) {
    if (node == null || isNull(node)) {
      return fallback;
    }
    Optional<String> text = string(node, backend, key);
    if (text.isEmpty()) {
      return null;
    }
    String value = text.get().trim().toLowerCase(java.util.Locale.ROOT);
    if (allowed.contains(value)) {
      return value;
    }
    problem(node, backend, key, "unknown value '" + raw(node) + "'" + suggestion(value, allowed));
    return null;
  }

  /** The raw text of a scalar as written in the file: safe to quote, it holds no resolved value. */
  static String raw(Node node) {
    return node instanceof ScalarNode scalar ? scalar.getValue() : "";
  }

  /** A list of scalars; an absent node is an empty list. */
  List<String> strings(Node node, String backend, String key) {
    if (node == null || isNull(node)) {
      return List.of();
    }
    if (!(node instanceof SequenceNode sequence)) {
      problem(node, backend, key, "expected a list, found " + kind(node));
      return List.of();
    }
    List<String> values = new ArrayList<>();
    List<Node> items = sequence.getValue();
    for (int i = 0; i < items.size(); i++) {
      string(items.get(i), backend, key + "[" + i + "]").ifPresent(values::add);
    }
    return values;
  }

  Optional<List<Node>> sequence(Node node, String backend, String key) {
    if (!(node instanceof SequenceNode sequence)) {
      problem(node, backend, key, "expected a list, found " + kind(node));
      return Optional.empty();
    }
    return Optional.of(sequence.getValue());
  }

  static boolean isNull(Node node) {
    return node instanceof ScalarNode scalar
        && scalar.getTag().getValue().endsWith(":null")
        && (scalar.getValue().isEmpty() || scalar.getValue().equals("~")
            || scalar.getValue().equalsIgnoreCase("null"));
  }

  static String kind(Node node) {
    if (node == null || isNull(node)) {
      return "nothing";
    }
    if (node instanceof MappingNode) {
      return "a mapping";
    }
    if (node instanceof SequenceNode) {
      return "a list";
    }
    return "a single value";
  }

  private static String suggestion(String name, List<String> allowed) {
    String closest = null;
    int best = 3;
    for (String candidate : allowed) {
      int distance = distance(name.toLowerCase(), candidate);
      if (distance < best) {
        best = distance;
        closest = candidate;
      }
    }
    String expected = " (allowed here: " + String.join(", ", allowed) + ")";
    return closest == null ? expected : "; did you mean '" + closest + "'?" + expected;
  }

  /** Levenshtein distance, for "did you mean" hints on misspelt keys. */
  private static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
