package dev.toriimcp.configuration.control;

import dev.toriimcp.configuration.entity.SealingSettings;
import dev.toriimcp.sealing.entity.SealingKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads {@code sealing}: the keys that seal users' upstream credentials (ADR 0006). Part of the one
 * pass of {@link ConfigurationReader}: every problem goes to the shared {@link YamlNodes}.
 */
final class SealingSectionReader {

  static final List<String> SEALING_KEYS = List.of("keys", "current");
  static final List<String> SEALING_KEY_KEYS = List.of("id", "secret");
  /** The fallback key of {@code examples/mcp-proxy.yaml}: public, so it protects nothing. */
  private static final byte[] DEMO_KEY =
      Base64.getDecoder().decode("B9/G8MkV7EZQFl46xyCvv/eV7jgDmrWJsToJIyXA3Cs=");

  private SealingSectionReader() {}

  /**
   * {@code sealing}: required as soon as a backend has a user login, because the gateway then
   * stores sealed upstream credentials and never makes up a key of its own (ADR 0006). Key
   * values are never quoted in a message.
   */
  static SealingSettings sealing(
      Node node, Node root, boolean needed, boolean demo, YamlNodes yaml) {
    if (node == null || YamlNodes.isNull(node)) {
      if (needed) {
        yaml.problem(root, null, "sealing", "required because a backend has 'auth': give at least"
            + " one key, e.g. sealing: {keys: [{id: k1, secret: ${TORII_SEALING_KEY}}]} with a"
            + " value from 'openssl rand -base64 32'");
      }
      return null;
    }
    Optional<Map<String, Node>> found = yaml.mapping(node, null, "sealing", SEALING_KEYS);
    if (found.isEmpty()) {
      return null;
    }
    Node keysNode = found.get().get("keys");
    if (keysNode == null) {
      yaml.problem(node, null, "sealing.keys", "required: a list of {id, secret}");
      return null;
    }
    Optional<List<Node>> items = yaml.sequence(keysNode, null, "sealing.keys");
    if (items.isEmpty()) {
      return null;
    }
    if (items.get().isEmpty()) {
      yaml.problem(keysNode, null, "sealing.keys", "at least one key is required");
      return null;
    }
    List<SealingKey> keys = new ArrayList<>();
    java.util.Set<String> ids = new java.util.HashSet<>();
    boolean valid = true;
    for (int i = 0; i < items.get().size(); i++) {
      String key = "sealing.keys[" + i + "]";
      Optional<Map<String, Node>> entry = yaml.mapping(items.get().get(i), null, key, SEALING_KEY_KEYS);
      if (entry.isEmpty()) {
        valid = false;
        continue;
      }
      Node idNode = entry.get().get("id");
      String id = yaml.string(idNode, null, key + ".id").orElse(null);
      if (id == null || !SealingKey.ID.matcher(id).matches()) {
        yaml.problem(idNode == null ? items.get().get(i) : idNode, null, key + ".id",
            "required: 1 to 32 letters, digits, '_', '.' or '-'");
        valid = false;
      } else if (!ids.add(id)) {
        yaml.problem(idNode, null, key + ".id", "duplicate key id '" + id + "'");
        valid = false;
      }
      Node secretNode = entry.get().get("secret");
      Optional<String> secret = yaml.string(secretNode, null, key + ".secret");
      byte[] bytes = secret.map(SealingSectionReader::base64).orElse(null);
      if (bytes == null || bytes.length != SealingKey.LENGTH) {
        if (secret.isPresent() || secretNode == null || YamlNodes.isNull(secretNode)) {
          yaml.problem(secretNode == null ? items.get().get(i) : secretNode, null, key + ".secret",
              "must be 32 random bytes, base64-encoded (e.g. 'openssl rand -base64 32'); the value"
                  + " given is not (it is not shown)");
        }
        valid = false;
      } else if (!demo && Arrays.equals(bytes, DEMO_KEY)) {
        yaml.problem(secretNode, null, key + ".secret", "this is the demo key published with"
            + " torii-mcp (examples/mcp-proxy.yaml): anyone can open what it seals. Give a key of"
            + " your own, e.g. set TORII_SEALING_KEY to the output of 'openssl rand -base64 32'"
            + " (only the run command's demo, -D" + ConfigurationReader.DEMO_PROPERTY + "=true,"
            + " accepts this one)");
        valid = false;
      } else if (valid) {
        keys.add(new SealingKey(id, bytes));
      }
    }
    String current = yaml.string(found.get().get("current"), null, "sealing.current").orElse(null);
    if (valid && current != null && !ids.contains(current)) {
      yaml.problem(found.get().get("current"), null, "sealing.current",
          "names no key of sealing.keys");
      valid = false;
    }
    return valid ? new SealingSettings(keys, current) : null;
  }

  private static byte[] base64(String text) {
    String trimmed = text.trim();
    try {
      return java.util.Base64.getDecoder().decode(trimmed);
    } catch (IllegalArgumentException notStandard) {
      try {
        return java.util.Base64.getUrlDecoder().decode(trimmed);
      } catch (IllegalArgumentException notUrlSafe) {
        return null;
      }
    }
  }
}
