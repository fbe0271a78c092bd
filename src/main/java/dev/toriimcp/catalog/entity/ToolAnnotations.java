package dev.toriimcp.catalog.entity;

/**
 * MCP tool annotations (MCP 2025-11-25 server/tools). All four are always set explicitly: some
 * clients do not apply the spec's defaults and show every tool as a write (peers.md, item 25).
 */
public record ToolAnnotations(
    boolean readOnlyHint, boolean destructiveHint, boolean idempotentHint, boolean openWorldHint) {

  /** Derived from the HTTP method's semantics (RFC 9110 §9.2). */
  public static ToolAnnotations forMethod(String method) {
    return switch (method) {
      case "GET", "HEAD", "OPTIONS", "TRACE" -> new ToolAnnotations(true, false, true, true);
      case "PUT", "DELETE" -> new ToolAnnotations(false, true, true, true);
      case "PATCH" -> new ToolAnnotations(false, true, false, true);
      default -> new ToolAnnotations(false, false, false, true); // POST and unknown: additive
    };
  }
}
