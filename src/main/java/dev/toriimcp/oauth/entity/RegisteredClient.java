package dev.toriimcp.oauth.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * An OAuth client known to the gateway: dynamically registered (RFC 7591), from a client ID
 * metadata document, or pre-registered in the configuration. A confidential client's secret is
 * stored only as its SHA-256 hash; a {@code private_key_jwt} client (RFC 7523 §2.2) has its
 * public keys inline ({@code jwks}) or at a URL ({@code jwks_uri}; RFC 7591 §2), never both.
 */
@Entity
@Table(name = "oauth_client")
@jakarta.persistence.NamedQuery(name = RegisteredClient.PURGE_STALE, query =
    "DELETE FROM RegisteredClient c WHERE c.kind = 'DYNAMIC' AND c.lastUsedAt < :before"
        + " AND NOT EXISTS (SELECT t FROM RefreshToken t WHERE t.clientId = c.clientId)")
public class RegisteredClient {

  /** The client authentication method of RFC 7523 §2.2 (and OpenID Connect Core §9). */
  public static final String PRIVATE_KEY_JWT = "private_key_jwt";
  public static final String PURGE_STALE = "RegisteredClient.purgeStale";

  /** How the client became known. */
  public enum Kind { DYNAMIC, METADATA_DOCUMENT, CONFIGURED }

  @Id
  @Column(name = "client_id", length = 255)
  private String clientId;

  @Column(name = "kind", nullable = false, length = 16)
  private String kind;

  @Column(name = "client_name", length = 200)
  private String clientName;

  @Column(name = "redirect_uris", nullable = false, length = 8000)
  private String redirectUris;

  @Column(name = "auth_method", nullable = false, length = 32)
  private String authMethod;

  @Column(name = "secret_hash", length = 64)
  private String secretHash;

  @Column(name = "jwks", length = 8000)
  private String jwks;

  @Column(name = "jwks_uri", length = 2000)
  private String jwksUri;

  @Column(name = "refresh_allowed", nullable = false)
  private boolean refreshAllowed;

  @Column(name = "created_at", nullable = false)
  private Instant createdAt;

  @Column(name = "last_used_at", nullable = false)
  private Instant lastUsedAt;

  protected RegisteredClient() {}

  public RegisteredClient(String clientId, Kind kind, String clientName, List<String> redirectUris,
      String authMethod, String secretHash, boolean refreshAllowed, Instant now) {
    this.clientId = clientId;
    this.kind = kind.name();
    this.clientName = clientName;
    this.redirectUris = String.join("\n", redirectUris);
    this.authMethod = authMethod;
    this.secretHash = secretHash;
    this.refreshAllowed = refreshAllowed;
    this.createdAt = now;
    this.lastUsedAt = now;
  }

  /** A {@code private_key_jwt} client: its JWK set inline or its {@code jwks_uri}. */
  public static RegisteredClient withKeys(String clientId, Kind kind, String clientName,
      List<String> redirectUris, String jwks, String jwksUri, boolean refreshAllowed, Instant now) {
    RegisteredClient client = new RegisteredClient(clientId, kind, clientName, redirectUris,
        PRIVATE_KEY_JWT, null, refreshAllowed, now);
    client.jwks = jwks;
    client.jwksUri = jwksUri;
    return client;
  }

  public String clientId() {
    return clientId;
  }

  public Kind kind() {
    return Kind.valueOf(kind);
  }

  public String clientName() {
    return clientName;
  }

  public List<String> redirectUris() {
    return redirectUris.isEmpty() ? List.of() : Arrays.asList(redirectUris.split("\n"));
  }

  public String authMethod() {
    return authMethod;
  }

  public String secretHash() {
    return secretHash;
  }

  /** The client's JWK set as JSON text, or null when it has none inline. */
  public String jwks() {
    return jwks;
  }

  /** Where the client's JWK set is published, or null. */
  public String jwksUri() {
    return jwksUri;
  }

  public boolean refreshAllowed() {
    return refreshAllowed;
  }

  public Instant lastUsedAt() {
    return lastUsedAt;
  }

  public void used(Instant now) {
    this.lastUsedAt = now;
  }
}
