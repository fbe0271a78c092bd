package dev.toriimcp.mcp.boundary;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** JSON-RPC error bodies for transport-level refusals (no request id known). */
final class McpDispatcherErrors {

  private McpDispatcherErrors() {}

  static ObjectNode error(int code, String message) {
    ObjectNode body = JsonNodeFactory.instance.objectNode().put("jsonrpc", "2.0");
    body.putNull("id");
    body.putObject("error").put("code", code).put("message", message);
    return body;
  }
}
