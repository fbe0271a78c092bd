package dev.toriimcp.platform.control;

import dev.toriimcp.configuration.entity.Cidr;
import dev.toriimcp.configuration.entity.GatewayConfiguration;
import dev.toriimcp.configuration.entity.TrustedProxies;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.servlet.http.HttpServletRequest;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * The address of the client behind a request, and the key to count it under, for every per-address
 * limit (login throttle, rate limits).
 *
 * <p>The direct peer is the client unless it is one of {@code trusted_proxies}; then the client
 * is the rightmost hop of the configured forwarding header that is not a trusted proxy (RFC 7239
 * §5.2 and §8.1; the same rule as nginx's {@code real_ip_recursive}). Hops further left are
 * whatever the client sent and are never believed. A hop that is not an address literal
 * ({@code unknown}, an obfuscated identifier, garbage) ends the walk at the hop to its right.
 *
 * <p>Keys group IPv6 addresses by their /64 prefix: one subscriber usually gets a whole /64
 * (RFC 6177) and can rotate through it freely, so a per-address limit on full IPv6 addresses
 * limits nothing.
 */
@ApplicationScoped
public class ClientAddress {

  @Inject GatewayConfiguration configuration;

  /** The client's address as text (IPv6 in full form), e.g. for a log line. */
  public String of(HttpServletRequest request) {
    TrustedProxies proxies = configuration.trustedProxies();
    List<String> values = proxies.addresses().isEmpty()
        ? List.of() : Collections.list(request.getHeaders(proxies.header()));
    return resolve(proxies, request.getRemoteAddr(), values);
  }

  /** The key that per-address limits count this request's client under. */
  public String key(HttpServletRequest request) {
    return key(of(request));
  }

  static String resolve(TrustedProxies proxies, String peer, List<String> headerValues) {
    Optional<InetAddress> current = Cidr.literal(peer);
    if (current.isEmpty()) {
      return peer;
    }
    List<String> hops = new ArrayList<>();
    for (String value : headerValues) {
      hops.addAll(proxies.header().equals(TrustedProxies.FORWARDED)
          ? forwardedFor(value) : xForwardedFor(value));
    }
    for (int i = hops.size() - 1; i >= 0 && trusted(proxies, current.get()); i--) {
      Optional<InetAddress> hop = Cidr.literal(strip(hops.get(i)));
      if (hop.isEmpty()) {
        break;
      }
      current = hop;
    }
    return current.get().getHostAddress();
  }

  /**
   * The counting key: an IPv4 address as is, an IPv6 address as its /64 prefix
   * ({@code 2001:db8:0:1::/64}); anything else (not an address) as given.
   */
  public static String key(String address) {
    Optional<InetAddress> parsed = Cidr.literal(address);
    if (parsed.isEmpty() || !(parsed.get() instanceof Inet6Address)) {
      return parsed.map(InetAddress::getHostAddress).orElse(address);
    }
    return Cidr.parse(parsed.get().getHostAddress() + "/64").orElseThrow().toString();
  }

  private static boolean trusted(TrustedProxies proxies, InetAddress address) {
    return proxies.addresses().stream().anyMatch(block -> block.contains(address));
  }

  private static List<String> xForwardedFor(String value) {
    List<String> hops = new ArrayList<>();
    for (String hop : value.split(",")) {
      hops.add(hop.trim());
    }
    return hops;
  }

  /** The {@code for} parameter of each element of {@code Forwarded} (RFC 7239 §4, §6). */
  private static List<String> forwardedFor(String value) {
    List<String> hops = new ArrayList<>();
    for (String element : value.split(",")) {
      String found = "";
      for (String pair : element.split(";")) {
        int equals = pair.indexOf('=');
        if (equals > 0 && pair.substring(0, equals).trim().equalsIgnoreCase("for")) {
          found = pair.substring(equals + 1).trim();
        }
      }
      hops.add(found);
    }
    return hops;
  }

  /** Removes quotes, IPv6 brackets and a port: {@code "[2001:db8::1]:4711"}, {@code 1.2.3.4:80}. */
  private static String strip(String hop) {
    String text = hop.trim();
    if (text.length() >= 2 && text.startsWith("\"") && text.endsWith("\"")) {
      text = text.substring(1, text.length() - 1);
    }
    if (text.startsWith("[")) {
      int close = text.indexOf(']');
      return close < 0 ? text : text.substring(1, close);
    }
    int colon = text.indexOf(':');
    if (colon > 0 && colon == text.lastIndexOf(':')) {
      return text.substring(0, colon);
    }
    return text;
  }
}
