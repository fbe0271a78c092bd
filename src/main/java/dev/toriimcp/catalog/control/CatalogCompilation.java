package dev.toriimcp.catalog.control;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toriimcp.catalog.entity.BackendCatalog;
import dev.toriimcp.catalog.entity.CatalogSummary;
import dev.toriimcp.catalog.entity.CompiledTool;
import dev.toriimcp.catalog.entity.SpecLoadException;
import dev.toriimcp.catalog.entity.ToolCatalog;
import dev.toriimcp.configuration.entity.BackendDefinition;
import dev.toriimcp.configuration.entity.Exposure;
import dev.toriimcp.configuration.entity.Exposure.Descriptions;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Loads and compiles one backend's spec, turning every failure into a {@link
 * BackendCatalog.Failed} so that one bad spec never stops the other backends. Used at deployment
 * and by the {@code CatalogReport} command alike.
 */
public final class CatalogCompilation {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final SpecLoader loader = new SpecLoader();
  private final SpecCompiler.Settings settings;

  /** @param settings the gateway's limits; each backend brings its own description style */
  public CatalogCompilation(SpecCompiler.Settings settings) {
    this.settings = settings;
  }

  public BackendCatalog compile(BackendDefinition backend) {
    try {
      SpecLoader.LoadedSpec spec = loader.load(backend.specLocation());
      Descriptions style = backend.exposure().descriptions();
      ToolCatalog catalog = compile(backend, spec, style);
      // Measured once here, for the exposure, the log line, the report and the page. What
      // compaction saves: the same spec compiled again with full descriptions (compiling is fast
      // next to loading), measured and dropped.
      long bytes = bytes(catalog.tools());
      catalog = catalog.withToolsListBytes(bytes, style == Descriptions.FULL ? bytes
          : bytes(compile(backend, spec, Descriptions.FULL).tools()));
      return new BackendCatalog.Ready(served(backend.exposure(), catalog));
    } catch (SpecLoadException e) {
      return new BackendCatalog.Failed(backend.name(), e.getMessage());
    } catch (RuntimeException e) {
      return new BackendCatalog.Failed(backend.name(), "spec " + backend.specLocation()
          + " cannot be compiled: " + e.getClass().getSimpleName() + ": " + e.getMessage());
    }
  }

  /**
   * The catalog with its search index and its exposure resolved: {@code auto} serves it
   * dynamically when the full {@code tools/list} would cost more estimated tokens (bytes / 4)
   * than the budget (ADR 0031).
   */
  static ToolCatalog served(Exposure exposure, ToolCatalog catalog) {
    boolean dynamic = switch (exposure.mode()) {
      case ALL -> false;
      case DYNAMIC -> true;
      case AUTO -> listBytes(catalog) / 4 > exposure.tokenBudget();
    };
    return catalog.served(dynamic, new ToolSearch(catalog.tools()));
  }

  private ToolCatalog compile(BackendDefinition backend, SpecLoader.LoadedSpec spec,
      Descriptions style) {
    return new SpecCompiler(settings.withDescriptions(style)).compile(backend.name(), spec,
        backend.policy(), backend.tools(), backend.baseUrl());
  }

  /** The context-budget summary of a compiled or failed backend. */
  public static CatalogSummary summary(BackendCatalog catalog) {
    if (catalog instanceof BackendCatalog.Failed failed) {
      return CatalogSummary.failed(failed.backend(), failed.reason());
    }
    ToolCatalog tools = ((BackendCatalog.Ready) catalog).catalog();
    long bytes = listBytes(tools);
    long before = tools.uncompactedToolsListBytes() >= 0 ? tools.uncompactedToolsListBytes() : bytes;
    return CatalogSummary.of(tools.backend(), tools.tools().size(), bytes, before,
        tools.dynamic(), tools.skipped(), tools.warnings());
  }

  /** The catalog's measured {@code tools/list} size, or measured now if it was made elsewhere. */
  private static long listBytes(ToolCatalog catalog) {
    return catalog.toolsListBytes() >= 0 ? catalog.toolsListBytes() : bytes(catalog.tools());
  }

  private static long bytes(List<CompiledTool> tools) {
    return toolsList(tools).toString().getBytes(StandardCharsets.UTF_8).length;
  }

  /** The {@code tools/list} result with every tool on one page: {@code {"tools": [...]}}. */
  public static ObjectNode toolsList(List<CompiledTool> tools) {
    ObjectNode result = JsonNodeFactory.instance.objectNode();
    ArrayNode array = result.putArray("tools");
    tools.forEach(tool -> array.add(tool.definition()));
    return result;
  }

  static ObjectMapper json() {
    return JSON;
  }
}
