package dev.toriimcp.configuration.control;

import dev.toriimcp.configuration.entity.BackendDefinition;
import dev.toriimcp.configuration.entity.Cidr;
import dev.toriimcp.configuration.entity.ConfigurationException;
import dev.toriimcp.configuration.entity.ConfiguredClient;
import dev.toriimcp.configuration.entity.ConfigurationProblem;
import dev.toriimcp.configuration.entity.GatewayConfiguration;
import dev.toriimcp.configuration.entity.Limits;
import dev.toriimcp.configuration.entity.OAuthSettings;
import dev.toriimcp.configuration.entity.SealingSettings;
import dev.toriimcp.configuration.entity.StorageSettings;
import dev.toriimcp.configuration.entity.TrustedProxies;
import java.io.StringReader;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;
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
 *
 * <p>It reads the root keys itself and hands each section to its reader ({@link
 * BackendsSectionReader}, {@link SealingSectionReader}, {@link ClientsSectionReader}, {@link
 * LimitsSectionReader}); all of them record problems in one shared {@link YamlNodes}, so one pass
 * reports everything that is wrong, sorted by line.
 */
public final class ConfigurationReader {

  static final List<String> ROOT_KEYS =
      List.of("public_url", "backends", "storage", "limits", "sealing", "oauth", "clients",
          "allowed_origins", "trusted_proxies", "forwarded_header");
  static final List<String> STORAGE_KEYS = List.of("datasource", "derby_directory", "shared");

  /**
   * System property that allows the sealing key published in {@code examples/mcp-proxy.yaml};
   * set only by the run command ({@code mvn -Prun}), which runs the demo.
   */
  public static final String DEMO_PROPERTY = "torii.demo";

  private static final Logger LOG = Logger.getLogger(ConfigurationReader.class.getName());

  private final PlaceholderResolver placeholders;
  private final boolean demo;

  /** A reader that refuses the published demo sealing key. */
  public ConfigurationReader(PlaceholderResolver placeholders) {
    this(placeholders, false);
  }

  /** @param demo allow the published demo sealing key (the run command's demo only) */
  public ConfigurationReader(PlaceholderResolver placeholders, boolean demo) {
    this.placeholders = placeholders;
    this.demo = demo;
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
    for (ConfigurationProblem warning : yaml.warnings()) {
      LOG.warning(() -> "torii-mcp configuration warning: " + warning);
    }
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
    Limits limits = LimitsSectionReader.limits(top.get("limits"), yaml);
    List<BackendDefinition> backends = BackendsSectionReader.backends(file, top.get("backends"), root, yaml);
    boolean needed = backends.stream().anyMatch(b -> b.auth() != null);
    SealingSettings sealing = SealingSectionReader.sealing(top.get("sealing"), root, needed, demo,
        yaml);
    OAuthSettings oauth = LimitsSectionReader.oauth(top.get("oauth"), yaml);
    List<ConfiguredClient> clients = ClientsSectionReader.clients(top.get("clients"), yaml);
    List<String> origins = top.containsKey("allowed_origins")
        ? yaml.strings(top.get("allowed_origins"), null, "allowed_origins")
        : GatewayConfiguration.DEFAULT_ORIGINS;
    for (int i = 0; i < origins.size(); i++) {
      if (!origins.get(i).matches("https?://[^/?#]+")) {
        yaml.problem(top.get("allowed_origins"), null, "allowed_origins[" + i + "]",
            "expected an origin such as https://app.example.com (scheme, host, optional port)");
      }
    }
    TrustedProxies proxies = trustedProxies(top, yaml);
    if (publicUrl == null || storage == null || limits == null || oauth == null) {
      return null;
    }
    return new GatewayConfiguration(file, publicUrl, backends, storage, limits, sealing, oauth,
        clients, origins, proxies);
  }

  /**
   * {@code trusted_proxies} and {@code forwarded_header}: which peers may name the client address
   * (RFC 7239 §8.1). Host names are refused: a proxy is trusted by address, never through DNS.
   */
  private static TrustedProxies trustedProxies(Map<String, Node> top, YamlNodes yaml) {
    Node node = top.get("trusted_proxies");
    List<String> blocks = yaml.strings(node, null, "trusted_proxies");
    List<Cidr> addresses = new ArrayList<>();
    for (int i = 0; i < blocks.size(); i++) {
      Optional<Cidr> cidr = Cidr.parse(blocks.get(i));
      if (cidr.isEmpty()) {
        yaml.problem(node, null, "trusted_proxies[" + i + "]", "expected an IP address or block"
            + " such as 10.0.0.0/8 or 2001:db8::/32, found '" + blocks.get(i) + "'");
      } else {
        addresses.add(cidr.get());
      }
    }
    Node headerNode = top.get("forwarded_header");
    String header = yaml.string(headerNode, null, "forwarded_header")
        .orElse(TrustedProxies.X_FORWARDED_FOR);
    if (header.equalsIgnoreCase(TrustedProxies.X_FORWARDED_FOR)) {
      header = TrustedProxies.X_FORWARDED_FOR;
    } else if (header.equalsIgnoreCase(TrustedProxies.FORWARDED)) {
      header = TrustedProxies.FORWARDED;
    } else {
      yaml.problem(headerNode, null, "forwarded_header", "expected "
          + TrustedProxies.X_FORWARDED_FOR + " or " + TrustedProxies.FORWARDED);
    }
    return new TrustedProxies(addresses, header);
  }

  private URI publicUrl(Node node, Node root, YamlNodes yaml) {
    if (node == null) {
      yaml.problem(root, null, "public_url", "required: the gateway's external base URL, e.g."
          + " https://mcp.example.com");
      return null;
    }
    Optional<URI> url = yaml.url(node, null, "public_url");
    if (url.isEmpty()) {
      return null;
    }
    URI uri = url.get();
    yaml.warnIfPlainHttp(uri, node, null, "public_url",
        "users' backend passwords, authorization codes and tokens");
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
    Node sharedNode = entries.get().get("shared");
    boolean shared = "true".equals(
        yaml.choice(sharedNode, null, "storage.shared", "false", List.of("true", "false")));
    if (shared && dataSource == null) {
      yaml.problem(sharedNode, null, "storage.shared", "needs storage.datasource: an embedded"
          + " Derby database belongs to one node, so several nodes cannot share it");
    }
    return new StorageSettings(dataSource, derby, shared);
  }
}
