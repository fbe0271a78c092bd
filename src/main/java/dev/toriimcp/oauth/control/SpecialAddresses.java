package dev.toriimcp.oauth.control;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The addresses a server-side fetch of a URL chosen by anyone must never reach
 * (draft-ietf-oauth-client-id-metadata-document-02 §8.6; RFC 6890 special-purpose registries),
 * and the host spellings that hide one (research CM-8).
 *
 * <p>IPv6 forms that carry an IPv4 address are judged by that address: IPv4-mapped
 * ({@code ::ffff:a.b.c.d}, RFC 4291 §2.5.5.2), IPv4-compatible ({@code ::a.b.c.d}, §2.5.5.1),
 * NAT64 ({@code 64:ff9b::/96}, RFC 6052; {@code 64:ff9b:1::/48}, RFC 8215), 6to4
 * ({@code 2002::/16}, RFC 3056) and Teredo ({@code 2001::/32}, RFC 4380, whose client address
 * is stored inverted). A NAT64 gateway or 6to4 relay would otherwise carry the request to a
 * loopback or private IPv4 address.
 */
final class SpecialAddresses {

  /** A canonical dotted quad: four decimal parts, no leading zeros. */
  private static final Pattern DOTTED_QUAD =
      Pattern.compile("((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");
  /** The WHATWG URL standard's "ends in a number": such a host is parsed as an IPv4 address. */
  private static final Pattern NUMERIC_LABEL = Pattern.compile("\\d+|0x[0-9a-f]*");

  private SpecialAddresses() {}

  /**
   * Whether a URL host is a number in a form other than the canonical dotted quad
   * ({@code 2130706433}, {@code 0177.0.0.1}, {@code 0x7f.1}, {@code 127.1}). Resolvers disagree
   * on these (Java reads {@code 0177} as decimal 177, inet_aton as octal 127), so they are
   * refused before any look-up.
   */
  static boolean ambiguousNumber(String host) {
    if (host.startsWith("[")) {
      return false;
    }
    String name = host.toLowerCase(Locale.ROOT);
    if (name.endsWith(".")) {
      name = name.substring(0, name.length() - 1);
    }
    String last = name.substring(name.lastIndexOf('.') + 1);
    return NUMERIC_LABEL.matcher(last).matches() && !DOTTED_QUAD.matcher(name).matches();
  }

  /** Whether the address is loopback, private, link-local or otherwise special-purpose. */
  static boolean special(InetAddress address) {
    if (address.isLoopbackAddress() || address.isSiteLocalAddress() || address.isLinkLocalAddress()
        || address.isAnyLocalAddress() || address.isMulticastAddress()) {
      return true;
    }
    byte[] b = address.getAddress();
    return address instanceof Inet6Address ? special6(b) : special4(b);
  }

  private static boolean special4(byte[] b) {
    int first = b[0] & 0xff;
    int second = b[1] & 0xff;
    int third = b[2] & 0xff;
    return first == 0 || first == 10 || first == 127 || first >= 224
        || (first == 100 && second >= 64 && second <= 127)
        || (first == 169 && second == 254)
        || (first == 172 && second >= 16 && second <= 31)
        || (first == 192 && second == 168)
        || (first == 192 && second == 0 && (third == 0 || third == 2))
        || (first == 192 && second == 88 && third == 99)
        || (first == 198 && (second == 18 || second == 19))
        || (first == 198 && second == 51 && third == 100)
        || (first == 203 && second == 0 && third == 113);
  }

  private static boolean special6(byte[] b) {
    if ((b[0] & 0xfe) == 0xfc || (b[0] & 0xff) == 0xfe && (b[1] & 0xc0) == 0xc0) {
      return true; // unique local fc00::/7, deprecated site-local fec0::/10
    }
    if (zero(b, 0, 10) && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
      return special4(tail(b, 12)); // IPv4-mapped
    }
    if (zero(b, 0, 12)) {
      return special4(tail(b, 12)); // IPv4-compatible (and ::, ::1)
    }
    int w0 = word(b, 0);
    int w1 = word(b, 2);
    if (w0 == 0x64 && w1 == 0xff9b && zero(b, 4, 12)) {
      return special4(tail(b, 12)); // NAT64 well-known prefix
    }
    if (w0 == 0x64 && w1 == 0xff9b && word(b, 4) == 1) {
      return true; // local-use NAT64 prefix: every address behind it is the operator's own
    }
    if (w0 == 0x2002) {
      return special4(new byte[] {b[2], b[3], b[4], b[5]}); // 6to4
    }
    if (w0 == 0x2001 && w1 == 0) {
      return special4(new byte[] {(byte) ~b[12], (byte) ~b[13], (byte) ~b[14], (byte) ~b[15]});
    }
    if (w0 == 0x2001 && w1 == 0x0db8) {
      return true; // documentation
    }
    return w0 == 0x0100 && zero(b, 2, 8); // discard-only 100::/64
  }

  private static boolean zero(byte[] b, int from, int to) {
    for (int i = from; i < to; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return true;
  }

  private static int word(byte[] b, int at) {
    return (b[at] & 0xff) << 8 | (b[at + 1] & 0xff);
  }

  private static byte[] tail(byte[] b, int from) {
    return new byte[] {b[from], b[from + 1], b[from + 2], b[from + 3]};
  }
}
