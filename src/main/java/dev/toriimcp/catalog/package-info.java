/**
 * OpenAPI/Swagger document to MCP tool catalog. A spec is loaded once (swagger-parser: Swagger
 * 2.0, OpenAPI 3.0 and 3.1, multi-file), normalised to a JSON tree, and compiled into an immutable
 * {@link dev.toriimcp.catalog.entity.ToolCatalog}: one tool per operation allowed by the backend's
 * policy, each with a self-contained JSON Schema 2020-12 input schema (no {@code $ref}, no root
 * combinator) and an {@link dev.toriimcp.catalog.entity.OperationBinding} that says how
 * arguments map back onto an HTTP request.
 */
package dev.toriimcp.catalog;
