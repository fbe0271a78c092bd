package dev.toriimcp.mcp.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What each negotiated MCP version may see (research §1.8: both sides MUST respect the
 * negotiated version). The catalog and the response mapper build the newest shape; older
 * clients get it without the fields their version does not define, since strict validators
 * exist:
 * <ul>
 *   <li>before 2025-06-18: no {@code title} or {@code outputSchema} on a tool (2025-03-26
 *       gets the title as {@code annotations.title}, where that version defines one), no
 *       {@code structuredContent} in a result (its JSON is always in a text block as well), no
 *       {@code title} in {@code serverInfo};
 *   <li>2024-11-05: no tool {@code annotations}, and no {@code audio} content; audio goes as an
 *       embedded resource with the same data and MIME type, which that version defines.
 * </ul>
 * Versions are dates, so they compare as strings. Nodes that need no change are returned as
 * they are; others are copied, never changed in place (tool definitions are shared).
 */
public final class ProtocolShapes {

  private static final String V2025_03_26 = "2025-03-26";
  /** The version to assume when a request has neither a session nor the header (§1.6). */
  public static final String ASSUMED = V2025_03_26;
  /** The one version whose clients may POST JSON-RPC batches (2025-06-18 removed them). */
  public static final String BATCHING = V2025_03_26;
  private static final String ANNOTATED = V2025_03_26;
  private static final String STRUCTURED = "2025-06-18";

  private ProtocolShapes() {}

  /** Whether {@code version} defines output schemas and {@code structuredContent}. */
  public static boolean structured(String version) {
    return version.compareTo(STRUCTURED) >= 0;
  }

  /** A tool definition as {@code version} defines it. */
  public static JsonNode tool(JsonNode definition, String version) {
    if (version.compareTo(STRUCTURED) >= 0 || !definition.isObject()) {
      return definition;
    }
    ObjectNode shaped = ((ObjectNode) definition).deepCopy();
    JsonNode title = shaped.remove("title");
    shaped.remove("outputSchema");
    if (version.compareTo(ANNOTATED) < 0) {
      shaped.remove("annotations");
    } else if (title != null && shaped.get("annotations") instanceof ObjectNode annotations
        && !annotations.has("title")) {
      annotations.set("title", title);
    }
    return shaped;
  }

  /**
   * A {@code tools/call} result as {@code version} defines it; {@code resourceUri} names an
   * embedded resource made from audio, as the mapper names its blobs.
   */
  public static ObjectNode toolResult(ObjectNode result, String version, String resourceUri) {
    if (version.compareTo(STRUCTURED) >= 0) {
      return result;
    }
    ObjectNode shaped = result.deepCopy();
    shaped.remove("structuredContent");
    if (version.compareTo(ANNOTATED) < 0 && shaped.get("content") instanceof ArrayNode content) {
      for (int i = 0; i < content.size(); i++) {
        JsonNode item = content.get(i);
        if ("audio".equals(item.path("type").asText())) {
          content.set(i, embedded(item, resourceUri));
        }
      }
    }
    return shaped;
  }

  /** The {@code serverInfo} of an {@code initialize} result as {@code version} defines it. */
  public static ObjectNode serverInfo(ObjectNode serverInfo, String version) {
    if (version.compareTo(STRUCTURED) >= 0) {
      return serverInfo;
    }
    ObjectNode shaped = serverInfo.deepCopy();
    shaped.remove("title");
    return shaped;
  }

  private static ObjectNode embedded(JsonNode audio, String resourceUri) {
    ObjectNode item = JsonNodeFactory.instance.objectNode().put("type", "resource");
    item.putObject("resource").put("uri", resourceUri)
        .put("mimeType", audio.path("mimeType").asText())
        .put("blob", audio.path("data").asText());
    return item;
  }
}
