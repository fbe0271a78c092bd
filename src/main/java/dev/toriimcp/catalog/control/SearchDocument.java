package dev.toriimcp.catalog.control;

import com.fasterxml.jackson.databind.JsonNode;
import dev.toriimcp.catalog.entity.CompiledTool;
import dev.toriimcp.catalog.entity.ParameterBinding;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.TextField;

/**
 * One compiled tool as {@link ToolSearch} sees it: the words of each indexed field, and the
 * signals that reorder the text matches (ADR 0030). Every part is derived from what any spec has
 * (a name, a method and path, a summary or a description), so nothing here knows one API.
 */
final class SearchDocument {

  static final String NAME = "name";
  static final String SUMMARY = "summary";
  static final String PATH = "path";
  static final String TAGS = "tags";
  static final String PARAMETERS = "parameters";
  static final String DESCRIPTION = "description";

  private static final Pattern DEPRECATION =
      Pattern.compile("\\bdeprecat", Pattern.CASE_INSENSITIVE);
  private static final Pattern ADMIN = Pattern.compile("\\badmin\\b", Pattern.CASE_INSENSITIVE);
  private static final int MAX_VALUE_LENGTH = 40;
  private static final Pattern PARAGRAPH = Pattern.compile("\\R\\s*\\R");
  private static final Pattern SPACE = Pattern.compile("\\s+");

  private SearchDocument() {}

  static Document of(CompiledTool tool) {
    Document document = new Document();
    add(document, NAME, ToolSearch.words(tool.name()));
    add(document, SUMMARY, summary(tool));
    add(document, PATH, ToolSearch.words(tool.binding().pathTemplate()));
    add(document, TAGS, ToolSearch.words(String.join(" ", tool.binding().tags())));
    add(document, PARAMETERS, ToolSearch.words(parameterNames(tool)));
    // The spec's own words, not the compacted ones clients are shown: more to match on.
    add(document, DESCRIPTION, tool.fullDescription());
    return document;
  }

  /**
   * The one line that says what the tool does: the operation's summary, or else the first
   * sentence of its description. Shown in hits and indexed as the summary, so that a spec with
   * descriptions only (Slack's) has its one-liners weighed as summaries, not as prose.
   */
  static String summary(CompiledTool tool) {
    String text = tool.title() != null && !tool.title().isBlank() ? tool.title()
        : firstSentence(tool.description());
    return SPACE.matcher(text).replaceAll(" ").trim();
  }

  /**
   * Whether the summary or the first paragraph of the description says the operation is
   * deprecated. The compiled tool keeps no OpenAPI {@code deprecated} flag; specs that set it say
   * so in the prose as well (GitHub's 48 deprecated operations open with a "Deprecation Notice").
   */
  static boolean deprecated(CompiledTool tool) {
    String description = tool.description() == null ? "" : tool.description().strip();
    return DEPRECATION.matcher(summary(tool)).find()
        || DEPRECATION.matcher(PARAGRAPH.split(description, 2)[0]).find();
  }

  /**
   * Whether the tool is in an administrators' namespace ({@code admin_users_remove}, {@code
   * enterprise-admin/list-runner-groups-for-enterprise}): the workspace or enterprise owner's
   * variant of an everyday operation, which shares its words and should not outrank it.
   */
  static boolean administrative(CompiledTool tool) {
    return ADMIN.matcher(ToolSearch.words(tool.name())).find();
  }

  /**
   * The CRUD verbs that the tool's HTTP method stands for, in the words API names use: {@code
   * GET} of a path ending in a parameter reads one item (get), any other {@code GET} lists;
   * {@code POST} creates, {@code PUT} and {@code PATCH} update, {@code DELETE} deletes (RFC 9110
   * §9.3). For an RPC-style API that posts everything this says little, and costs nothing: all its
   * tools get the same verbs.
   */
  static Set<String> verbs(String method, String path) {
    return switch (method.toUpperCase(Locale.ROOT)) {
      case "GET" -> path.endsWith("}") ? Set.of("get") : Set.of("list", "get");
      case "POST" -> Set.of("create");
      case "PUT", "PATCH" -> Set.of("update");
      case "DELETE" -> Set.of("delete");
      default -> Set.of();
    };
  }

  private static void add(Document document, String field, String text) {
    if (text != null && !text.isBlank()) {
      document.add(new TextField(field, text, Field.Store.NO));
    }
  }

  private static String parameterNames(CompiledTool tool) {
    StringBuilder names = new StringBuilder();
    for (ParameterBinding parameter : tool.binding().parameters()) {
      names.append(parameter.name()).append(' ');
    }
    if (tool.inputSchema() != null) {
      JsonNode inputs = tool.inputSchema().path("properties");
      inputs.forEach(input -> values(input, names));
      inputs.path(SpecCompiler.BODY).path("properties").fields().forEachRemaining(property -> {
        names.append(property.getKey()).append(' ');
        values(property.getValue(), names);
      });
    }
    return names.toString();
  }

  /**
   * The enumerated values of an input ({@code state: open | closed}, {@code event: APPROVE |
   * REQUEST_CHANGES | COMMENT}): what a caller can make the operation do, often the very verb of
   * the task ("close an issue", "approve a pull request"). Strings only, short ones only.
   */
  private static void values(JsonNode schema, StringBuilder names) {
    JsonNode values = schema.path("enum").isArray() ? schema.path("enum")
        : schema.path("items").path("enum");
    for (JsonNode value : values) {
      if (value.isTextual() && value.asText().length() <= MAX_VALUE_LENGTH) {
        names.append(value.asText()).append(' ');
      }
    }
  }

  private static String firstSentence(String description) {
    if (description == null) {
      return "";
    }
    String line = description.strip().lines().findFirst().orElse("");
    int stop = line.indexOf(". ");
    return stop < 0 ? line : line.substring(0, stop + 1);
  }
}
