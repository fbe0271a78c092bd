package dev.toriimcp.oauth.boundary;

import jakarta.servlet.http.HttpServletRequest;

/**
 * The address a per-address limit counts a request against. Today the peer address of the
 * connection; kept in this one place so that a trusted-proxy setting (the client address from
 * {@code Forwarded}/{@code X-Forwarded-For} when the peer is a configured proxy) can take over
 * here for every limit at once.
 */
final class ClientAddress {

  private ClientAddress() {}

  static String of(HttpServletRequest request) {
    return request.getRemoteAddr();
  }
}
