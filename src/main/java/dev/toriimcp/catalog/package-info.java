/**
 * OpenAPI/Swagger document to MCP tool catalog. A spec is loaded once (swagger-parser: Swagger
 * 2.0, OpenAPI 3.0 and 3.1, multi-file), normalised to a JSON tree, and compiled into an immutable
 * {@link dev.toriimcp.catalog.entity.ToolCatalog}: one tool per operation allowed by the backend's
 * policy, each with a self-contained JSON Schema 2020-12 input schema (no {@code $ref}, no root
 * combinator) and an {@link dev.toriimcp.catalog.entity.OperationBinding} that says how
 * arguments map back onto an HTTP request.
 *
 * <p>Tools are listed in spec order, and the same spec yields the same {@code tools/list} bytes
 * in every process and from JSON or YAML alike (clients cache prompts by prefix). Descriptions
 * are compacted to their first paragraph in plain text unless the backend asks for them in full;
 * tool search indexes the full text.
 */
package dev.toriimcp.catalog;
