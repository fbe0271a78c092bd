package dev.toriimcp.upstream.control;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Refuses path parameter values that a server behind the upstream could read as a path of its
 * own. Percent-encoding alone is not enough: Tomcat, nginx and many proxies decode {@code %2E}
 * and (with common settings) {@code %2F} before routing or before their access rules, so
 * {@code ..} or {@code ..%2Fadmin} would walk out of the operation's path and past a
 * {@code deny} rule that only the gateway checked (RFC 3986 §3.3 and §5.2.4: dot-segments are
 * removed, and a decoded {@code /} starts a new segment).
 *
 * <p>Refused, in every scalar of the value (array items, object keys and values): {@code .} and
 * {@code ..}, also when percent-encoded and also with a Tomcat path parameter ({@code ..;x}),
 * and any value holding {@code /} or {@code \}, raw or percent-encoded once or several times
 * ({@code %2F}, {@code %5c}, {@code %252F}).
 */
final class PathSegmentGuard {

  /** How many rounds of percent-decoding are looked through ({@code %25252F} is three). */
  private static final int DECODING_ROUNDS = 4;

  private PathSegmentGuard() {}

  /** The problem with the value of path parameter {@code argument}, or {@code null}. */
  static String problem(String argument, JsonNode value) {
    List<String> scalars = new ArrayList<>();
    collect(value, scalars);
    for (String scalar : scalars) {
      String reason = reason(scalar);
      if (reason != null) {
        return "'" + argument + "' is a path segment and must not " + reason;
      }
    }
    return null;
  }

  private static void collect(JsonNode value, List<String> scalars) {
    if (value.isArray()) {
      value.forEach(item -> collect(item, scalars));
    } else if (value.isObject()) {
      value.fields().forEachRemaining(field -> {
        scalars.add(field.getKey());
        collect(field.getValue(), scalars);
      });
    } else {
      scalars.add(UpstreamRequestBuilder.scalar(value));
    }
  }

  private static String reason(String value) {
    String decoded = value;
    for (int round = 0; round <= DECODING_ROUNDS; round++) {
      if (decoded.indexOf('/') >= 0 || decoded.indexOf('\\') >= 0) {
        return "contain '/' or '\\', also not percent-encoded";
      }
      if (isDotSegment(decoded)) {
        return "be '.' or '..'";
      }
      String next = decodeOnce(decoded);
      if (next.equals(decoded)) {
        return null;
      }
      decoded = next;
    }
    return "be percent-encoded more than " + DECODING_ROUNDS + " times";
  }

  /** {@code .} or {@code ..}, alone or before a {@code ;} path parameter (Tomcat drops those). */
  private static boolean isDotSegment(String value) {
    int semicolon = value.indexOf(';');
    String segment = semicolon >= 0 ? value.substring(0, semicolon) : value;
    return segment.equals(".") || segment.equals("..");
  }

  /** One round of percent-decoding of the ASCII escapes; anything else is left as it is. */
  private static String decodeOnce(String value) {
    if (value.indexOf('%') < 0) {
      return value;
    }
    StringBuilder out = new StringBuilder(value.length());
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '%' && i + 2 < value.length()) {
        int high = Character.digit(value.charAt(i + 1), 16);
        int low = Character.digit(value.charAt(i + 2), 16);
        if (high >= 0 && low >= 0 && high < 8) {
          out.append((char) (high * 16 + low));
          i += 2;
          continue;
        }
      }
      out.append(c);
    }
    return out.toString();
  }
}
