package dev.toriimcp.catalog.control;

import dev.toriimcp.catalog.entity.BackendCatalog;
import dev.toriimcp.catalog.entity.ServedBackend;
import dev.toriimcp.configuration.entity.BackendDefinition;
import dev.toriimcp.configuration.entity.GatewayConfiguration;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;

/**
 * The compiled catalogs of all backends, each with the definition it was compiled from, in one
 * immutable snapshot: a request that reads {@link #served} once sees one backend's definition
 * and catalog from the same configuration, and a reload swaps the whole snapshot in one step
 * (ADR 0032).
 */
@ApplicationScoped
public class Catalogs {

  private static final Logger LOG = Logger.getLogger(Catalogs.class.getName());

  private final AtomicReference<Map<String, ServedBackend>> snapshot =
      new AtomicReference<>(Map.of());

  /** Compiles every backend; a backend whose spec fails is kept as {@link BackendCatalog.Failed}. */
  public void build(GatewayConfiguration configuration) {
    snapshot.set(compile(configuration, Map.of()));
  }

  /**
   * Compiles the backends of {@code configuration}, logging one line each, except those whose
   * definition equals one in {@code reuse}: their compiled catalog is taken as it is.
   */
  public Map<String, ServedBackend> compile(GatewayConfiguration configuration,
      Map<String, ServedBackend> reuse) {
    CatalogCompilation compilation = new CatalogCompilation(SpecCompiler.Settings.of(configuration.limits()));
    Map<String, ServedBackend> served = new LinkedHashMap<>();
    for (BackendDefinition backend : configuration.backends()) {
      ServedBackend known = reuse.get(backend.name());
      if (known != null && known.definition().equals(backend)) {
        served.put(backend.name(), known);
        continue;
      }
      long start = System.nanoTime();
      BackendCatalog catalog = compilation.compile(backend);
      long millis = (System.nanoTime() - start) / 1_000_000;
      served.put(backend.name(), new ServedBackend(backend, catalog));
      String line = CatalogCompilation.summary(catalog).line() + " (compiled in " + millis + " ms)";
      if (catalog instanceof BackendCatalog.Failed) {
        LOG.severe(line);
      } else {
        LOG.info(line);
      }
    }
    return Map.copyOf(served);
  }

  /** Serves {@code next} from now on; requests that already read the old snapshot keep it. */
  public void replace(Map<String, ServedBackend> next) {
    snapshot.set(Map.copyOf(next));
  }

  /** The running snapshot, by backend name. */
  public Map<String, ServedBackend> current() {
    return snapshot.get();
  }

  /** The backend's definition and catalog, read together from one snapshot. */
  public Optional<ServedBackend> served(String name) {
    return Optional.ofNullable(snapshot.get().get(name));
  }

  public Optional<BackendCatalog> backend(String name) {
    return served(name).map(ServedBackend::catalog);
  }
}
