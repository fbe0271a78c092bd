package dev.toriimcp.configuration.control;

import dev.toriimcp.configuration.entity.UpstreamAuth;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * Reads {@code backends[].auth} of {@code type: oauth2}: the backend's identity provider, the
 * gateway's client registration there, and how the user is named. Every inconsistency is a
 * start-up problem with its line; nothing is fetched here (discovery runs at start, ADR 0020).
 */
final class OAuth2Reader {

  private OAuth2Reader() {}

  static UpstreamAuth.OAuth2 read(Node node, Map<String, Node> entries, String backend,
      String key, YamlNodes yaml) {
    int before = yaml.problems().size();
    URI issuer = optionalUrl(entries, "issuer", backend, key, yaml);
    URI authorization = optionalUrl(entries, "authorization_endpoint", backend, key, yaml);
    URI token = optionalUrl(entries, "token_endpoint", backend, key, yaml);
    URI jwks = optionalUrl(entries, "jwks_uri", backend, key, yaml);
    if ((authorization == null) != (token == null) && yaml.problems().size() == before) {
      String missing = authorization == null ? "authorization_endpoint" : "token_endpoint";
      yaml.problem(node, backend, key + "." + missing, "required with "
          + (authorization == null ? "token_endpoint" : "authorization_endpoint")
          + ": give both endpoints, or only issuer to discover them");
    }
    if (issuer == null && authorization == null && token == null
        && yaml.problems().size() == before) {
      yaml.problem(node, backend, key + ".issuer", "required for type oauth2 (or both"
          + " authorization_endpoint and token_endpoint, for a provider without metadata)");
    }
    String clientId = yaml.string(entries.get("client_id"), backend, key + ".client_id")
        .orElse(null);
    if (clientId == null && !entries.containsKey("client_id")) {
      yaml.problem(node, backend, key + ".client_id", "required for type oauth2: the client id"
          + " registered for the gateway at the identity provider");
    } else if (clientId != null && clientId.isBlank()) {
      yaml.problem(entries.get("client_id"), backend, key + ".client_id", "must not be empty");
    }
    String secret = yaml.string(entries.get("client_secret"), backend, key + ".client_secret")
        .orElse(null);
    if (secret != null && secret.isEmpty()) {
      yaml.problem(entries.get("client_secret"), backend, key + ".client_secret",
          "must not be empty (leave the key out for a public client)");
    }
    String method = yaml.string(entries.get("token_endpoint_auth"), backend,
        key + ".token_endpoint_auth").orElse(secret == null ? "none" : "client_secret_basic");
    if (!UpstreamAuthReader.TOKEN_ENDPOINT_AUTH.contains(method)) {
      yaml.problem(entries.get("token_endpoint_auth"), backend, key + ".token_endpoint_auth",
          "one of: " + String.join(", ", UpstreamAuthReader.TOKEN_ENDPOINT_AUTH));
    } else if ((secret == null) != method.equals("none")) {
      yaml.problem(entries.getOrDefault("token_endpoint_auth", node), backend,
          key + ".token_endpoint_auth", secret == null
              ? method + " needs client_secret" : "none is for a public client without client_secret");
    }
    List<String> scopes = scopes(entries.get("scopes"), backend, key, yaml);
    Map<String, String> parameters = parameters(entries.get("parameters"), backend, key, yaml);
    String applyHeader = "Authorization";
    String applyPrefix = "Bearer ";
    Node apply = entries.get("apply");
    if (apply != null && !YamlNodes.isNull(apply)) {
      String[] how = UpstreamAuthReader.apply(apply, backend, key, yaml);
      if (how != null) {
        applyHeader = how[0];
        applyPrefix = how[1];
      }
    }
    boolean openId = scopes.contains("openid");
    UpstreamAuth.UserNaming user = user(node, entries.get("user"), openId, backend, key, yaml);
    if (openId && issuer == null && yaml.problems().size() == before) {
      yaml.problem(node, backend, key + ".issuer", "required with the openid scope: the ID"
          + " token's issuer is checked against it");
    }
    if (openId && issuer != null && authorization != null && jwks == null
        && yaml.problems().size() == before) {
      yaml.problem(node, backend, key + ".jwks_uri", "required with the openid scope when the"
          + " endpoints are given explicitly: the ID token's signature is checked with these keys");
    }
    Integer skew = yaml.wholeNumber(entries.get("refresh_skew"), key + ".refresh_skew",
        (int) UpstreamAuth.OAuth2.DEFAULT_REFRESH_SKEW.toSeconds(), 0);
    if (yaml.problems().size() > before || skew == null) {
      return null;
    }
    return new UpstreamAuth.OAuth2(issuer, authorization, token, jwks, clientId, secret, method,
        scopes, parameters, applyHeader, applyPrefix, user, Duration.ofSeconds(skew));
  }

  private static URI optionalUrl(Map<String, Node> entries, String name, String backend,
      String key, YamlNodes yaml) {
    Node value = entries.get(name);
    if (value == null) {
      return null;
    }
    Optional<URI> url = yaml.url(value, backend, key + "." + name);
    if (url.isPresent() && (url.get().getRawQuery() != null || url.get().getRawFragment() != null)
        && name.equals("issuer")) {
      yaml.problem(value, backend, key + "." + name, "an issuer has no query or fragment"
          + " (RFC 8414 §2)");
      return null;
    }
    url.ifPresent(u -> yaml.warnIfPlainHttp(u, value, backend, key + "." + name,
        "the authorization codes and tokens of the backend's identity provider"));
    return url.orElse(null);
  }

  /** {@code scopes}: a list, or one space-separated string as in an OAuth request. */
  private static List<String> scopes(Node node, String backend, String key, YamlNodes yaml) {
    if (node == null || YamlNodes.isNull(node)) {
      return List.of();
    }
    List<String> scopes = new ArrayList<>();
    List<String> given = node instanceof ScalarNode
        ? yaml.string(node, backend, key + ".scopes").map(s -> List.of(s.trim().split("\\s+")))
            .orElse(List.of())
        : yaml.strings(node, backend, key + ".scopes");
    for (String scope : given) {
      if (scope.isEmpty()) {
        continue;
      }
      // RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
      if (!scope.chars().allMatch(c -> c == 0x21 || (c >= 0x23 && c <= 0x5B)
          || (c >= 0x5D && c <= 0x7E))) {
        yaml.problem(node, backend, key + ".scopes", "'" + scope + "' is not a valid scope"
            + " (RFC 6749 §3.3: printable ASCII without spaces, quotes or backslashes)");
      } else if (!scopes.contains(scope)) {
        scopes.add(scope);
      }
    }
    return scopes;
  }

  /** {@code parameters}: extra authorization request parameters, name to value. */
  private static Map<String, String> parameters(Node node, String backend, String key,
      YamlNodes yaml) {
    Map<String, String> parameters = new LinkedHashMap<>();
    if (node == null || YamlNodes.isNull(node)) {
      return parameters;
    }
    if (!(node instanceof MappingNode map)) {
      yaml.problem(node, backend, key + ".parameters", "expected a mapping of parameter names to"
          + " values, e.g. audience: https://api.example.com");
      return parameters;
    }
    for (NodeTuple tuple : map.getValue()) {
      if (!(tuple.getKeyNode() instanceof ScalarNode name)) {
        yaml.problem(tuple.getKeyNode(), backend, key + ".parameters", "keys must be plain names");
        continue;
      }
      String path = key + ".parameters." + name.getValue();
      if (UpstreamAuthReader.RESERVED_PARAMETERS.contains(name.getValue())) {
        yaml.problem(name, backend, path, "set by the gateway itself"
            + (name.getValue().equals("scope") ? " (use scopes)" : ""));
        continue;
      }
      if (parameters.containsKey(name.getValue())) {
        yaml.problem(name, backend, path, "duplicate key");
        continue;
      }
      yaml.string(tuple.getValueNode(), backend, path)
          .ifPresent(value -> parameters.put(name.getValue(), value));
    }
    return parameters;
  }

  private static UpstreamAuth.UserNaming user(Node auth, Node node, boolean openId,
      String backend, String key, YamlNodes yaml) {
    if (node == null || YamlNodes.isNull(node)) {
      if (!openId) {
        yaml.problem(auth, backend, key + ".user", "required without the openid scope: where"
            + " the user's name comes from, e.g. userinfo_url: https://api.github.com/user and"
            + " pointer: /login");
        return null;
      }
      return new UpstreamAuth.UserNaming.IdTokenClaim("sub");
    }
    Optional<Map<String, Node>> found =
        yaml.mapping(node, backend, key + ".user", UpstreamAuthReader.USER_KEYS);
    if (found.isEmpty()) {
      return null;
    }
    Map<String, Node> user = found.get();
    String claim = yaml.string(user.get("claim"), backend, key + ".user.claim").orElse(null);
    boolean byUserInfo = user.containsKey("userinfo_url") || user.containsKey("pointer");
    if (claim != null && byUserInfo) {
      yaml.problem(node, backend, key + ".user", "either claim (from the ID token) or"
          + " userinfo_url with pointer, not both");
      return null;
    }
    if (!byUserInfo) {
      if (!openId) {
        yaml.problem(user.getOrDefault("claim", node), backend, key + ".user.claim",
            "an ID token claim needs the openid scope in scopes");
        return null;
      }
      return new UpstreamAuth.UserNaming.IdTokenClaim(claim == null ? "sub" : claim);
    }
    Node urlNode = user.get("userinfo_url");
    Node pointerNode = user.get("pointer");
    if (urlNode == null || pointerNode == null) {
      yaml.problem(node, backend, key + ".user." + (urlNode == null ? "userinfo_url" : "pointer"),
          "userinfo_url and pointer go together");
      return null;
    }
    Optional<URI> url = yaml.url(urlNode, backend, key + ".user.userinfo_url");
    Optional<String> pointer = yaml.string(pointerNode, backend, key + ".user.pointer");
    if (pointer.isPresent() && !pointer.get().startsWith("/")) {
      yaml.problem(pointerNode, backend, key + ".user.pointer",
          "expected a JSON Pointer such as /login");
      return null;
    }
    if (url.isEmpty() || pointer.isEmpty()) {
      return null;
    }
    return new UpstreamAuth.UserNaming.UserInfo(url.get(), pointer.get());
  }
}
