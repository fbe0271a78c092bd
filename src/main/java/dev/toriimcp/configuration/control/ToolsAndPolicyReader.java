package dev.toriimcp.configuration.control;

import dev.toriimcp.configuration.entity.Policy;
import dev.toriimcp.configuration.entity.ToolOverride;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads a backend's {@code policy} (which operations become tools) and {@code tools} (per-operation
 * overrides of name, description and output schema).
 */
final class ToolsAndPolicyReader {

  static final List<String> TOOL_KEYS = List.of("name", "description", "output_schema");
  private static final java.util.regex.Pattern TOOL_NAME =
      java.util.regex.Pattern.compile("^[A-Za-z0-9_-]{1,64}$");
  static final List<String> POLICY_KEYS = List.of("allow", "deny", "tags");
  static final List<String> TAG_KEYS = List.of("include", "exclude");

  private ToolsAndPolicyReader() {}

  /** {@code tools}: per-operation overrides keyed by operationId or "METHOD /path". */
  static Map<String, ToolOverride> tools(Node node, String backend, String key, YamlNodes yaml) {
    Map<String, ToolOverride> overrides = new java.util.LinkedHashMap<>();
    if (node == null || YamlNodes.isNull(node)) {
      return overrides;
    }
    if (!(node instanceof org.yaml.snakeyaml.nodes.MappingNode map)) {
      yaml.problem(node, backend, key, "expected a mapping from operationId or \"METHOD /path\""
          + " to {name, description}, found " + YamlNodes.kind(node));
      return null;
    }
    boolean valid = true;
    java.util.Set<String> names = new java.util.HashSet<>();
    for (org.yaml.snakeyaml.nodes.NodeTuple tuple : map.getValue()) {
      String operation = YamlNodes.raw(tuple.getKeyNode());
      String entryKey = key + "." + operation;
      Optional<Map<String, Node>> entries =
          yaml.mapping(tuple.getValueNode(), backend, entryKey, TOOL_KEYS);
      if (entries.isEmpty()) {
        valid = false;
        continue;
      }
      String name = yaml.string(entries.get().get("name"), backend, entryKey + ".name").orElse(null);
      if (name != null && !TOOL_NAME.matcher(name).matches()) {
        yaml.problem(entries.get().get("name"), backend, entryKey + ".name", "tool names must match"
            + " ^[A-Za-z0-9_-]{1,64}$, found '" + YamlNodes.raw(entries.get().get("name")) + "'");
        valid = false;
      } else if (name != null && !names.add(name)) {
        yaml.problem(entries.get().get("name"), backend, entryKey + ".name",
            "tool name '" + name + "' is given to two operations");
        valid = false;
      }
      String description = yaml.string(entries.get().get("description"), backend,
          entryKey + ".description").orElse(null);
      Node outputNode = entries.get().get("output_schema");
      String output = yaml.string(outputNode, backend, entryKey + ".output_schema").orElse("false");
      if (!output.equals("true") && !output.equals("false")) {
        yaml.problem(outputNode, backend, entryKey + ".output_schema", "expected true or false");
        valid = false;
      }
      overrides.put(operation, new ToolOverride(name, description, output.equals("true")));
    }
    return valid ? overrides : null;
  }

  static Policy policy(Node node, String backend, String key, YamlNodes yaml) {
    if (node == null || YamlNodes.isNull(node)) {
      return Policy.ALLOW_ALL;
    }
    Optional<Map<String, Node>> found = yaml.mapping(node, backend, key, POLICY_KEYS);
    if (found.isEmpty()) {
      return null;
    }
    Map<String, Node> entries = found.get();
    List<String> allow = rules(entries.get("allow"), backend, key + ".allow", yaml);
    List<String> deny = rules(entries.get("deny"), backend, key + ".deny", yaml);
    List<String> include = List.of();
    List<String> exclude = List.of();
    Node tags = entries.get("tags");
    if (tags != null && !YamlNodes.isNull(tags)) {
      Optional<Map<String, Node>> tagEntries = yaml.mapping(tags, backend, key + ".tags", TAG_KEYS);
      if (tagEntries.isPresent()) {
        include = yaml.strings(tagEntries.get().get("include"), backend, key + ".tags.include");
        exclude = yaml.strings(tagEntries.get().get("exclude"), backend, key + ".tags.exclude");
      }
    }
    return new Policy(allow, deny, include, exclude);
  }

  /** Policy rules are {@code "METHOD /path-glob"}; METHOD may be {@code *}. */
  private static List<String> rules(Node node, String backend, String key, YamlNodes yaml) {
    List<String> rules = yaml.strings(node, backend, key);
    List<String> valid = new ArrayList<>();
    for (int i = 0; i < rules.size(); i++) {
      String rule = rules.get(i).trim();
      if (!rule.matches("(?i)(\\*|GET|PUT|POST|DELETE|OPTIONS|HEAD|PATCH|TRACE|QUERY) +[/*].*")) {
        yaml.problem(node, backend, key + "[" + i + "]", "expected \"METHOD /path-glob\" such as"
            + " \"GET /pets*\" or \"* /admin/**\", found '" + rule + "'");
      } else {
        valid.add(rule);
      }
    }
    return valid;
  }
}
