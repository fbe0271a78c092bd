package dev.toriimcp.catalog.entity;

/**
 * One result of a tool search: enough for a model to pick a tool before it asks for the schema.
 *
 * @param name the tool's name
 * @param summary one line: the operation's summary, else the first sentence of its description
 *     (empty when the spec gives neither)
 * @param method upper-case HTTP method
 * @param path the spec's path template
 * @param score the BM25 relevance; only its order means anything
 */
public record ToolSearchHit(String name, String summary, String method, String path,
    float score) {}
