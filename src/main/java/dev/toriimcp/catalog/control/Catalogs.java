package dev.toriimcp.catalog.control;

import dev.toriimcp.catalog.entity.BackendCatalog;
import dev.toriimcp.configuration.entity.BackendDefinition;
import dev.toriimcp.configuration.entity.GatewayConfiguration;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;

/**
 * The compiled catalogs of all backends. Built once at deployment; a rebuild would compile a
 * complete new map and swap it in one step, so a request always sees one consistent snapshot.
 */
@ApplicationScoped
public class Catalogs {

  private static final Logger LOG = Logger.getLogger(Catalogs.class.getName());

  private final AtomicReference<Map<String, BackendCatalog>> snapshot =
      new AtomicReference<>(Map.of());

  /** Compiles every backend; a backend whose spec fails is kept as {@link BackendCatalog.Failed}. */
  public void build(GatewayConfiguration configuration) {
    CatalogCompilation compilation = new CatalogCompilation(SpecCompiler.Settings.of(configuration.limits()));
    Map<String, BackendCatalog> catalogs = new LinkedHashMap<>();
    for (BackendDefinition backend : configuration.backends()) {
      long start = System.nanoTime();
      BackendCatalog catalog = compilation.compile(backend);
      long millis = (System.nanoTime() - start) / 1_000_000;
      catalogs.put(backend.name(), catalog);
      String line = CatalogCompilation.summary(catalog).line() + " (compiled in " + millis + " ms)";
      if (catalog instanceof BackendCatalog.Failed) {
        LOG.severe(line);
      } else {
        LOG.info(line);
      }
    }
    snapshot.set(Map.copyOf(catalogs));
  }

  public Optional<BackendCatalog> backend(String name) {
    return Optional.ofNullable(snapshot.get().get(name));
  }
}
