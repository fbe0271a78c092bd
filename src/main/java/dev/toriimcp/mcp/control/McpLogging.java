package dev.toriimcp.mcp.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * MCP logging (2025-11-25 server/utilities/logging): the levels of RFC 5424 in order of severity,
 * and the {@code notifications/message} the gateway sends. It has one honest thing to say: that
 * a tool call's upstream failed or timed out, which the model also reads in the result, but which
 * a client shows its user apart from the conversation. A session gets messages only once its
 * client has chosen a level with {@code logging/setLevel}, and only at that level or above (the
 * specification leaves the default to the server; ADR 0013). Messages carry the backend, the tool
 * and the gateway's own words, never an argument, a credential or an upstream body.
 */
public final class McpLogging {

  /** RFC 5424 severities, least severe first (MCP server/utilities/logging, "Log Levels"). */
  public static final List<String> LEVELS =
      List.of("debug", "info", "notice", "warning", "error", "critical", "alert", "emergency");
  static final String LOGGER = "torii-mcp";

  private McpLogging() {}

  /** Whether {@code level} is one of the eight levels. */
  public static boolean valid(String level) {
    return level != null && LEVELS.contains(level);
  }

  /** Whether a message at {@code level} passes a session whose chosen level is {@code chosen}. */
  static boolean passes(String level, String chosen) {
    return valid(chosen) && LEVELS.indexOf(level) >= LEVELS.indexOf(chosen);
  }

  /** A {@code notifications/message} about a tool call. */
  static JsonNode message(String level, String backend, String tool, String text) {
    ObjectNode notification = JsonNodeFactory.instance.objectNode().put("jsonrpc", "2.0")
        .put("method", "notifications/message");
    ObjectNode params = notification.putObject("params").put("level", level).put("logger", LOGGER);
    params.putObject("data").put("backend", backend).put("tool", tool).put("message", text);
    return notification;
  }
}
