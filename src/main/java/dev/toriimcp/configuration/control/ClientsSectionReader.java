package dev.toriimcp.configuration.control;

import dev.toriimcp.configuration.entity.ConfiguredClient;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads {@code clients}: OAuth clients pre-registered by the operator (RFC 6749 §2). Redirect URIs
 * are checked by the OAuth component's own rules so that configured and registered clients obey
 * the same ones.
 */
final class ClientsSectionReader {

  static final List<String> CLIENT_KEYS =
      List.of("client_id", "client_name", "redirect_uris", "secret", "auth_method", "refresh");
  private static final java.util.regex.Pattern CLIENT_ID =
      java.util.regex.Pattern.compile("^[A-Za-z0-9._~-]{1,128}$");

  private ClientsSectionReader() {}

  /** {@code clients}: OAuth clients pre-registered by the operator. */
  static List<ConfiguredClient> clients(Node node, YamlNodes yaml) {
    List<ConfiguredClient> clients = new ArrayList<>();
    if (node == null || YamlNodes.isNull(node)) {
      return clients;
    }
    Optional<List<Node>> items = yaml.sequence(node, null, "clients");
    if (items.isEmpty()) {
      return clients;
    }
    java.util.Set<String> ids = new java.util.HashSet<>();
    for (int i = 0; i < items.get().size(); i++) {
      String key = "clients[" + i + "]";
      Optional<Map<String, Node>> found = yaml.mapping(items.get().get(i), null, key, CLIENT_KEYS);
      if (found.isEmpty()) {
        continue;
      }
      Map<String, Node> e = found.get();
      String id = yaml.string(e.get("client_id"), null, key + ".client_id").orElse(null);
      if (id == null || !CLIENT_ID.matcher(id).matches() || id.startsWith("torii-")) {
        yaml.problem(e.getOrDefault("client_id", items.get().get(i)), null, key + ".client_id",
            "required: 1 to 128 of A-Z a-z 0-9 . _ ~ -, not starting with 'torii-' (reserved for"
                + " dynamic registration)");
        continue;
      }
      if (!ids.add(id)) {
        yaml.problem(e.get("client_id"), null, key + ".client_id", "duplicate client_id");
        continue;
      }
      List<String> uris = yaml.strings(e.get("redirect_uris"), null, key + ".redirect_uris");
      if (uris.isEmpty()) {
        yaml.problem(e.getOrDefault("redirect_uris", items.get().get(i)), null,
            key + ".redirect_uris", "at least one redirect URI is required");
        continue;
      }
      boolean valid = true;
      for (int j = 0; j < uris.size(); j++) {
        String refusal = dev.toriimcp.oauth.entity.RedirectUris.refusal(uris.get(j));
        if (refusal != null) {
          yaml.problem(e.get("redirect_uris"), null, key + ".redirect_uris[" + j + "]", refusal);
          valid = false;
        }
      }
      String secret = yaml.string(e.get("secret"), null, key + ".secret").orElse(null);
      String method = yaml.string(e.get("auth_method"), null, key + ".auth_method")
          .orElse(secret == null ? "none" : "client_secret_basic");
      if (!List.of("none", "client_secret_basic", "client_secret_post").contains(method)
          || (secret == null) != method.equals("none")) {
        yaml.problem(e.getOrDefault("auth_method", items.get().get(i)), null, key + ".auth_method",
            "none without a secret, or client_secret_basic / client_secret_post with one");
        continue;
      }
      if (secret != null && secret.length() < 16) {
        yaml.problem(e.get("secret"), null, key + ".secret", "at least 16 characters (not shown)");
        continue;
      }
      String refresh = yaml.string(e.get("refresh"), null, key + ".refresh").orElse("true");
      if (valid) {
        clients.add(new ConfiguredClient(id, yaml.string(e.get("client_name"), null,
            key + ".client_name").orElse(id), uris, secret, method, !refresh.equals("false")));
      }
    }
    return clients;
  }
}
