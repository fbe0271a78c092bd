package dev.toriimcp.oauth.control;

/**
 * Makes a client-supplied string safe to put in a log line (CWE-117, log forging): a
 * {@code client_id}, a redirect URI or a host name from a request must not be able to start a new
 * line that looks like the gateway's own, nor hide text with terminal controls. Control
 * characters (CR, LF, tab, ESC, C1), the Unicode line and paragraph separators and bidirectional
 * overrides become {@code \n}, {@code \r}, {@code \t} or {@code \\uXXXX}; a backslash is doubled so
 * that the escaped form is unambiguous. Long values are cut, so one request cannot flood the log.
 */
public final class LogSafe {

  static final int MAX_LENGTH = 300;

  private LogSafe() {}

  /** The value escaped for a log line; {@code null} stays visible as {@code null}. */
  public static String text(String value) {
    if (value == null) {
      return "null";
    }
    int end = Math.min(value.length(), MAX_LENGTH);
    StringBuilder out = new StringBuilder(end + 8);
    for (int i = 0; i < end; i++) {
      char c = value.charAt(i);
      switch (c) {
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\\' -> out.append("\\\\");
        default -> {
          if (unsafe(c)) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    if (value.length() > end) {
      out.append("...(").append(value.length()).append(" chars)");
    }
    return out.toString();
  }

  private static boolean unsafe(char c) {
    return Character.isISOControl(c)
        || c == '\u2028' || c == '\u2029' // line and paragraph separators
        || (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069') // bidi controls
        || c == '\u200e' || c == '\u200f' || c == '\u061c';
  }
}
