package dev.toriimcp.configuration.entity;

import java.util.List;

/**
 * The reverse proxies whose forwarding header the gateway believes. Only when the direct peer is
 * one of them is the client address taken from that header, as the rightmost hop that is not a
 * trusted proxy (RFC 7239 §5.2, §8.1): any hop further left could have been written by the client.
 *
 * @param addresses the proxies' address blocks; empty: believe no header, use the direct peer
 * @param header {@link #X_FORWARDED_FOR} or {@link #FORWARDED}; only this header is read, so a
 *     client cannot slip in the other one past a proxy that only appends to its own
 */
public record TrustedProxies(List<Cidr> addresses, String header) {

  public static final String X_FORWARDED_FOR = "X-Forwarded-For";
  public static final String FORWARDED = "Forwarded";
  public static final TrustedProxies NONE = new TrustedProxies(List.of(), X_FORWARDED_FOR);

  public TrustedProxies {
    addresses = List.copyOf(addresses);
  }
}
