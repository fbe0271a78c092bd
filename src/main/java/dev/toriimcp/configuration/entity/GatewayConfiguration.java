package dev.toriimcp.configuration.entity;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The whole validated {@code mcp-proxy.yaml}, read once at deployment and immutable after.
 *
 * @param source the file it was read from
 * @param publicUrl issuer and base of every resource URL, without a trailing slash
 * @param backends the backends, in file order, with unique names
 * @param storage where state is kept
 * @param limits size limits
 * @param sealing the sealing keys; {@code null} when no backend has a user login (nothing to seal)
 * @param oauth token and code lifetimes
 * @param clients OAuth clients pre-registered in the configuration
 * @param allowedOrigins browser origins allowed to call the MCP endpoints, besides the gateway's
 *     own (DNS-rebinding protection; MCP 2025-11-25 basic/transports)
 * @param trustedProxies the reverse proxies whose forwarding header names the client address
 */
public record GatewayConfiguration(
    Path source, URI publicUrl, List<BackendDefinition> backends, StorageSettings storage,
    Limits limits, SealingSettings sealing, OAuthSettings oauth, List<ConfiguredClient> clients,
    List<String> allowedOrigins, TrustedProxies trustedProxies) {

  /** The MCP Inspector's web UI, allowed by default. */
  public static final List<String> DEFAULT_ORIGINS =
      List.of("http://localhost:6274", "http://127.0.0.1:6274");

  public GatewayConfiguration {
    backends = List.copyOf(backends);
    clients = List.copyOf(clients);
    allowedOrigins = List.copyOf(allowedOrigins);
    trustedProxies = trustedProxies == null ? TrustedProxies.NONE : trustedProxies;
  }

  /** Without trusted proxies: every request's client is its direct peer. */
  public GatewayConfiguration(
      Path source, URI publicUrl, List<BackendDefinition> backends, StorageSettings storage,
      Limits limits, SealingSettings sealing, OAuthSettings oauth, List<ConfiguredClient> clients,
      List<String> allowedOrigins) {
    this(source, publicUrl, backends, storage, limits, sealing, oauth, clients, allowedOrigins,
        TrustedProxies.NONE);
  }

  public Optional<BackendDefinition> backend(String name) {
    return backends.stream().filter(b -> b.name().equals(name)).findFirst();
  }

  /** The absolute MCP endpoint URL that clients connect to for a backend. */
  public URI mcpUrl(BackendDefinition backend) {
    return URI.create(publicUrl + backend.mcpPath());
  }
}
