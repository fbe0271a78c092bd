package dev.toriimcp.configuration.entity;

import java.util.List;

/**
 * An OAuth client pre-registered in the configuration ({@code clients}), for MCP clients that let
 * the user enter a client id (Claude "Advanced settings", VS Code, Claude Code --client-id).
 *
 * @param clientId the id the client will present
 * @param clientName shown on the consent page
 * @param redirectUris exact redirect URIs (loopback ports are free)
 * @param secret the client secret (secret), or {@code null} for a public client
 * @param authMethod {@code none}, {@code client_secret_basic} or {@code client_secret_post}
 * @param refresh whether refresh tokens are issued
 */
public record ConfiguredClient(String clientId, String clientName, List<String> redirectUris,
    String secret, String authMethod, boolean refresh) {

  public ConfiguredClient {
    redirectUris = List.copyOf(redirectUris);
  }

  @Override
  public String toString() {
    return "ConfiguredClient[" + clientId + "]";
  }
}
