package dev.toriimcp.catalog.entity;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a backend's catalog costs a client's context window: for sizing, and for checking a spec
 * in CI before deploying it.
 *
 * @param backend the backend
 * @param tools number of tools
 * @param toolsListBytes size of the complete {@code tools/list} result as UTF-8 JSON, as served
 * @param estimatedTokens {@code toolsListBytes / 4}, the usual rough rate for English and JSON
 * @param toolsListBytesBeforeCompaction the same with {@code descriptions: full}: equal to {@code
 *     toolsListBytes} where descriptions are full or compaction changed nothing
 * @param estimatedTokensBeforeCompaction {@code toolsListBytesBeforeCompaction / 4}
 * @param exposure {@code all} or {@code dynamic}: what {@code tools/list} serves (ADR 0031);
 *     {@code null} for a backend that failed
 * @param skipped operations that are not tools, with the reason
 * @param warnings parser messages
 * @param error why the spec could not be loaded, or {@code null}
 */
public record CatalogSummary(
    String backend,
    int tools,
    long toolsListBytes,
    long estimatedTokens,
    long toolsListBytesBeforeCompaction,
    long estimatedTokensBeforeCompaction,
    String exposure,
    List<SkippedOperation> skipped,
    List<String> warnings,
    String error) {

  public CatalogSummary {
    skipped = List.copyOf(skipped);
    warnings = List.copyOf(warnings);
  }

  /** The summary of a backend whose spec could not be loaded. */
  public static CatalogSummary failed(String backend, String error) {
    return new CatalogSummary(backend, 0, 0, 0, 0, 0, null, List.of(), List.of(), error);
  }

  /**
   * The summary of a compiled catalog; {@code bytesBeforeCompaction} as {@code tools/list}'s, and
   * {@code dynamic} when it is served through the meta-tools.
   */
  public static CatalogSummary of(String backend, int tools, long toolsListBytes,
      long bytesBeforeCompaction, boolean dynamic, List<SkippedOperation> skipped,
      List<String> warnings) {
    return new CatalogSummary(backend, tools, toolsListBytes, toolsListBytes / 4,
        bytesBeforeCompaction, bytesBeforeCompaction / 4, dynamic ? "dynamic" : "all", skipped,
        warnings, null);
  }

  /**
   * One log line: {@code backend 'github': 770 tools, tools/list 612,345 bytes (~153,086 tokens;
   * ~208,316 before compaction), 1 operations skipped [...]}; the part before compaction only
   * where compaction made a difference. Built from a list of clauses, so that one more fact is one
   * more clause.
   */
  public String line() {
    if (error != null) {
      return "backend '" + backend + "': NOT AVAILABLE: " + error;
    }
    return "backend '" + backend + "': " + String.join(", ", clauses());
  }

  private List<String> clauses() {
    List<String> clauses = new ArrayList<>();
    clauses.add(tools + " tools");
    String cost = "~" + grouped(estimatedTokens) + " tokens";
    if (toolsListBytesBeforeCompaction != toolsListBytes) {
      cost += "; ~" + grouped(estimatedTokensBeforeCompaction) + " before compaction";
    }
    clauses.add("tools/list " + grouped(toolsListBytes) + " bytes (" + cost + ")");
    if ("dynamic".equals(exposure)) {
      clauses.add("served dynamically instead (search_tools, describe_tool, call_tool)");
    }
    clauses.add(skipped.size() + " operations skipped" + (skipped.isEmpty() ? "" : " " + skipped));
    return clauses;
  }

  private static String grouped(long number) {
    return String.format(Locale.ROOT, "%,d", number);
  }
}
