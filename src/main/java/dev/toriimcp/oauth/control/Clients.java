package dev.toriimcp.oauth.control;

import dev.toriimcp.configuration.entity.ConfiguredClient;
import dev.toriimcp.configuration.entity.GatewayConfiguration;
import dev.toriimcp.oauth.entity.OAuthError;
import dev.toriimcp.oauth.entity.OAuthException;
import dev.toriimcp.oauth.entity.RegisteredClient;
import dev.toriimcp.platform.control.Storage;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.PersistenceException;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Logger;

/** Registered OAuth clients: registration (RFC 7591), look-up and client authentication. */
@ApplicationScoped
public class Clients {

  /** Client authentication methods the token and revocation endpoints support. */
  public static final List<String> AUTH_METHODS = List.of("none", "client_secret_post",
      "client_secret_basic", RegisteredClient.PRIVATE_KEY_JWT);
  /** Signature algorithms of {@code private_key_jwt} assertions (RFC 8414 §2). */
  public static final List<String> SIGNING_ALGORITHMS = ClientAssertions.ALGORITHMS.stream()
      .map(Object::toString).sorted().toList();
  static final String ID_PREFIX = "torii-";
  private static final Logger LOG = Logger.getLogger(Clients.class.getName());

  @Inject Storage storage;
  @Inject GatewayConfiguration configuration;

  private volatile ClientMetadataDocuments documents;
  private volatile ClientAssertions assertions;

  /** What a registration returns once: the stored client and, for confidential ones, the secret. */
  public record Registration(RegisteredClient client, String secret) {}

  /** The public keys a {@code private_key_jwt} client registers: exactly one of the two. */
  public record Keys(String jwks, String jwksUri) {

    /**
     * The keys a registration request names (RFC 7591 §2).
     *
     * @throws OAuthException {@code invalid_client_metadata} when they are missing or unusable
     */
    public static Keys of(jakarta.json.JsonObject metadata) {
      try {
        return ClientKeys.registered(metadata);
      } catch (ClientMetadataDocuments.Refused e) {
        throw new OAuthException(OAuthError.invalidClientMetadata(e.getMessage()));
      }
    }
  }

  public Registration register(String clientName, List<String> redirectUris, String authMethod,
      boolean refreshAllowed) {
    return register(clientName, redirectUris, authMethod, null, refreshAllowed);
  }

  /** Registers a client; {@code keys} only for {@code private_key_jwt}, which has no secret. */
  public Registration register(String clientName, List<String> redirectUris, String authMethod,
      Keys keys, boolean refreshAllowed) {
    String clientId = ID_PREFIX + Secrets.newToken();
    boolean keyed = RegisteredClient.PRIVATE_KEY_JWT.equals(authMethod);
    String secret = "none".equals(authMethod) || keyed ? null : Secrets.newToken();
    RegisteredClient client = keyed
        ? RegisteredClient.withKeys(clientId, RegisteredClient.Kind.DYNAMIC, clientName,
            redirectUris, keys.jwks(), keys.jwksUri(), refreshAllowed, Instant.now())
        : new RegisteredClient(clientId, RegisteredClient.Kind.DYNAMIC, clientName, redirectUris,
            authMethod, secret == null ? null : Secrets.hash(secret), refreshAllowed, Instant.now());
    storage.inTransaction(em -> {
      em.persist(client);
      return null;
    });
    return new Registration(client, secret);
  }

  /**
   * Writes the clients of the configuration into the client table (at every start, so edits to
   * the file take effect); their secrets are stored hashed like any other. Nodes that share the
   * database and start together write the same rows at once: the one whose insert collides
   * writes again, over the rows the other committed.
   */
  public void configure(List<ConfiguredClient> configured) {
    for (int attempt = 1; ; attempt++) {
      try {
        replace(configured);
        return;
      } catch (PersistenceException e) {
        if (attempt == 3) {
          throw e;
        }
      }
    }
  }

  private void replace(List<ConfiguredClient> configured) {
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

  private synchronized ClientAssertions assertions() {
    ClientAssertions current = assertions;
    if (current == null) {
      current = new ClientAssertions(new ClientKeys(documents().fetches()),
          new UsedAssertions(storage));
      assertions = current;
    }
    return current;
  }

  /**
   * What a request presented to authenticate its client (RFC 6749 §2.3, RFC 7521 §4.2): the
   * {@code client_id} and {@code client_secret} form parameters, the HTTP Basic pair, and the
   * {@code client_assertion_type} and {@code client_assertion} parameters.
   */
  public record Presented(String clientId, String secret, String basicId, String basicSecret,
      String assertionType, String assertion) {}

  /**
   * Authenticates the client at the token or revocation endpoint (RFC 6749 §2.3). A public client
   * only names itself; a confidential one must present its secret by the registered method, a
   * {@code private_key_jwt} one a fresh client assertion (RFC 7523 §3) for the issuer or
   * {@code endpoint}, and nothing else. One method per request (§2.3). Failures are {@code
   * invalid_client} (401) with one description; the reason goes to the log.
   */
  public RegisteredClient authenticate(Presented presented, String endpoint) {
    String basicId = presented.basicId();
    if (basicId != null && presented.clientId() != null && !presented.clientId().equals(basicId)) {
      throw refused(basicId, "client_id differs from the HTTP Basic user");
    }
    if (presented.assertion() != null || presented.assertionType() != null) {
      return authenticateAssertion(presented, endpoint);
    }
    String id = basicId != null ? basicId : presented.clientId();
    RegisteredClient client = find(id).orElseThrow(() -> refused(id, "unknown client"));
    if (RegisteredClient.PRIVATE_KEY_JWT.equals(client.authMethod())) {
      throw refused(id, "a private_key_jwt client sent no client assertion");
    }
    String secret = switch (client.authMethod()) {
      case "client_secret_basic" -> presented.basicSecret();
      case "client_secret_post" -> presented.secret();
      default -> null;
    };
    if (!"none".equals(client.authMethod()) && !Secrets.matches(secret, client.secretHash())) {
      throw new OAuthException(OAuthError.invalidClient("client authentication failed"));
    }
    return client;
  }

  private RegisteredClient authenticateAssertion(Presented presented, String endpoint) {
    String claimed = presented.clientId() != null ? presented.clientId()
        : ClientAssertions.claimedClient(presented.assertion());
    if (presented.basicId() != null || presented.secret() != null) {
      throw refused(claimed, "a client assertion together with a client secret");
    }
    if (!ClientAssertions.TYPE.equals(presented.assertionType()) || presented.assertion() == null
        || presented.assertion().isEmpty()) {
      throw refused(claimed, "client_assertion_type is not jwt-bearer or client_assertion is empty");
    }
    RegisteredClient client = find(claimed).orElseThrow(() -> refused(claimed, "unknown client"));
    if (!RegisteredClient.PRIVATE_KEY_JWT.equals(client.authMethod())) {
      throw refused(claimed, "a client assertion from a " + client.authMethod() + " client");
    }
    String issuer = OAuthUris.issuer(configuration);
    // A set, not Set.of: at /token the endpoint called is the token endpoint.
    Set<String> audiences = new HashSet<>(List.of(issuer,
        OAuthUris.endpoint(configuration, "/token"), endpoint));
    try {
      assertions().verify(client, presented.assertion(), audiences, Instant.now());
    } catch (ClientAssertions.Rejected e) {
      throw refused(claimed, e.getMessage());
    }
    return client;
  }

  private static OAuthException refused(String clientId, String reason) {
    LOG.info(() -> "client authentication of " + LogSafe.text(String.valueOf(clientId))
        + " failed: " + LogSafe.text(reason));
    return new OAuthException(OAuthError.invalidClient("client authentication failed"));
  }
}
