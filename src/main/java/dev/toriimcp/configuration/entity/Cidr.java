package dev.toriimcp.configuration.entity;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * An address block such as {@code 10.0.0.0/8} or {@code 2001:db8::/32} (RFC 4632 §3.1, RFC 4291
 * §2.3). Parsing accepts only address literals, so it never triggers a DNS lookup.
 *
 * @param network the address bytes (4 or 16), host bits cleared
 * @param prefix the number of leading bits that must match
 */
public record Cidr(byte[] network, int prefix) {

  private static final Pattern IPV4 =
      Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

  public Cidr {
    network = network.clone();
  }

  @Override
  public byte[] network() {
    return network.clone();
  }

  /** {@code address/prefix}, or a single address (a full-length prefix). */
  public static Optional<Cidr> parse(String text) {
    String trimmed = text.trim();
    int slash = trimmed.indexOf('/');
    Optional<InetAddress> address = literal(slash < 0 ? trimmed : trimmed.substring(0, slash));
    if (address.isEmpty()) {
      return Optional.empty();
    }
    byte[] bytes = address.get().getAddress();
    int prefix = bytes.length * 8;
    if (slash >= 0) {
      try {
        prefix = Integer.parseInt(trimmed.substring(slash + 1));
      } catch (NumberFormatException e) {
        return Optional.empty();
      }
      if (prefix < 0 || prefix > bytes.length * 8) {
        return Optional.empty();
      }
    }
    for (int bit = prefix; bit < bytes.length * 8; bit++) {
      bytes[bit / 8] &= (byte) ~(0x80 >> (bit % 8));
    }
    return Optional.of(new Cidr(bytes, prefix));
  }

  /**
   * An IPv4 or IPv6 literal (IPv4-mapped IPv6 comes back as IPv4), or empty for anything else,
   * host names included: those would need DNS. The patterns admit only text that {@link
   * InetAddress#getByName} parses as a literal, which it then does without a lookup.
   */
  public static Optional<InetAddress> literal(String text) {
    String candidate = text.trim();
    if (!IPV4.matcher(candidate).matches() && !IPV6.matcher(candidate).matches()) {
      return Optional.empty();
    }
    try {
      return Optional.of(InetAddress.getByName(candidate));
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
  }

  public boolean contains(InetAddress address) {
    byte[] bytes = address.getAddress();
    if (bytes.length != network.length) {
      return false;
    }
    for (int bit = 0; bit < prefix; bit++) {
      int mask = 0x80 >> (bit % 8);
      if ((bytes[bit / 8] & mask) != (network[bit / 8] & mask)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Cidr that && prefix == that.prefix
        && java.util.Arrays.equals(network, that.network);
  }

  @Override
  public int hashCode() {
    return 31 * java.util.Arrays.hashCode(network) + prefix;
  }

  @Override
  public String toString() {
    try {
      return InetAddress.getByAddress(network).getHostAddress() + "/" + prefix;
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
