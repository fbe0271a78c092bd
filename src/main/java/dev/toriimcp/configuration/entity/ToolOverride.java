package dev.toriimcp.configuration.entity;

/**
 * A per-operation override from {@code backends[].tools}, keyed there by operationId or by
 * {@code "METHOD /path"}.
 *
 * @param name the tool's name instead of the derived one, or {@code null}
 * @param description the tool's description instead of the spec's, or {@code null}
 * @param outputSchema whether to publish an {@code outputSchema} for the tool (see README)
 */
public record ToolOverride(String name, String description, boolean outputSchema) {}
