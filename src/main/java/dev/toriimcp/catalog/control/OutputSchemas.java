package dev.toriimcp.catalog.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Output schemas that the real response cannot violate. Real APIs often do not match their own
 * response schemas (peers.md §2 item 10), and MCP clients reject a {@code structuredContent} that
 * fails the {@code outputSchema}. So a published output schema keeps only the shape as
 * documentation (properties, items, titles and descriptions) under a root {@code type: object}:
 * every JSON object satisfies it. Published only where the configuration asks for it.
 */
final class OutputSchemas {

  private static final List<String> KEPT = List.of("title", "description");

  private OutputSchemas() {}

  /** The documentation-only output schema of the first successful JSON object response, or null. */
  static ObjectNode of(SchemaTranslator responses, JsonNode operation) {
    Iterator<Map.Entry<String, JsonNode>> codes = operation.path("responses").fields();
    while (codes.hasNext()) {
      Map.Entry<String, JsonNode> code = codes.next();
      if (!code.getKey().startsWith("2")) {
        continue;
      }
      JsonNode response = responses.resolve(code.getValue());
      if (response == null) {
        continue;
      }
      Iterator<Map.Entry<String, JsonNode>> media = response.path("content").fields();
      while (media.hasNext()) {
        Map.Entry<String, JsonNode> entry = media.next();
        String type = entry.getKey().toLowerCase(Locale.ROOT);
        if (!(type.startsWith("application/json") || type.contains("+json"))) {
          continue;
        }
        ObjectNode translated = responses.input(entry.getValue().get("schema"));
        boolean object = "object".equals(translated.path("type").asText())
            || translated.has("properties");
        if (object) {
          ObjectNode shape = documentation(translated);
          shape.put("type", "object");
          return shape;
        }
      }
    }
    return null;
  }

  private static ObjectNode documentation(JsonNode schema) {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    for (String keyword : KEPT) {
      if (schema.has(keyword)) {
        out.set(keyword, schema.get(keyword));
      }
    }
    if (schema.path("properties").isObject()) {
      ObjectNode properties = out.putObject("properties");
      schema.get("properties").fields().forEachRemaining(
          field -> properties.set(field.getKey(), documentation(field.getValue())));
    }
    if (schema.path("items").isObject()) {
      out.set("items", documentation(schema.get("items")));
    }
    return out;
  }
}
