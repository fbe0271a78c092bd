package dev.toriimcp.catalog.boundary;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.toriimcp.catalog.control.CatalogCompilation;
import dev.toriimcp.catalog.control.SpecCompiler;
import dev.toriimcp.catalog.entity.CatalogSummary;
import dev.toriimcp.configuration.control.ConfigurationLoader;
import dev.toriimcp.configuration.control.ConfigurationLocator;
import dev.toriimcp.configuration.entity.BackendDefinition;
import dev.toriimcp.configuration.entity.ConfigurationException;
import dev.toriimcp.configuration.entity.GatewayConfiguration;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The catalog report as a command that needs no server: compiles every backend of a
 * configuration file and prints one JSON summary per backend (tools, bytes of {@code
 * tools/list} and estimated tokens, as served and before description compaction, skipped
 * operations and why). Exit status 1 if the configuration or any spec fails, so it can gate a CI
 * pipeline.
 *
 * <pre>mvn -q compile exec:java -Dexec.args=path/to/mcp-proxy.yaml</pre>
 */
public final class CatalogReport {

  private CatalogReport() {}

  public static void main(String[] args) throws Exception {
    System.exit(run(args, System.out, System.err));
  }

  static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
    Path file = Path.of(args.length > 0 ? args[0] : ConfigurationLocator.DEFAULT.toString());
    GatewayConfiguration configuration;
    try {
      configuration = ConfigurationLoader.forInspection()
          .load(new ConfigurationLocator.Location(file, "command line"));
    } catch (ConfigurationException e) {
      err.println(e.getMessage());
      return 1;
    }
    CatalogCompilation compilation = new CatalogCompilation(SpecCompiler.Settings.of(configuration.limits()));
    List<CatalogSummary> summaries = new ArrayList<>();
    for (BackendDefinition backend : configuration.backends()) {
      summaries.add(CatalogCompilation.summary(compilation.compile(backend)));
    }
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    out.println(json.writeValueAsString(summaries));
    return summaries.stream().anyMatch(s -> s.error() != null) ? 1 : 0;
  }
}
