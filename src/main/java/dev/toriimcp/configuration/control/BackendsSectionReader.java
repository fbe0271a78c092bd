package dev.toriimcp.configuration.control;

import dev.toriimcp.configuration.entity.BackendDefinition;
import dev.toriimcp.configuration.entity.Exposure;
import dev.toriimcp.configuration.entity.Policy;
import dev.toriimcp.configuration.entity.ToolOverride;
import dev.toriimcp.configuration.entity.UpstreamAuth;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads {@code backends}: one entry per MCP endpoint, with unique names. Problems inside an entry
 * are labelled with the backend's name; policy, tools and auth have readers of their own.
 */
final class BackendsSectionReader {

  static final List<String> BACKEND_KEYS = keys();

  private BackendsSectionReader() {}

  private static List<String> keys() {
    List<String> keys = new ArrayList<>(
        List.of("name", "spec_url", "spec_refresh", "base_url", "policy", "auth", "tools"));
    keys.addAll(ExposureReader.KEYS);
    return List.copyOf(keys);
  }

  static List<BackendDefinition> backends(Path file, Node node, Node root, YamlNodes yaml) {
    if (node == null) {
      yaml.problem(root, null, "backends", "required: a list of backends, each with at least a"
          + " name and a spec_url");
      return List.of();
    }
    Optional<List<Node>> items = yaml.sequence(node, null, "backends");
    if (items.isEmpty()) {
      return List.of();
    }
    if (items.get().isEmpty()) {
      yaml.problem(node, null, "backends", "at least one backend is required");
    }
    List<BackendDefinition> backends = new ArrayList<>();
    Map<String, Node> seen = new HashMap<>();
    for (int i = 0; i < items.get().size(); i++) {
      Node item = items.get().get(i);
      backend(file, item, i, seen, yaml).ifPresent(backends::add);
    }
    return backends;
  }

  private static Optional<BackendDefinition> backend(
      Path file, Node node, int index, Map<String, Node> seen, YamlNodes yaml) {
    String position = "backends[" + index + "]";
    // Name problems inside this entry after the backend, even those found before its name.
    Optional<Map<String, Node>> found =
        yaml.mapping(node, peekName(node), position, BACKEND_KEYS);
    if (found.isEmpty()) {
      return Optional.empty();
    }
    Map<String, Node> entries = found.get();
    Node nameNode = entries.get("name");
    String name = null;
    if (nameNode == null) {
      yaml.problem(node, null, position + ".name", "required: the backend's name, which becomes"
          + " its endpoint /mcp/<name>");
    } else {
      name = yaml.string(nameNode, null, position + ".name").orElse(null);
      if (name != null && !BackendDefinition.NAME.matcher(name).matches()) {
        yaml.problem(nameNode, null, position + ".name", "invalid backend name '"
            + YamlNodes.raw(nameNode) + "': use 1 to 63 lower-case letters, digits and '-',"
            + " starting with a letter or digit");
        name = null;
      } else if (name != null && seen.containsKey(name)) {
        yaml.problem(nameNode, name, position + ".name", "duplicate backend name (first defined"
            + " on line " + YamlNodes.line(seen.get(name)) + ")");
        name = null;
      } else if (name != null) {
        seen.put(name, nameNode);
      }
    }
    String label = name != null ? name : peekName(node);
    URI spec = specLocation(file, entries.get("spec_url"), node, label, position, yaml);
    URI baseUrl = entries.get("base_url") == null ? null
        : yaml.url(entries.get("base_url"), label, position + ".base_url").orElse(null);
    yaml.warnIfPlainHttp(baseUrl, entries.get("base_url"), label, position + ".base_url",
        "tool calls with each user's upstream credential");
    Policy policy = ToolsAndPolicyReader.policy(entries.get("policy"), label, position + ".policy", yaml);
    UpstreamAuth auth = UpstreamAuthReader.auth(entries.get("auth"), label, position + ".auth", yaml);
    Map<String, ToolOverride> tools = ToolsAndPolicyReader.tools(entries.get("tools"), label, position + ".tools", yaml);
    Exposure exposure = ExposureReader.exposure(entries, label, position, yaml);
    Integer refresh = yaml.wholeNumber(entries.get("spec_refresh"), label,
        position + ".spec_refresh", (int) BackendDefinition.DEFAULT_SPEC_REFRESH.toSeconds(), 0);
    if (name == null || spec == null || policy == null || tools == null || exposure == null
        || refresh == null) {
      return Optional.empty();
    }
    return Optional.of(new BackendDefinition(name, spec, baseUrl, policy, auth, tools, exposure,
        Duration.ofSeconds(refresh)));
  }

  /** The raw {@code name} of a backend entry, used only to label problems found around it. */
  private static String peekName(Node node) {
    if (node instanceof org.yaml.snakeyaml.nodes.MappingNode map) {
      for (org.yaml.snakeyaml.nodes.NodeTuple tuple : map.getValue()) {
        if ("name".equals(YamlNodes.raw(tuple.getKeyNode()))) {
          String raw = YamlNodes.raw(tuple.getValueNode());
          return BackendDefinition.NAME.matcher(raw).matches() ? raw : null;
        }
      }
    }
    return null;
  }

  private static URI specLocation(
      Path file, Node node, Node parent, String backend, String position, YamlNodes yaml) {
    String key = position + ".spec_url";
    if (node == null) {
      yaml.problem(parent, backend, key, "required: the OpenAPI/Swagger document, as a file path"
          + " (relative to this file) or an http(s) URL");
      return null;
    }
    Optional<String> value = yaml.string(node, backend, key);
    if (value.isEmpty()) {
      if (YamlNodes.isNull(node)) {
        yaml.problem(node, backend, key, "must not be empty");
      }
      return null;
    }
    String text = value.get().trim();
    String lower = text.toLowerCase();
    if (lower.startsWith("http://") || lower.startsWith("https://")) {
      return yaml.url(node, backend, key).orElse(null);
    }
    if (lower.startsWith("file:")) {
      try {
        return new URI(text);
      } catch (URISyntaxException e) {
        yaml.problem(node, backend, key, "not a valid file URI: " + e.getReason());
        return null;
      }
    }
    try {
      Path base = file.toAbsolutePath().getParent();
      return base.resolve(text).normalize().toUri();
    } catch (RuntimeException e) {
      yaml.problem(node, backend, key, "not a valid file path");
      return null;
    }
  }
}
