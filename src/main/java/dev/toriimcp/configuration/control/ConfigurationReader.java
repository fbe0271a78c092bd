package dev.toriimcp.configuration.control;

import dev.toriimcp.configuration.entity.BackendDefinition;
import dev.toriimcp.configuration.entity.ConfigurationException;
import dev.toriimcp.configuration.entity.ConfiguredClient;
import dev.toriimcp.configuration.entity.ConfigurationProblem;
import dev.toriimcp.configuration.entity.GatewayConfiguration;
import dev.toriimcp.configuration.entity.Limits;
import dev.toriimcp.configuration.entity.OAuthSettings;
import dev.toriimcp.configuration.entity.Policy;
import dev.toriimcp.configuration.entity.SealingSettings;
import dev.toriimcp.configuration.entity.StorageSettings;
import dev.toriimcp.configuration.entity.ToolOverride;
import dev.toriimcp.configuration.entity.UpstreamAuth;
import dev.toriimcp.sealing.entity.SealingKey;
import java.io.StringReader;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Turns the text of {@code mcp-proxy.yaml} into a validated {@link GatewayConfiguration}, or a
 * {@link ConfigurationException} listing every problem with its line, backend and key.
 *
 * <p>The format is a contract: unknown keys are errors (a misspelt key silently ignored is a
 * security setting silently not applied).
 */
public final class ConfigurationReader {

  static final List<String> ROOT_KEYS =
      List.of("public_url", "backends", "storage", "limits", "sealing", "oauth", "clients",
          "allowed_origins");
  static final List<String> CLIENT_KEYS =
      List.of("client_id", "client_name", "redirect_uris", "secret", "auth_method", "refresh");
  private static final java.util.regex.Pattern CLIENT_ID =
      java.util.regex.Pattern.compile("^[A-Za-z0-9._~-]{1,128}$");
  static final List<String> OAUTH_KEYS = List.of("access_token_ttl", "refresh_token_ttl",
      "refresh_idle_ttl", "code_ttl", "refresh_grace", "metadata_documents_from_private_addresses");
  static final List<String> SEALING_KEYS = List.of("keys", "current");
  static final List<String> SEALING_KEY_KEYS = List.of("id", "secret");
  static final List<String> BACKEND_KEYS =
      List.of("name", "spec_url", "base_url", "policy", "auth", "tools");
  static final List<String> LIMIT_KEYS = List.of("description_length", "response_bytes",
      "schema_depth", "upstream_connect_timeout", "upstream_timeout", "page_size",
      "upstream_concurrency", "user_calls_per_minute", "user_calls_in_flight");
  static final List<String> TOOL_KEYS = List.of("name", "description", "output_schema");
  private static final java.util.regex.Pattern TOOL_NAME =
      java.util.regex.Pattern.compile("^[A-Za-z0-9_-]{1,64}$");
  static final List<String> POLICY_KEYS = List.of("allow", "deny", "tags");
  static final List<String> TAG_KEYS = List.of("include", "exclude");
  static final List<String> STORAGE_KEYS = List.of("datasource", "derby_directory");
  static final List<String> AUTH_TYPES = List.of(UpstreamAuth.LoginBroker.TYPE, UpstreamAuth.OAuth2.TYPE);
  static final List<String> LOGIN_BROKER_KEYS = List.of("type", "login_url", "request",
      "username_field", "password_field", "token_pointer", "cookie", "expires_pointer", "apply");
  static final List<String> APPLY_KEYS = List.of("header", "prefix");
  static final List<String> OAUTH2_KEYS = List.of("type", "issuer");

  private final PlaceholderResolver placeholders;

  public ConfigurationReader(PlaceholderResolver placeholders) {
    this.placeholders = placeholders;
  }

  /**
   * Reads one configuration document.
   *
   * @param file the file the text came from; relative spec paths resolve against its directory
   * @param text the YAML text
   */
  public GatewayConfiguration read(Path file, String text) {
    String shown = file.toString();
    YamlNodes yaml = new YamlNodes(shown, placeholders);
    Node root;
    try {
      LoaderOptions options = new LoaderOptions();
      options.setAllowDuplicateKeys(true); // reported with line numbers by YamlNodes instead
      options.setMaxAliasesForCollections(20);
      root = new Yaml(options).compose(new StringReader(text));
    } catch (MarkedYAMLException e) {
      int line = e.getProblemMark() == null ? 0 : e.getProblemMark().getLine() + 1;
      String message = "invalid YAML: " + e.getProblem();
      if (e.getContext() != null) {
        message += " (" + e.getContext() + ")";
      }
      throw new ConfigurationException(
          List.of(new ConfigurationProblem(shown, line, null, null, message)));
    } catch (YAMLException e) {
      throw new ConfigurationException(
          List.of(new ConfigurationProblem(shown, 0, null, null, "invalid YAML: " + e.getMessage())));
    }
    if (root == null) {
      throw new ConfigurationException(
          List.of(new ConfigurationProblem(shown, 0, null, null, "the file is empty")));
    }
    GatewayConfiguration configuration = read(file, root, yaml);
    if (!yaml.problems().isEmpty()) {
      List<ConfigurationProblem> sorted = new ArrayList<>(yaml.problems());
      sorted.sort(Comparator.comparingInt(ConfigurationProblem::line));
      throw new ConfigurationException(sorted);
    }
    return configuration;
  }

  private GatewayConfiguration read(Path file, Node root, YamlNodes yaml) {
    Optional<Map<String, Node>> entries = yaml.mapping(root, null, null, ROOT_KEYS);
    if (entries.isEmpty()) {
      return null;
    }
    Map<String, Node> top = entries.get();
    URI publicUrl = publicUrl(top.get("public_url"), root, yaml);
    StorageSettings storage = storage(top.get("storage"), yaml);
    Limits limits = limits(top.get("limits"), yaml);
    List<BackendDefinition> backends = backends(file, top.get("backends"), root, yaml);
    boolean needed = backends.stream().anyMatch(b -> b.auth() != null);
    SealingSettings sealing = sealing(top.get("sealing"), root, needed, yaml);
    OAuthSettings oauth = oauth(top.get("oauth"), yaml);
    List<ConfiguredClient> clients = clients(top.get("clients"), yaml);
    List<String> origins = top.containsKey("allowed_origins")
        ? yaml.strings(top.get("allowed_origins"), null, "allowed_origins")
        : GatewayConfiguration.DEFAULT_ORIGINS;
    for (int i = 0; i < origins.size(); i++) {
      if (!origins.get(i).matches("https?://[^/?#]+")) {
        yaml.problem(top.get("allowed_origins"), null, "allowed_origins[" + i + "]",
            "expected an origin such as https://app.example.com (scheme, host, optional port)");
      }
    }
    if (publicUrl == null || storage == null || limits == null || oauth == null) {
      return null;
    }
    return new GatewayConfiguration(file, publicUrl, backends, storage, limits, sealing, oauth,
        clients, origins);
  }

  private URI publicUrl(Node node, Node root, YamlNodes yaml) {
    if (node == null) {
      yaml.problem(root, null, "public_url", "required: the gateway's external base URL, e.g."
          + " https://mcp.example.com");
      return null;
    }
    Optional<URI> url = url(node, null, "public_url", yaml);
    if (url.isEmpty()) {
      return null;
    }
    URI uri = url.get();
    String text = uri.toString();
    if (text.endsWith("/")) {
      yaml.problem(node, null, "public_url", "must not end with '/' (it is the issuer, compared"
          + " character by character by OAuth clients)");
      return null;
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      yaml.problem(node, null, "public_url", "must not have a query or fragment");
      return null;
    }
    return uri;
  }

  private StorageSettings storage(Node node, YamlNodes yaml) {
    if (node == null || YamlNodes.isNull(node)) {
      return new StorageSettings(null, StorageSettings.DEFAULT_DERBY_DIRECTORY);
    }
    Optional<Map<String, Node>> entries = yaml.mapping(node, null, "storage", STORAGE_KEYS);
    if (entries.isEmpty()) {
      return null;
    }
    String dataSource = yaml.string(entries.get().get("datasource"), null, "storage.datasource")
        .filter(s -> !s.isBlank()).orElse(null);
    Path derby = yaml.string(entries.get().get("derby_directory"), null, "storage.derby_directory")
        .filter(s -> !s.isBlank()).map(Path::of).orElse(StorageSettings.DEFAULT_DERBY_DIRECTORY);
    return new StorageSettings(dataSource, derby);
  }

  private List<BackendDefinition> backends(Path file, Node node, Node root, YamlNodes yaml) {
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

  private Optional<BackendDefinition> backend(
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
        : url(entries.get("base_url"), label, position + ".base_url", yaml).orElse(null);
    Policy policy = policy(entries.get("policy"), label, position + ".policy", yaml);
    UpstreamAuth auth = auth(entries.get("auth"), label, position + ".auth", yaml);
    Map<String, ToolOverride> tools = tools(entries.get("tools"), label, position + ".tools", yaml);
    if (name == null || spec == null || policy == null || tools == null) {
      return Optional.empty();
    }
    return Optional.of(new BackendDefinition(name, spec, baseUrl, policy, auth, tools));
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

  private URI specLocation(
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
      return url(node, backend, key, yaml).orElse(null);
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

  private Optional<URI> url(Node node, String backend, String key, YamlNodes yaml) {
    Optional<String> value = yaml.string(node, backend, key);
    if (value.isEmpty()) {
      if (node != null && YamlNodes.isNull(node)) {
        yaml.problem(node, backend, key, "must not be empty");
      }
      return Optional.empty();
    }
    String shown = YamlNodes.raw(node);
    try {
      URI uri = new URI(value.get().trim());
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase();
      if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
        yaml.problem(node, backend, key, "expected an absolute http(s) URL, found '" + shown + "'");
        return Optional.empty();
      }
      return Optional.of(uri);
    } catch (URISyntaxException e) {
      yaml.problem(node, backend, key, "not a valid URL ('" + shown + "'): " + e.getReason());
      return Optional.empty();
    }
  }

  /**
   * {@code sealing}: required as soon as a backend has a user login, because the gateway then
   * stores sealed upstream credentials and never makes up a key of its own (ADR 0006). Key
   * values are never quoted in a message.
   */
  private SealingSettings sealing(Node node, Node root, boolean needed, YamlNodes yaml) {
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
      byte[] bytes = secret.map(ConfigurationReader::base64).orElse(null);
      if (bytes == null || bytes.length != SealingKey.LENGTH) {
        if (secret.isPresent() || secretNode == null || YamlNodes.isNull(secretNode)) {
          yaml.problem(secretNode == null ? items.get().get(i) : secretNode, null, key + ".secret",
              "must be 32 random bytes, base64-encoded (e.g. 'openssl rand -base64 32'); the value"
                  + " given is not (it is not shown)");
        }
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

  /** {@code clients}: OAuth clients pre-registered by the operator. */
  private List<ConfiguredClient> clients(Node node, YamlNodes yaml) {
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

  /** {@code oauth}: lifetimes in seconds. */
  private OAuthSettings oauth(Node node, YamlNodes yaml) {
    OAuthSettings d = OAuthSettings.DEFAULT;
    if (node == null || YamlNodes.isNull(node)) {
      return d;
    }
    Optional<Map<String, Node>> found = yaml.mapping(node, null, "oauth", OAUTH_KEYS);
    if (found.isEmpty()) {
      return null;
    }
    Map<String, Node> e = found.get();
    Integer access = positive(e.get("access_token_ttl"), "oauth.access_token_ttl",
        (int) d.accessToken().toSeconds(), 1, yaml);
    Integer refresh = positive(e.get("refresh_token_ttl"), "oauth.refresh_token_ttl",
        (int) d.refreshToken().toSeconds(), 1, yaml);
    Integer idle = positive(e.get("refresh_idle_ttl"), "oauth.refresh_idle_ttl",
        (int) d.refreshIdle().toSeconds(), 1, yaml);
    Integer code = positive(e.get("code_ttl"), "oauth.code_ttl", (int) d.code().toSeconds(), 1, yaml);
    Integer grace = positive(e.get("refresh_grace"), "oauth.refresh_grace",
        (int) d.refreshGrace().toSeconds(), 1, yaml);
    if (access == null || refresh == null || idle == null || code == null || grace == null) {
      return null;
    }
    if (code > 600) {
      yaml.problem(e.get("code_ttl"), null, "oauth.code_ttl",
          "at most 600 seconds (OAuth 2.1 recommends 10 minutes at most)");
      return null;
    }
    String privateAddresses = yaml.string(e.get("metadata_documents_from_private_addresses"), null,
        "oauth.metadata_documents_from_private_addresses").orElse("false");
    if (!privateAddresses.equals("true") && !privateAddresses.equals("false")) {
      yaml.problem(e.get("metadata_documents_from_private_addresses"), null,
          "oauth.metadata_documents_from_private_addresses", "expected true or false");
      return null;
    }
    return new OAuthSettings(java.time.Duration.ofSeconds(access), java.time.Duration.ofSeconds(refresh),
        java.time.Duration.ofSeconds(idle), java.time.Duration.ofSeconds(code),
        java.time.Duration.ofSeconds(grace), privateAddresses.equals("true"));
  }

  private Limits limits(Node node, YamlNodes yaml) {
    if (node == null || YamlNodes.isNull(node)) {
      return Limits.DEFAULT;
    }
    Optional<Map<String, Node>> found = yaml.mapping(node, null, "limits", LIMIT_KEYS);
    if (found.isEmpty()) {
      return null;
    }
    Map<String, Node> entries = found.get();
    Integer description = positive(entries.get("description_length"), "limits.description_length",
        Limits.DEFAULT.descriptionLength(), 20, yaml);
    Integer response = positive(entries.get("response_bytes"), "limits.response_bytes",
        Limits.DEFAULT.responseBytes(), 1024, yaml);
    Integer depth = positive(entries.get("schema_depth"), "limits.schema_depth",
        Limits.DEFAULT.schemaDepth(), 1, yaml);
    if (description == null || response == null || depth == null) {
      return null;
    }
    Integer connect = positive(entries.get("upstream_connect_timeout"),
        "limits.upstream_connect_timeout", Limits.DEFAULT.upstreamConnectSeconds(), 1, yaml);
    Integer timeout = positive(entries.get("upstream_timeout"), "limits.upstream_timeout",
        Limits.DEFAULT.upstreamTimeoutSeconds(), 1, yaml);
    Integer pageSize = positive(entries.get("page_size"), "limits.page_size",
        Limits.DEFAULT.pageSize(), 1, yaml);
    Integer concurrency = positive(entries.get("upstream_concurrency"), "limits.upstream_concurrency",
        Limits.DEFAULT.upstreamConcurrency(), 1, yaml);
    Integer perMinute = positive(entries.get("user_calls_per_minute"), "limits.user_calls_per_minute",
        Limits.DEFAULT.userCallsPerMinute(), 1, yaml);
    Integer inFlight = positive(entries.get("user_calls_in_flight"), "limits.user_calls_in_flight",
        Limits.DEFAULT.userCallsInFlight(), 1, yaml);
    if (connect == null || timeout == null || pageSize == null || concurrency == null
        || perMinute == null || inFlight == null) {
      return null;
    }
    return new Limits(description, response, depth, connect, timeout, pageSize, concurrency,
        perMinute, inFlight);
  }

  private Integer positive(Node node, String key, int fallback, int minimum, YamlNodes yaml) {
    if (node == null || YamlNodes.isNull(node)) {
      return fallback;
    }
    Optional<String> text = yaml.string(node, null, key);
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
    yaml.problem(node, null, key, "expected a whole number of at least " + minimum + ", found '"
        + YamlNodes.raw(node) + "'");
    return null;
  }

  /** {@code tools}: per-operation overrides keyed by operationId or "METHOD /path". */
  private Map<String, ToolOverride> tools(Node node, String backend, String key, YamlNodes yaml) {
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

  private Policy policy(Node node, String backend, String key, YamlNodes yaml) {
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
  private List<String> rules(Node node, String backend, String key, YamlNodes yaml) {
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

  private UpstreamAuth auth(Node node, String backend, String key, YamlNodes yaml) {
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
    String urlKey = type.get().equals(UpstreamAuth.LoginBroker.TYPE) ? "login_url" : "issuer";
    Node urlNode = entries.get(urlKey);
    if (urlNode == null) {
      yaml.problem(node, backend, key + "." + urlKey, "required for type " + type.get());
      return null;
    }
    Optional<URI> url = url(urlNode, backend, key + "." + urlKey, yaml);
    if (url.isEmpty()) {
      return null;
    }
    if (!type.get().equals(UpstreamAuth.LoginBroker.TYPE)) {
      return new UpstreamAuth.OAuth2(url.get());
    }
    return loginBroker(url.get(), entries, backend, key, yaml);
  }

  private UpstreamAuth.LoginBroker loginBroker(URI loginUrl, Map<String, Node> entries,
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
      Optional<Map<String, Node>> how = yaml.mapping(apply, backend, key + ".apply", APPLY_KEYS);
      if (how.isEmpty()) {
        return null;
      }
      applyHeader = yaml.string(how.get().get("header"), backend, key + ".apply.header")
          .orElse(d.applyHeader());
      applyPrefix = yaml.string(how.get().get("prefix"), backend, key + ".apply.prefix")
          .orElse(applyHeader.equalsIgnoreCase("Authorization") ? d.applyPrefix() : "");
    }
    return new UpstreamAuth.LoginBroker(loginUrl, request.equals("form"),
        yaml.string(entries.get("username_field"), backend, key + ".username_field")
            .orElse(d.usernameField()),
        yaml.string(entries.get("password_field"), backend, key + ".password_field")
            .orElse(d.passwordField()),
        tokenPointer, cookie, expiresPointer, applyHeader, applyPrefix);
  }

}
