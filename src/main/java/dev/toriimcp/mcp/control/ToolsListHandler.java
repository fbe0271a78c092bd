package dev.toriimcp.mcp.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toriimcp.catalog.entity.CompiledTool;
import dev.toriimcp.catalog.entity.ToolCatalog;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code tools/list} with opaque cursors (MCP 2025-11-25 server/tools, utilities/pagination: an
 * invalid cursor is {@code -32602}). The tool definitions a version may see are shaped once per
 * catalog and version and then shared: before this, every page for a pre-2025-06-18 client
 * deep-copied each of its tools (ADR 0013). A reloaded catalog is a new object, so its shapes are
 * made anew and the old ones are dropped with it. A dynamic catalog lists its meta-tools
 * ({@link DynamicTools}) instead of its own.
 */
final class ToolsListHandler {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** The shapes of one catalog, by protocol version (at most the four versions served). */
  private record Shapes(ToolCatalog catalog, Map<String, List<JsonNode>> byVersion) {}

  private final Map<String, Shapes> byBackend = new ConcurrentHashMap<>();
  private final int pageSize;

  ToolsListHandler(int pageSize) {
    this.pageSize = pageSize;
  }

  /** The result for {@code params}, or null if its cursor names no page of this catalog. */
  ObjectNode list(String backend, ToolCatalog catalog, String protocolVersion, JsonNode params) {
    List<JsonNode> shaped = shaped(backend, catalog, protocolVersion);
    int offset = 0;
    JsonNode cursor = params.get("cursor");
    if (cursor != null && !cursor.isNull()) {
      try {
        offset = Integer.parseInt(new String(Base64.getUrlDecoder().decode(cursor.asText()),
            StandardCharsets.US_ASCII));
      } catch (IllegalArgumentException e) {
        return null;
      }
      if (offset < 0 || offset > shaped.size()) {
        return null;
      }
    }
    ObjectNode result = NODES.objectNode();
    ArrayNode tools = result.putArray("tools");
    int end = Math.min(shaped.size(), offset + pageSize);
    for (int i = offset; i < end; i++) {
      tools.add(shaped.get(i));
    }
    if (end < shaped.size()) {
      result.put("nextCursor", Base64.getUrlEncoder().withoutPadding()
          .encodeToString(String.valueOf(end).getBytes(StandardCharsets.US_ASCII)));
    }
    return result;
  }

  /** The catalog's tool definitions as {@code version} defines them, made once and shared. */
  List<JsonNode> shaped(String backend, ToolCatalog catalog, String version) {
    Shapes shapes = byBackend.compute(backend, (name, known) -> known != null
        && known.catalog() == catalog ? known : new Shapes(catalog, new ConcurrentHashMap<>()));
    return shapes.byVersion().computeIfAbsent(version, v -> (catalog.dynamic()
        ? DynamicTools.definitions(catalog).stream()
        : catalog.tools().stream().map(CompiledTool::definition))
        .map(definition -> ProtocolShapes.tool(definition, v)).toList());
  }
}
