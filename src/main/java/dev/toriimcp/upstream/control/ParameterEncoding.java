package dev.toriimcp.upstream.control;

import java.nio.charset.StandardCharsets;

/** Percent-encoding for the parts of a URI (RFC 3986 §2.1, §3.3, §3.4). */
final class ParameterEncoding {

  private static final String UNRESERVED_EXTRA = "-._~";
  /** RFC 3986 reserved characters that {@code allowReserved} lets through in a query value. */
  private static final String RESERVED = ":/?#[]@!$&'()*+,;=";

  private ParameterEncoding() {}

  /** Encodes everything but unreserved characters: safe anywhere, including a path segment. */
  static String strict(String value) {
    return encode(value, "");
  }

  /**
   * A path segment value: strict encoding, and a value that is entirely dots is encoded too, so
   * that {@code .} and {@code ..} can never become dot-segments.
   */
  static String pathSegment(String value) {
    if (!value.isEmpty() && value.chars().allMatch(c -> c == '.')) {
      return "%2E".repeat(value.length());
    }
    return strict(value);
  }

  /**
   * A query value with {@code allowReserved}: reserved characters stay as they are, except those
   * that would split or end the query ({@code & = # +}).
   */
  static String reservedAllowed(String value) {
    return encode(value, RESERVED.replace("&", "").replace("=", "").replace("#", "")
        .replace("+", ""));
  }

  private static String encode(String value, String alsoAllowed) {
    StringBuilder out = new StringBuilder(value.length() + 8);
    for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
          || UNRESERVED_EXTRA.indexOf(c) >= 0 || (c < 128 && alsoAllowed.indexOf(c) >= 0)) {
        out.append((char) c);
      } else {
        out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return out.toString();
  }
}
