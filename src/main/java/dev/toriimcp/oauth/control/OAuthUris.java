package dev.toriimcp.oauth.control;

import dev.toriimcp.configuration.entity.BackendDefinition;
import dev.toriimcp.configuration.entity.GatewayConfiguration;

/**
 * The canonical identifiers: issuer, resources, metadata URLs and scopes. They are fixed forever
 * once clients store credentials, so they are built in this one place from {@code public_url}
 * (which the configuration guarantees has no trailing slash).
 */
public final class OAuthUris {

  public static final String PROTECTED_RESOURCE_WELL_KNOWN = "/.well-known/oauth-protected-resource";

  private OAuthUris() {}

  public static String issuer(GatewayConfiguration configuration) {
    return configuration.publicUrl().toString();
  }

  /** The resource identifier of a backend (RFC 8707): exactly its MCP endpoint URL. */
  public static String resource(GatewayConfiguration configuration, BackendDefinition backend) {
    return issuer(configuration) + backend.mcpPath();
  }

  /** RFC 9728 §3.1: the well-known segment inserted between host and path. */
  public static String protectedResourceMetadata(
      GatewayConfiguration configuration, BackendDefinition backend) {
    return issuer(configuration) + PROTECTED_RESOURCE_WELL_KNOWN + backend.mcpPath();
  }

  /** The scope that binds a grant to one backend: its name. */
  public static String scope(BackendDefinition backend) {
    return backend.name();
  }

  public static String endpoint(GatewayConfiguration configuration, String path) {
    return issuer(configuration) + path;
  }
}
