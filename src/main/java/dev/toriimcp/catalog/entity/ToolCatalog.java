package dev.toriimcp.catalog.entity;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The compiled, immutable tool catalog of one backend.
 *
 * @param backend the backend's name
 * @param specVersion the document's declared version ({@code 2.0}, {@code 3.0.3}, {@code 3.1.0}...)
 * @param tools the tools, in spec order
 * @param skipped operations that are not tools, with the reason
 * @param warnings parser messages that did not prevent loading
 * @param title the document's {@code info.title}, or {@code null}: what people are shown
 * @param serverOrigins the origins of the document's top-level {@code servers} (resolved against
 *     the spec's location; the spec's own origin when it declares none): without {@code
 *     base_url}, the only origins a call and the user's credential may go to (ADR 0016)
 * @param toolsListBytes the size of the complete {@code tools/list} of these tools, measured once
 *     at compilation; -1 where the catalog was made elsewhere
 * @param uncompactedToolsListBytes the size {@code tools/list} would have with {@code
 *     descriptions: full}, where compaction was applied and measured; else -1
 * @param dynamic whether {@code tools/list} offers the meta-tools that search, describe and call
 *     these tools instead of the tools themselves (the backend's exposure, resolved; ADR 0031)
 * @param index the search over these tools, or {@code null} when none was built
 */
public record ToolCatalog(
    String backend,
    String specVersion,
    List<CompiledTool> tools,
    List<SkippedOperation> skipped,
    List<String> warnings,
    List<Origin> serverOrigins,
    Map<String, CompiledTool> byName,
    String title,
    long toolsListBytes,
    long uncompactedToolsListBytes,
    boolean dynamic,
    ToolIndex index) {

  public ToolCatalog {
    if (dynamic && index == null) {
      throw new IllegalArgumentException("a dynamic catalog needs its search index");
    }
  }

  public ToolCatalog(
      String backend, String specVersion, List<CompiledTool> tools,
      List<SkippedOperation> skipped, List<String> warnings, List<Origin> serverOrigins) {
    this(backend, specVersion, tools, skipped, warnings, serverOrigins, null);
  }

  public ToolCatalog(
      String backend, String specVersion, List<CompiledTool> tools,
      List<SkippedOperation> skipped, List<String> warnings, List<Origin> serverOrigins,
      String title) {
    this(backend, specVersion, List.copyOf(tools), List.copyOf(skipped), List.copyOf(warnings),
        List.copyOf(serverOrigins), index(tools), title, -1, -1, false, null);
  }

  /** This catalog served as {@code dynamic} says, searched by {@code index}. */
  public ToolCatalog served(boolean dynamic, ToolIndex index) {
    return new ToolCatalog(backend, specVersion, tools, skipped, warnings, serverOrigins, byName,
        title, toolsListBytes, uncompactedToolsListBytes, dynamic, index);
  }

  /** This catalog, knowing what its {@code tools/list} weighs as served and without compaction. */
  public ToolCatalog withToolsListBytes(long bytes, long uncompacted) {
    return new ToolCatalog(backend, specVersion, tools, skipped, warnings, serverOrigins, byName,
        title, bytes, uncompacted, dynamic, index);
  }

  public Optional<CompiledTool> tool(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  private static Map<String, CompiledTool> index(List<CompiledTool> tools) {
    Map<String, CompiledTool> byName = new LinkedHashMap<>();
    for (CompiledTool tool : tools) {
      if (byName.put(tool.name(), tool) != null) {
        throw new IllegalArgumentException("duplicate tool name " + tool.name());
      }
    }
    return Map.copyOf(byName);
  }
}
