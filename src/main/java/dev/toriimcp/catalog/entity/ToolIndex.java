package dev.toriimcp.catalog.entity;

import java.util.List;

/**
 * Finds a catalog's tools for a task in plain words; built once per catalog at compilation
 * (ADR 0030). Implementations are immutable and safe for concurrent searches.
 */
public interface ToolIndex {

  /**
   * The tools that best match a task, best first.
   *
   * @param query plain words; any character is allowed, none is query syntax
   * @param limit at least 1; implementations may clamp a large one
   * @return at most {@code limit} hits, empty when nothing matches
   * @throws IllegalArgumentException for a query or limit the index refuses, with a message fit
   *     for the caller
   */
  List<ToolSearchHit> search(String query, int limit);
}
