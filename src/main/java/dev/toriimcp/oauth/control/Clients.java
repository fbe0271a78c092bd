package dev.toriimcp.oauth.control;

import dev.toriimcp.configuration.entity.ConfiguredClient;
import dev.toriimcp.configuration.entity.GatewayConfiguration;
import dev.toriimcp.oauth.entity.OAuthError;
import dev.toriimcp.oauth.entity.OAuthException;
import dev.toriimcp.oauth.entity.RegisteredClient;
import dev.toriimcp.platform.control.Storage;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Registered OAuth clients: registration (RFC 7591), look-up and client authentication. */
@ApplicationScoped
public class Clients {

  /** Client authentication methods the token endpoint supports. */
  public static final List<String> AUTH_METHODS =
      List.of("none", "client_secret_post", "client_secret_basic");
  static final String ID_PREFIX = "torii-";

  @Inject Storage storage;
  @Inject GatewayConfiguration configuration;

  private volatile ClientMetadataDocuments documents;

  /** What a registration returns once: the stored client and, for confidential ones, the secret. */
  public record Registration(RegisteredClient client, String secret) {}

  public Registration register(String clientName, List<String> redirectUris, String authMethod,
      boolean refreshAllowed) {
    String clientId = ID_PREFIX + Secrets.newToken();
    String secret = "none".equals(authMethod) ? null : Secrets.newToken();
    RegisteredClient client = new RegisteredClient(clientId, RegisteredClient.Kind.DYNAMIC,
        clientName, redirectUris, authMethod, secret == null ? null : Secrets.hash(secret),
        refreshAllowed, Instant.now());
    storage.inTransaction(em -> {
      em.persist(client);
      return null;
    });
    return new Registration(client, secret);
  }

  /**
   * Writes the clients of the configuration into the client table (at every start, so edits to
   * the file take effect); their secrets are stored hashed like any other.
   */
  public void configure(List<ConfiguredClient> configured) {
    Instant now = Instant.now();
    storage.inTransaction(em -> {
      for (ConfiguredClient c : configured) {
        RegisteredClient existing = em.find(RegisteredClient.class, c.clientId());
        if (existing != null) {
          em.remove(existing);
          em.flush();
        }
        em.persist(new RegisteredClient(c.clientId(), RegisteredClient.Kind.CONFIGURED,
            c.clientName(), c.redirectUris(), c.authMethod(),
            c.secret() == null ? null : Secrets.hash(c.secret()), c.refresh(), now));
      }
      return null;
    });
  }

  public Optional<RegisteredClient> find(String clientId) {
    if (clientId == null || clientId.isEmpty() || clientId.length() > 255) {
      return Optional.empty();
    }
    if (ClientMetadataDocuments.isDocumentUrl(clientId)) {
      return documents().resolve(clientId);
    }
    return Optional.ofNullable(storage.inTransaction(em -> em.find(RegisteredClient.class, clientId)));
  }

  private synchronized ClientMetadataDocuments documents() {
    ClientMetadataDocuments current = documents;
    if (current == null) {
      current = ClientMetadataDocuments.forRuntime(
          configuration.oauth().metadataDocumentsFromPrivateAddresses());
      documents = current;
    }
    return current;
  }

  /**
   * Authenticates the client at the token or revocation endpoint (RFC 6749 §2.3). A public client
   * only names itself; a confidential one must present its secret by the registered method.
   * Failures are {@code invalid_client} (401).
   */
  public RegisteredClient authenticate(String clientId, String postedSecret, String basicId,
      String basicSecret) {
    String id = basicId != null ? basicId : clientId;
    if (basicId != null && clientId != null && !clientId.equals(basicId)) {
      throw new OAuthException(OAuthError.invalidClient("client authentication failed"));
    }
    RegisteredClient client = find(id).orElseThrow(() ->
        new OAuthException(OAuthError.invalidClient("client authentication failed")));
    String secret = switch (client.authMethod()) {
      case "client_secret_basic" -> basicSecret;
      case "client_secret_post" -> postedSecret;
      default -> null;
    };
    if (!"none".equals(client.authMethod()) && !Secrets.matches(secret, client.secretHash())) {
      throw new OAuthException(OAuthError.invalidClient("client authentication failed"));
    }
    return client;
  }
}
