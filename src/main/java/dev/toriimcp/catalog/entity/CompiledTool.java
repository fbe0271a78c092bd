package dev.toriimcp.catalog.entity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One MCP tool, ready to list and to call. The JSON nodes are built once and never modified after
 * compilation; treat them as read-only.
 *
 * @param name unique within the backend, {@code ^[A-Za-z0-9_-]{1,64}$}
 * @param title short human title (the operation's summary), or {@code null}
 * @param description what the tool does, trimmed to the configured length, or {@code null}
 * @param inputSchema JSON Schema 2020-12, root {@code type: object}, no {@code $ref}
 * @param outputSchema the published output schema, or {@code null} (only where configured)
 * @param annotations behaviour hints
 * @param binding how to call the operation
 * @param definition the complete {@code Tool} object as served by {@code tools/list}
 * @param fullDescription the description as {@code descriptions: full} publishes it (as the spec
 *     or the operator writes it, trimmed to the configured length): what tool search indexes, so
 *     that compacting what a model reads does not make tools harder to find
 */
public record CompiledTool(
    String name,
    String title,
    String description,
    ObjectNode inputSchema,
    ObjectNode outputSchema,
    ToolAnnotations annotations,
    OperationBinding binding,
    JsonNode definition,
    String fullDescription) {

  /** A tool whose published description is its full one. */
  public CompiledTool(String name, String title, String description, ObjectNode inputSchema,
      ObjectNode outputSchema, ToolAnnotations annotations, OperationBinding binding,
      JsonNode definition) {
    this(name, title, description, inputSchema, outputSchema, annotations, binding, definition,
        description);
  }
}
