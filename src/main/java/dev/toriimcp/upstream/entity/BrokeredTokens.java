package dev.toriimcp.upstream.entity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * What a backend's identity provider issued for one user: the access token the gateway applies
 * upstream, the refresh token that renews it (or {@code null}), and when the access token
 * expires ({@code null}: the provider did not say). Sealed as one value (the JSON of
 * {@link #toBytes}) in {@code upstream_credential.sealed}, so that re-sealing and retiring keys
 * treat it like any other credential (ADR 0017, ADR 0020); the expiry is also kept in clear in
 * {@code expires_at}, which holds no secret.
 */
public record BrokeredTokens(String accessToken, String refreshToken, Instant expiresAt) {

  private static final ObjectMapper JSON = new ObjectMapper();

  public BrokeredTokens {
    if (accessToken == null || accessToken.isEmpty()) {
      throw new IllegalArgumentException("no access token");
    }
  }

  /** The value that is sealed. */
  public byte[] toBytes() {
    ObjectNode node = JSON.createObjectNode().put("access_token", accessToken);
    if (refreshToken != null) {
      node.put("refresh_token", refreshToken);
    }
    if (expiresAt != null) {
      node.put("expires_at", expiresAt.getEpochSecond());
    }
    return node.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** The tokens from an opened sealed value; an {@link IllegalArgumentException} if it is none. */
  public static BrokeredTokens fromBytes(byte[] opened) {
    JsonNode node;
    try {
      node = JSON.readTree(opened);
    } catch (IOException e) {
      throw new IllegalArgumentException("not a sealed token set");
    }
    if (node == null || !node.path("access_token").isTextual()) {
      throw new IllegalArgumentException("not a sealed token set");
    }
    String refresh = node.path("refresh_token").isTextual() ? node.get("refresh_token").asText()
        : null;
    Instant expires = node.path("expires_at").canConvertToLong()
        ? Instant.ofEpochSecond(node.get("expires_at").asLong()) : null;
    return new BrokeredTokens(node.get("access_token").asText(), refresh, expires);
  }

  /** Whether the access token expires before {@code instant}. */
  public boolean expiresBefore(Instant instant) {
    return expiresAt != null && expiresAt.isBefore(instant);
  }

  @Override
  public String toString() {
    return "BrokeredTokens[refreshToken=" + (refreshToken == null ? "none" : "(not shown)")
        + ", expiresAt=" + expiresAt + "]";
  }
}
