package dev.toriimcp.mcp.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toriimcp.catalog.entity.CompiledTool;
import dev.toriimcp.catalog.entity.ToolCatalog;
import dev.toriimcp.catalog.entity.ToolSearchHit;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The three meta-tools a dynamic backend lists instead of its own (issue 16, ADR 0031): {@value
 * #SEARCH} finds tools for a task, {@value #DESCRIBE} gives one tool's definition, {@value #CALL}
 * calls one. Together they cost a client under 1,000 bytes of {@code tools/list} whatever the
 * size of the API; the tools themselves stay callable by their own names too.
 *
 * <p>{@value #CALL} is not answered here: the dispatcher unwraps it into the very {@code
 * tools/call} a direct call makes ({@link #unwrap}), so validation, limits, credential, mapping,
 * audit and errors are those of the direct path by construction.
 */
final class DynamicTools {

  static final String SEARCH = "search_tools";
  static final String DESCRIBE = "describe_tool";
  static final String CALL = "call_tool";
  static final int DEFAULT_LIMIT = 10;
  static final int MAX_LIMIT = 50;

  private static final Set<String> NAMES = Set.of(SEARCH, DESCRIBE, CALL);
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  /** The longest API title quoted in a description: enough to tell backends apart. */
  private static final int TITLE_LENGTH = 40;

  private DynamicTools() {}

  /** Whether {@code name} is one of the meta-tools (which take precedence in a dynamic catalog). */
  static boolean isMeta(String name) {
    return name != null && NAMES.contains(name);
  }

  /** The meta-tools' definitions for {@code catalog}, in the newest shape. */
  static List<JsonNode> definitions(ToolCatalog catalog) {
    ObjectNode searchProperties = NODES.objectNode();
    searchProperties.putObject("query").put("type", "string")
        .put("description", "the task in plain words");
    searchProperties.putObject("limit").put("type", "integer").put("minimum", 1)
        .put("maximum", MAX_LIMIT);
    ObjectNode describeProperties = NODES.objectNode();
    describeProperties.putObject("name").put("type", "string");
    ObjectNode callProperties = NODES.objectNode();
    callProperties.putObject("name").put("type", "string");
    callProperties.putObject("arguments").put("type", "object");
    return List.of(
        tool(SEARCH, "Find tools for a task among the " + catalog.tools().size() + " of "
            + api(catalog) + ". Returns names, methods and paths.", true, searchProperties,
            "query"),
        tool(DESCRIBE, "A tool's description and input schema. Read it before " + CALL + ".",
            true, describeProperties, "name"),
        tool(CALL, "Call a tool by name with arguments matching its input schema.", false,
            callProperties, "name"));
  }

  /**
   * A {@value #SEARCH} result: the best matches as JSON text, or a tool error the model can act
   * on when the query or limit is unusable.
   */
  static ObjectNode search(ToolCatalog catalog, JsonNode arguments) {
    JsonNode query = arguments.path("query");
    if (!query.isTextual()) {
      return McpDispatcher.toolError(
          SEARCH + ": 'query' is required: a task in a few plain words");
    }
    JsonNode limit = arguments.path("limit");
    int count = DEFAULT_LIMIT;
    if (!limit.isMissingNode() && !limit.isNull()) {
      if (!limit.isIntegralNumber() || limit.asLong() < 1 || limit.asLong() > MAX_LIMIT) {
        return McpDispatcher.toolError(
            SEARCH + ": 'limit' must be a whole number from 1 to " + MAX_LIMIT);
      }
      count = limit.asInt();
    }
    List<ToolSearchHit> hits;
    try {
      hits = catalog.index().search(query.asText(), count);
    } catch (IllegalArgumentException e) {
      return McpDispatcher.toolError(SEARCH + ": " + e.getMessage());
    }
    ObjectNode found = NODES.objectNode();
    var tools = found.putArray("tools");
    for (ToolSearchHit hit : hits) {
      tools.addObject().put("name", hit.name()).put("summary", hit.summary())
          .put("method", hit.method()).put("path", hit.path());
    }
    if (hits.isEmpty()) {
      found.put("hint", "No tool matches these words; try others, e.g. the resource's name.");
    }
    return text(found.toString());
  }

  /**
   * A {@value #DESCRIBE} result: the tool's definition as {@code protocolVersion} would list
   * it, or a tool error naming the unknown tool.
   */
  static ObjectNode describe(ToolCatalog catalog, JsonNode arguments, String protocolVersion) {
    JsonNode name = arguments.path("name");
    Optional<CompiledTool> tool = name.isTextual() ? catalog.tool(name.asText()) : Optional.empty();
    if (tool.isEmpty()) {
      return McpDispatcher.toolError(DESCRIBE + ": unknown tool "
          + (name.isTextual() ? name.asText() : "(no name)") + "; " + SEARCH
          + " finds this backend's tool names");
    }
    return text(ProtocolShapes.tool(tool.get().definition(), protocolVersion).toString());
  }

  /**
   * The {@code tools/call} params a {@value #CALL} stands for: its {@code name} and {@code
   * arguments} as the direct call's, or {@code null} when its own arguments are not an object
   * (which the direct path refuses with the same error it gives a direct call).
   */
  static JsonNode unwrap(JsonNode params) {
    JsonNode arguments = params.path("arguments");
    if (arguments.isMissingNode() || arguments.isNull()) {
      return NODES.objectNode();
    }
    if (!arguments.isObject()) {
      return null;
    }
    ObjectNode direct = NODES.objectNode();
    if (arguments.has("name")) {
      direct.set("name", arguments.get("name"));
    }
    if (arguments.has("arguments")) {
      direct.set("arguments", arguments.get("arguments"));
    }
    return direct;
  }

  private static ObjectNode tool(String name, String description, boolean readOnly,
      ObjectNode properties, String required) {
    // No title: the names say it, and every byte here is paid in every conversation.
    ObjectNode tool = NODES.objectNode().put("name", name).put("description", description);
    ObjectNode schema = tool.putObject("inputSchema").put("type", "object");
    schema.set("properties", properties);
    schema.putArray("required").add(required);
    // Honest hints: searching and describing read the catalog and touch nothing (the other
    // hints mean nothing for a read-only tool, MCP server/tools); a call may do anything the
    // API can, destructive and not idempotent (idempotentHint's default, false, says the latter).
    ObjectNode annotations = tool.putObject("annotations").put("readOnlyHint", readOnly);
    if (readOnly) {
      annotations.put("openWorldHint", false);
    } else {
      annotations.put("destructiveHint", true).put("openWorldHint", true);
    }
    return tool;
  }

  private static String api(ToolCatalog catalog) {
    String title = catalog.title() == null || catalog.title().isBlank()
        ? "backend '" + catalog.backend() + "'" : catalog.title().strip();
    return title.length() <= TITLE_LENGTH ? title
        : title.substring(0, TITLE_LENGTH - 1).strip() + "…";
  }

  private static ObjectNode text(String text) {
    ObjectNode result = NODES.objectNode();
    result.putArray("content").addObject().put("type", "text").put("text", text);
    return result;
  }
}
