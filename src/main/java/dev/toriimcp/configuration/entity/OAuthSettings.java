package dev.toriimcp.configuration.entity;

import java.time.Duration;

/**
 * Lifetimes of what the authorization server issues ({@code oauth} in the configuration).
 *
 * @param accessToken access token lifetime (default 1 hour)
 * @param refreshToken absolute refresh token lifetime (default 30 days)
 * @param refreshIdle a refresh token unused this long expires (default 7 days)
 * @param code authorization code lifetime (default 2 minutes)
 * @param refreshGrace a rotated refresh token still works this long, for parallel refreshes
 *     (default 60 seconds)
 * @param metadataDocumentsFromPrivateAddresses whether client ID metadata documents may be
 *     fetched from loopback and private addresses (default false; for intranet deployments)
 */
public record OAuthSettings(Duration accessToken, Duration refreshToken, Duration refreshIdle,
    Duration code, Duration refreshGrace, boolean metadataDocumentsFromPrivateAddresses) {

  public static final OAuthSettings DEFAULT = new OAuthSettings(Duration.ofHours(1),
      Duration.ofDays(30), Duration.ofDays(7), Duration.ofMinutes(2), Duration.ofSeconds(60), false);
}
