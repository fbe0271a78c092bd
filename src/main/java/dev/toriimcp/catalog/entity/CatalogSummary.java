package dev.toriimcp.catalog.entity;

import java.util.List;

/**
 * What a backend's catalog costs a client's context window: for sizing, and for checking a spec
 * in CI before deploying it.
 *
 * @param backend the backend
 * @param tools number of tools
 * @param toolsListBytes size of the complete {@code tools/list} result as UTF-8 JSON
 * @param estimatedTokens {@code toolsListBytes / 4}, the usual rough rate for English and JSON
 * @param skipped operations that are not tools, with the reason
 * @param warnings parser messages
 * @param error why the spec could not be loaded, or {@code null}
 */
public record CatalogSummary(
    String backend,
    int tools,
    long toolsListBytes,
    long estimatedTokens,
    List<SkippedOperation> skipped,
    List<String> warnings,
    String error) {

  public CatalogSummary {
    skipped = List.copyOf(skipped);
    warnings = List.copyOf(warnings);
  }

  /** One log line. */
  public String line() {
    if (error != null) {
      return "backend '" + backend + "': NOT AVAILABLE: " + error;
    }
    return "backend '" + backend + "': " + tools + " tools, tools/list " + toolsListBytes
        + " bytes (~" + estimatedTokens + " tokens), " + skipped.size() + " operations skipped"
        + (skipped.isEmpty() ? "" : " " + skipped);
  }
}
