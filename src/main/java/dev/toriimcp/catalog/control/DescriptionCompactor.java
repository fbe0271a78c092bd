package dev.toriimcp.catalog.control;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reduces a spec's description to what a caller needs ({@code descriptions: compact}, issue 16):
 * its first paragraph as plain text. Specs write CommonMark (OpenAPI 3 says so), with HTML mixed
 * in (Asana's {@code <b>Required scope: </b><code>goals:read</code>}); a model pays for every
 * marker, link target and table, and reads the first paragraph best anyway.
 *
 * <ul>
 *   <li>Paragraphs are separated by blank lines; a heading line, an HTML {@code <p>} or
 *       {@code <br>} also ends one. Leading headings, tables, images and code blocks are skipped.
 *       A first paragraph shorter than a sentence ({@link #SENTENCE} characters: "Deprecated",
 *       "Required scope: goals:read") is joined with the next one; one that ends in a colon
 *       introducing a list keeps only its complete sentences.
 *   <li>Markdown: links and reference-style links become their text, images and link
 *       definitions disappear, emphasis, code, heading, list and quote markers are removed. The
 *       text inside code spans is kept verbatim ({@code `<Dial>`}, {@code `[a-z]*`}).
 *   <li>HTML: only the tags of HTML are removed, from a fixed list. Angle brackets are common
 *       in descriptions for other things: Kubernetes' {@code <driver name>/<pool name>}, GitHub's
 *       {@code refs/heads/<branch name>}, Twilio's TwiML verbs. A general HTML parser would drop
 *       those as unknown elements, which is why this class does not use one. Comments, tables
 *       and preformatted blocks go entirely; entities are decoded.
 *   <li>Whitespace is collapsed to single spaces.
 * </ul>
 *
 * <p>Stateless and thread-safe. The length limit is the caller's ({@code limits.description_length}).
 */
public final class DescriptionCompactor {

  /** Shorter than this, a first paragraph is a label or a notice rather than a description. */
  static final int SENTENCE = 40;

  private static final Pattern COMMENT = Pattern.compile("<!--.*?(-->|$)", Pattern.DOTALL);
  private static final Pattern FENCE =
      Pattern.compile("(?m)^[ \\t]*(```|~~~)[^\\n]*\\n.*?(^[ \\t]*\\1[ \\t]*$|\\z)", Pattern.DOTALL);
  private static final Pattern CODE_SPAN = Pattern.compile("(`+)(?!`)(.+?)(?<!`)\\1(?!`)",
      Pattern.DOTALL);
  private static final Pattern HTML_DROPPED = Pattern.compile(
      "<(table|pre|script|style)\\b[^>]*>.*?(</\\1\\s*>|\\z)", Pattern.DOTALL | Pattern.CASE_INSENSITIVE);
  private static final Pattern HTML_HEADING = Pattern.compile(
      "<h([1-6])\\b[^>]*>(.*?)</h\\1\\s*>", Pattern.DOTALL | Pattern.CASE_INSENSITIVE);
  private static final Pattern HTML_BREAK = Pattern.compile(
      "</?(p|div|ul|ol|blockquote|hr|dl|details|summary)\\b[^>]*>|<br\\s*/?>\\s*<br\\s*/?>",
      Pattern.CASE_INSENSITIVE);
  private static final Pattern HTML_LINE =
      Pattern.compile("<(br|li|dt|dd)\\b[^>]*>", Pattern.CASE_INSENSITIVE);
  private static final Pattern HTML_IMAGE = Pattern.compile("<img\\b[^>]*>", Pattern.CASE_INSENSITIVE);
  private static final Pattern HTML_INLINE = Pattern.compile(
      "</?(a|abbr|b|big|cite|code|del|em|font|i|ins|kbd|mark|q|s|samp|small|span|strike|strong"
          + "|sub|sup|tt|u|var|li|dt|dd|br)\\b(\\s[^<>]*)?/?>",
      Pattern.CASE_INSENSITIVE);
  private static final Pattern ENTITY = Pattern.compile("&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});");
  private static final Map<String, String> ENTITIES = Map.ofEntries(
      Map.entry("amp", "&"), Map.entry("lt", "<"), Map.entry("gt", ">"), Map.entry("quot", "\""),
      Map.entry("apos", "'"), Map.entry("nbsp", " "), Map.entry("ndash", "–"),
      Map.entry("mdash", "—"), Map.entry("hellip", "…"), Map.entry("lsquo", "‘"),
      Map.entry("rsquo", "’"), Map.entry("ldquo", "“"), Map.entry("rdquo", "”"),
      Map.entry("copy", "©"), Map.entry("reg", "®"), Map.entry("trade", "™"));

  private static final Pattern DEFINITION =
      Pattern.compile("(?m)^[ ]{0,3}\\[([^\\]\\n]+)\\]:[ \\t]*\\S+.*$");
  private static final Pattern HEADING = Pattern.compile("^[ ]{0,3}#{1,6}(?:[ \\t]+(.*?))?[ \\t#]*$");
  private static final Pattern SETEXT = Pattern.compile("^[ ]{0,3}(=+|-{2,})[ \\t]*$");
  private static final Pattern RULE = Pattern.compile("^[ ]{0,3}([-*_])([ \\t]*\\1){2,}[ \\t]*$");
  private static final Pattern TABLE_ROW = Pattern.compile("^\\s*\\|.*\\|\\s*$");

  private static final Pattern IMAGE = Pattern.compile("[ \\t]*!\\[[^\\]]*\\](\\([^)\\n]*\\)|\\[[^\\]\\n]*\\])?");
  private static final Pattern LINK = Pattern.compile(
      "\\[([^\\[\\]]*)\\]\\(<?([^()\\s\\[\\]*<>]*(?:\\([^()\\s]*\\)[^()\\s\\[\\]*<>]*)*)>?"
          + "(?:\\s+(?:\"[^\"\\n]*\"|'[^'\\n]*'))?\\)");
  private static final Pattern REFERENCE = Pattern.compile("\\[([^\\[\\]\\n]+)\\](?:\\[([^\\[\\]\\n]*)\\])?");
  private static final Pattern AUTOLINK = Pattern.compile("<((?:https?|mailto):[^<>\\s]+)>");
  private static final Pattern STRONG =
      Pattern.compile("(\\*\\*|__)(?=\\S)(.+?)(?<=\\S)\\1");
  private static final Pattern EMPHASIS_STAR =
      Pattern.compile("(?<=^|[\\s(\"'])\\*(?=[\\p{L}\\p{N}])([^*\\n]{1,200}?)(?<=[\\p{L}\\p{N}.)!?])\\*(?![\\p{L}\\p{N}*])");
  private static final Pattern EMPHASIS_UNDERSCORE =
      Pattern.compile("(?<=^|[\\s(\"'])_(?=[\\p{L}\\p{N}])([^_\\n]{1,200}?)(?<=[\\p{L}\\p{N}.)!?])_(?![\\p{L}\\p{N}_])");
  private static final Pattern STRIKE = Pattern.compile("~~(?=\\S)(.+?)(?<=\\S)~~");
  private static final Pattern LINE_MARKER =
      Pattern.compile("(?m)^[ \\t]*(?:>[ \\t]?)*(?:\\\\?[-*+][ \\t]+|\\d{1,3}[.)][ \\t]+)?");
  private static final Pattern ALERT = Pattern.compile("^\\[!(NOTE|TIP|IMPORTANT|WARNING|CAUTION)\\]\\s*",
      Pattern.CASE_INSENSITIVE);
  private static final Pattern ESCAPE = Pattern.compile("\\\\([!-/:-@\\[-`{-~])");
  private static final Pattern SENTENCE_END = Pattern.compile("(?<!\\.[a-z])[.!?](?=\\s)");

  private static final char PLACEHOLDER = '\u0000';

  /**
   * The compact form of a description, or {@code null} if nothing readable is left (a
   * description that was only a comment, an image or a code block).
   */
  public String compact(String description) {
    if (description == null || description.isBlank()) {
      return null;
    }
    String text = description.replace("\r\n", "\n").replace('\r', '\n')
        .replace(PLACEHOLDER, ' ');
    if (text.contains("<!--")) {
      text = COMMENT.matcher(text).replaceAll("");
    }
    if (text.contains("```") || text.contains("~~~")) {
      text = FENCE.matcher(text).replaceAll("\n\n");
    }
    List<String> code = new ArrayList<>();
    if (text.indexOf('`') >= 0) {
      text = protectCode(text, code);
    }
    text = html(text);
    Set<String> labels = new HashSet<>();
    if (text.contains("]:")) {
      Matcher definitions = DEFINITION.matcher(text);
      while (definitions.find()) {
        labels.add(definitions.group(1).strip().toLowerCase(Locale.ROOT));
      }
      text = definitions.replaceAll("");
    }
    return choose(blocks(text), labels, code);
  }

  /** Code spans, replaced by numbered placeholders so that no later step touches their text. */
  private static String protectCode(String text, List<String> code) {
    Matcher spans = CODE_SPAN.matcher(text);
    StringBuilder out = new StringBuilder();
    while (spans.find()) {
      String content = spans.group(2);
      if (content.contains("\n\n")) {
        spans.appendReplacement(out, Matcher.quoteReplacement(spans.group()));
        continue;
      }
      code.add(collapse(content));
      spans.appendReplacement(out, PLACEHOLDER + String.valueOf(code.size() - 1) + PLACEHOLDER);
    }
    spans.appendTail(out);
    return out.toString();
  }

  private static String html(String text) {
    if (text.indexOf('<') < 0) {
      return text;
    }
    text = HTML_DROPPED.matcher(text).replaceAll("\n\n");
    text = HTML_HEADING.matcher(text).replaceAll(m -> Matcher.quoteReplacement(
        "\n\n# " + collapse(m.group(2)) + "\n\n"));
    text = HTML_BREAK.matcher(text).replaceAll("\n\n");
    text = HTML_LINE.matcher(text).replaceAll("\n");
    text = HTML_IMAGE.matcher(text).replaceAll("");
    return HTML_INLINE.matcher(text).replaceAll("");
  }

  /** A block of the description: a paragraph, or a heading, rule or table to be skipped. */
  private record Block(String text, boolean substantive) {}

  private static List<Block> blocks(String text) {
    List<Block> blocks = new ArrayList<>();
    List<String> lines = new ArrayList<>();
    for (String line : text.split("\n", -1)) {
      String start = line.stripLeading();
      char first = start.isEmpty() ? ' ' : start.charAt(0);
      Matcher heading = first == '#' ? HEADING.matcher(line) : null;
      if (start.isEmpty()) {
        flush(lines, blocks);
      } else if (heading != null && heading.matches()) {
        flush(lines, blocks);
        blocks.add(new Block(heading.group(1) == null ? "" : heading.group(1), false));
      } else if ((first == '=' || first == '-') && !lines.isEmpty()
          && SETEXT.matcher(line).matches()) {
        String title = String.join(" ", lines);
        lines.clear();
        blocks.add(new Block(title, false));
      } else if ((first == '-' || first == '*' || first == '_') && RULE.matcher(line).matches()) {
        flush(lines, blocks);
      } else {
        lines.add(line);
      }
    }
    flush(lines, blocks);
    return blocks;
  }

  private static void flush(List<String> lines, List<Block> blocks) {
    if (lines.isEmpty()) {
      return;
    }
    boolean table = lines.stream().allMatch(l -> l.strip().startsWith("|")
        && TABLE_ROW.matcher(l).matches());
    blocks.add(new Block(String.join("\n", lines), !table));
    lines.clear();
  }

  /**
   * The first substantive paragraph as plain text; while that is a label rather than a sentence
   * (shorter than {@link #SENTENCE}, or without a full stop at its end), the next paragraph's
   * first sentences are added. Else the first heading's text; else {@code null}.
   */
  private static String choose(List<Block> blocks, Set<String> labels, List<String> code) {
    StringBuilder result = new StringBuilder();
    String fallback = null;
    for (Block block : blocks) {
      String plain = plain(block.text(), labels, code);
      if (plain.isEmpty()) {
        continue;
      }
      if (!block.substantive()) {
        fallback = fallback == null ? plain : fallback;
        continue;
      }
      if (result.length() > 0) {
        result.append(endsSentence(result) || endsWithColon(result) ? " " : ". ").append(leadingSentences(plain));
      } else {
        result.append(plain);
      }
      if (endsWithColon(result)) {
        int complete = lastSentenceEnd(result);
        if (complete > 0) {
          result.setLength(complete);
          break;
        }
      } else if (result.length() >= SENTENCE && endsSentence(result)) {
        break;
      }
    }
    return result.length() > 0 ? result.toString() : fallback;
  }

  private static boolean endsSentence(CharSequence text) {
    char last = text.charAt(text.length() - 1);
    return last == '.' || last == '!' || last == '?';
  }

  private static boolean endsWithColon(CharSequence text) {
    return text.charAt(text.length() - 1) == ':';
  }

  /** The paragraph's first sentences, at least {@link #SENTENCE} characters of them. */
  private static String leadingSentences(String text) {
    Matcher end = SENTENCE_END.matcher(text);
    while (end.find()) {
      if (end.end() >= SENTENCE) {
        return text.substring(0, end.end());
      }
    }
    return text;
  }

  /** Where the text's last complete sentence ends (before a trailing fragment), or 0. */
  private static int lastSentenceEnd(CharSequence text) {
    Matcher ends = SENTENCE_END.matcher(text);
    int end = 0;
    while (ends.find()) {
      end = ends.end();
    }
    return end;
  }

  /** One block's Markdown and leftover markup removed, code restored, whitespace collapsed. */
  private static String plain(String block, Set<String> labels, List<String> code) {
    String text = LINE_MARKER.matcher(block).replaceAll("");
    if (text.startsWith("[!")) {
      text = ALERT.matcher(text).replaceFirst(m -> capitalised(m.group(1)) + ": ");
    }
    if (text.indexOf('[') >= 0) {
      text = IMAGE.matcher(text).replaceAll("");
      text = LINK.matcher(text).replaceAll(m -> Matcher.quoteReplacement(m.group(1)));
      text = REFERENCE.matcher(text).replaceAll(m -> {
        String label = m.group(2) == null || m.group(2).isBlank() ? m.group(1) : m.group(2);
        boolean defined = labels.contains(label.strip().toLowerCase(Locale.ROOT));
        return Matcher.quoteReplacement(defined ? m.group(1) : m.group());
      });
    }
    if (text.indexOf('<') >= 0) {
      text = AUTOLINK.matcher(text).replaceAll("$1");
    }
    if (text.indexOf('*') >= 0 || text.indexOf('_') >= 0) {
      text = STRONG.matcher(text).replaceAll("$2");
      text = EMPHASIS_STAR.matcher(text).replaceAll("$1");
      text = EMPHASIS_UNDERSCORE.matcher(text).replaceAll("$1");
    }
    if (text.contains("~~")) {
      text = STRIKE.matcher(text).replaceAll("$1");
    }
    if (text.indexOf('\\') >= 0) {
      text = ESCAPE.matcher(text).replaceAll("$1");
    }
    text = entities(text);
    return collapse(restoreCode(text, code));
  }

  /** Runs of whitespace (no-break spaces included) to one space, and none at either end. */
  static String collapse(String text) {
    StringBuilder out = new StringBuilder(text.length());
    boolean space = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isWhitespace(c) || c == '\u00a0') {
        space = out.length() > 0;
      } else {
        if (space) {
          out.append(' ');
          space = false;
        }
        out.append(c);
      }
    }
    return out.toString();
  }

  private static String capitalised(String word) {
    return word.charAt(0) + word.substring(1).toLowerCase(Locale.ROOT);
  }

  private static String restoreCode(String text, List<String> code) {
    if (text.indexOf(PLACEHOLDER) < 0) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length());
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      int close = c == PLACEHOLDER ? text.indexOf(PLACEHOLDER, i + 1) : -1;
      if (close > i) {
        out.append(code.get(Integer.parseInt(text.substring(i + 1, close))));
        i = close + 1;
      } else {
        out.append(c);
        i++;
      }
    }
    return out.toString();
  }

  private static String entities(String text) {
    if (text.indexOf('&') < 0) {
      return text;
    }
    return ENTITY.matcher(text).replaceAll(m -> {
      String name = m.group(1);
      String decoded;
      if (name.charAt(0) == '#') {
        int codePoint = name.charAt(1) == 'x' || name.charAt(1) == 'X'
            ? Integer.parseInt(name.substring(2), 16) : Integer.parseInt(name.substring(1));
        decoded = Character.isValidCodePoint(codePoint) && codePoint != 0
            ? new String(Character.toChars(codePoint)) : m.group();
      } else {
        decoded = ENTITIES.getOrDefault(name, m.group());
      }
      return Matcher.quoteReplacement(decoded);
    });
  }
}
