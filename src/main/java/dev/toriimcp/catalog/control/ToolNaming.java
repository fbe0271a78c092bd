package dev.toriimcp.catalog.control;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.Normalizer;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Gives each operation a tool name that every client and LLM provider accepts: {@code
 * ^[A-Za-z0-9_-]{1,64}$} (MCP 2025-11-25 tool-name guidance, SEP-986; Anthropic and OpenAI reject
 * longer names). Names are deterministic: the same spec always yields the same names, and a
 * collision is resolved with a short hash of the operation's method and path rather than a
 * counter, so adding an operation elsewhere never renames an existing tool.
 *
 * <p>One instance names the tools of one backend; it remembers the names already given.
 */
final class ToolNaming {

  static final int MAX_LENGTH = 64;
  static final Pattern VALID = Pattern.compile("^[A-Za-z0-9_-]{1,64}$");
  private static final int HASH_LENGTH = 8;
  private static final Pattern MARKS = Pattern.compile("\\p{M}+");
  private static final Pattern INVALID = Pattern.compile("[^A-Za-z0-9_-]+");
  private static final Pattern UNDERSCORES = Pattern.compile("_{2,}");

  private final Set<String> taken = new HashSet<>();

  /**
   * Reserves a configured name as it is. Returns false if it is invalid or already taken.
   */
  boolean reserve(String name) {
    return VALID.matcher(name).matches() && taken.add(name);
  }

  /**
   * Names an operation from its operationId, or from method and path when it has none.
   *
   * @param operationId may be {@code null}
   * @param method upper-case HTTP method
   * @param path the path template
   */
  String name(String operationId, String method, String path) {
    String base = operationId != null && !operationId.isBlank()
        ? sanitize(operationId)
        : sanitize(method.toLowerCase(Locale.ROOT) + "_" + path.replace("{", "").replace("}", ""));
    String reference = method + " " + path;
    String candidate = fit(base, reference);
    if (!taken.add(candidate)) {
      candidate = withSuffix(base, hash(reference));
      int attempt = 1;
      while (!taken.add(candidate)) {
        candidate = withSuffix(base, hash(reference + "#" + attempt++));
      }
    }
    return candidate;
  }

  /** Keeps letters, digits, '_' and '-'; accents are folded (Topíc becomes Topic). */
  static String sanitize(String raw) {
    String folded = MARKS.matcher(Normalizer.normalize(raw, Normalizer.Form.NFD)).replaceAll("");
    String cleaned = INVALID.matcher(folded).replaceAll("_");
    cleaned = UNDERSCORES.matcher(cleaned).replaceAll("_");
    cleaned = trimUnderscores(cleaned);
    return cleaned.isEmpty() ? "operation" : cleaned;
  }

  /** A name of at most 64 characters; a longer one keeps its start and ends in a hash of the whole. */
  private static String fit(String base, String reference) {
    if (base.length() <= MAX_LENGTH) {
      return base;
    }
    return withSuffix(base, hash(base + "|" + reference));
  }

  private static String withSuffix(String base, String suffix) {
    int room = MAX_LENGTH - suffix.length() - 1;
    String head = base.length() > room ? trimUnderscores(base.substring(0, room)) : base;
    return head + "_" + suffix;
  }

  private static String trimUnderscores(String text) {
    int start = 0;
    int end = text.length();
    while (start < end && text.charAt(start) == '_') {
      start++;
    }
    while (end > start && text.charAt(end - 1) == '_') {
      end--;
    }
    return text.substring(start, end);
  }

  private static String hash(String text) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest).substring(0, HASH_LENGTH);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java platform", e);
    }
  }
}
