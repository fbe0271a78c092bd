package dev.toriimcp.platform.boundary;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** What every page of the gateway shares: escaping, and the headers besides its own policy. */
public final class Html {

  /**
   * Not framable, not sniffed, no referrer, not cached (research, AZ-19); each page
   * adds its own Content-Security-Policy.
   */
  public static final Map<String, String> HEADERS = headers();

  private Html() {}

  private static Map<String, String> headers() {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("X-Frame-Options", "DENY");
    headers.put("Referrer-Policy", "no-referrer");
    headers.put("X-Content-Type-Options", "nosniff");
    headers.put("Cache-Control", "no-store");
    return Collections.unmodifiableMap(headers);
  }

  /** {@code text} safe in element content and in double- or single-quoted attributes. */
  public static String escape(String text) {
    if (text == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(text.length() + 16);
    for (char c : text.toCharArray()) {
      switch (c) {
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '&' -> out.append("&amp;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }
}
