package dev.toriimcp.configuration.control;

import dev.toriimcp.configuration.entity.UpstreamAuth;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads {@code backends[].auth}: how the gateway obtains a user's credential for a backend. Each
 * type has its own key set; a key of another type is reported, never ignored.
 */
final class UpstreamAuthReader {

  static final List<String> AUTH_TYPES =
      List.of(UpstreamAuth.LoginBroker.TYPE, UpstreamAuth.OAuth2.TYPE);
  static final List<String> LOGIN_BROKER_KEYS = List.of("type", "login_url", "request",
      "username_field", "password_field", "token_pointer", "cookie", "expires_pointer", "apply");
  static final List<String> APPLY_KEYS = List.of("header", "prefix");
  static final List<String> OAUTH2_KEYS = List.of("type", "issuer", "authorization_endpoint",
      "token_endpoint", "jwks_uri", "client_id", "client_secret", "token_endpoint_auth", "scopes",
      "parameters", "apply", "user", "refresh_skew");
  static final List<String> USER_KEYS = List.of("claim", "userinfo_url", "pointer");
  static final List<String> TOKEN_ENDPOINT_AUTH =
      List.of("client_secret_basic", "client_secret_post", "none");
  /** Authorization request parameters the gateway sets itself; {@code parameters} cannot. */
  static final List<String> RESERVED_PARAMETERS = List.of("response_type", "client_id",
      "redirect_uri", "state", "scope", "code_challenge", "code_challenge_method", "nonce");

  private UpstreamAuthReader() {}

  static UpstreamAuth auth(Node node, String backend, String key, YamlNodes yaml) {
    if (node == null || YamlNodes.isNull(node)) {
      return null;
    }
    List<String> all = new ArrayList<>(LOGIN_BROKER_KEYS);
    OAUTH2_KEYS.stream().filter(k -> !all.contains(k)).forEach(all::add);
    Optional<Map<String, Node>> found = yaml.mapping(node, backend, key, all);
    if (found.isEmpty()) {
      return null;
    }
    Map<String, Node> entries = found.get();
    Optional<String> type = yaml.string(entries.get("type"), backend, key + ".type");
    if (type.isEmpty() || !AUTH_TYPES.contains(type.get())) {
      Node at = entries.getOrDefault("type", node);
      yaml.problem(at, backend, key + ".type", "required, one of: " + String.join(", ", AUTH_TYPES));
      return null;
    }
    List<String> allowed = type.get().equals(UpstreamAuth.LoginBroker.TYPE)
        ? LOGIN_BROKER_KEYS : OAUTH2_KEYS;
    for (Map.Entry<String, Node> entry : entries.entrySet()) {
      if (!allowed.contains(entry.getKey())) {
        yaml.problem(entry.getValue(), backend, key + "." + entry.getKey(), "not used with type "
            + type.get() + " (allowed: " + String.join(", ", allowed) + ")");
      }
    }
    if (type.get().equals(UpstreamAuth.OAuth2.TYPE)) {
      return OAuth2Reader.read(node, entries, backend, key, yaml);
    }
    Node urlNode = entries.get("login_url");
    if (urlNode == null) {
      yaml.problem(node, backend, key + ".login_url", "required for type " + type.get());
      return null;
    }
    Optional<URI> url = yaml.url(urlNode, backend, key + ".login_url");
    if (url.isEmpty()) {
      return null;
    }
    yaml.warnIfPlainHttp(url.get(), urlNode, backend, key + ".login_url",
        "users' passwords and the credentials the backend returns");
    return loginBroker(url.get(), entries, backend, key, yaml);
  }

  /** {@code apply}: the header and prefix; {@code null} (with a problem) when invalid. */
  static String[] apply(Node apply, String backend, String key, YamlNodes yaml) {
    Optional<Map<String, Node>> how = yaml.mapping(apply, backend, key + ".apply", APPLY_KEYS);
    if (how.isEmpty()) {
      return null;
    }
    String header = yaml.string(how.get().get("header"), backend, key + ".apply.header")
        .orElse("Authorization");
    String prefix = yaml.string(how.get().get("prefix"), backend, key + ".apply.prefix")
        .orElse(header.equalsIgnoreCase("Authorization") ? "Bearer " : "");
    return new String[] {header, prefix};
  }

  private static UpstreamAuth.LoginBroker loginBroker(URI loginUrl, Map<String, Node> entries,
      String backend, String key, YamlNodes yaml) {
    UpstreamAuth.LoginBroker d = new UpstreamAuth.LoginBroker(loginUrl);
    String request = yaml.string(entries.get("request"), backend, key + ".request").orElse("json");
    if (!request.equals("json") && !request.equals("form")) {
      yaml.problem(entries.get("request"), backend, key + ".request", "expected json or form");
      return null;
    }
    String tokenPointer = yaml.string(entries.get("token_pointer"), backend, key + ".token_pointer")
        .orElse(d.tokenPointer());
    String expiresPointer = entries.containsKey("expires_pointer")
        ? yaml.string(entries.get("expires_pointer"), backend, key + ".expires_pointer").orElse(null)
        : d.expiresPointer();
    for (String[] pointer : new String[][] {{"token_pointer", tokenPointer},
        {"expires_pointer", expiresPointer}}) {
      if (pointer[1] != null && !pointer[1].isEmpty() && !pointer[1].startsWith("/")) {
        yaml.problem(entries.get(pointer[0]), backend, key + "." + pointer[0],
            "expected a JSON Pointer such as /access_token");
        return null;
      }
    }
    String cookie = yaml.string(entries.get("cookie"), backend, key + ".cookie").orElse(null);
    String applyHeader = cookie == null ? d.applyHeader() : null;
    String applyPrefix = cookie == null ? d.applyPrefix() : "";
    Node apply = entries.get("apply");
    if (apply != null && !YamlNodes.isNull(apply)) {
      if (cookie != null) {
        yaml.problem(apply, backend, key + ".apply", "not used with 'cookie': a session cookie is"
            + " sent upstream as the same cookie");
        return null;
      }
      String[] how = apply(apply, backend, key, yaml);
      if (how == null) {
        return null;
      }
      applyHeader = how[0];
      applyPrefix = how[1];
    }
    return new UpstreamAuth.LoginBroker(loginUrl, request.equals("form"),
        yaml.string(entries.get("username_field"), backend, key + ".username_field")
            .orElse(d.usernameField()),
        yaml.string(entries.get("password_field"), backend, key + ".password_field")
            .orElse(d.passwordField()),
        tokenPointer, cookie, expiresPointer, applyHeader, applyPrefix);
  }
}
