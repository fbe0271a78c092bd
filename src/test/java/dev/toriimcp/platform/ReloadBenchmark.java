package dev.toriimcp.platform;

import dev.toriimcp.catalog.control.Catalogs;
import dev.toriimcp.catalog.entity.ServedBackend;
import dev.toriimcp.configuration.entity.BackendDefinition;
import dev.toriimcp.configuration.entity.GatewayConfiguration;
import dev.toriimcp.configuration.entity.Limits;
import dev.toriimcp.configuration.entity.OAuthSettings;
import dev.toriimcp.configuration.entity.Policy;
import dev.toriimcp.configuration.entity.StorageSettings;
import dev.toriimcp.testing.SpecCorpus;
import java.net.URI;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What a live reload of one large backend costs (issue 17, ADR 0032): the work a reload does off
 * the request path for an added or changed backend (load, compile with compact and full
 * descriptions, build the search index, resolve the exposure), and for an unchanged one (reuse).
 * Not a test: a benchmark that prints its figures. Run it with
 *
 * <pre>mvn -q test-compile exec:exec@reload-bench</pre>
 *
 * <p>Each spec: 3 warm-up reloads, then 5 measured; median, min and max.
 */
public final class ReloadBenchmark {

  private static final List<String> SPECS =
      List.of("github-api.github.com-2022-06.json", "kubernetes-v1.36-swagger.json");
  private static final int WARMUP = 3;
  private static final int RUNS = 5;

  private ReloadBenchmark() {}

  public static void main(String[] args) throws Exception {
    Logger.getLogger(Catalogs.class.getName()).setLevel(Level.WARNING);
    Catalogs catalogs = new Catalogs();
    System.out.printf("%-38s %12s %10s %10s %16s%n", "spec", "median ms", "min ms", "max ms",
        "unchanged µs");
    for (String name : SPECS) {
      BackendDefinition backend = new BackendDefinition("b", SpecCorpus.named(name).root().toUri(),
          URI.create("https://api.example.com"), Policy.ALLOW_ALL, null, Map.of());
      GatewayConfiguration configuration = new GatewayConfiguration(Path.of("mcp-proxy.yaml"),
          URI.create("https://gw.example"), List.of(backend), new StorageSettings(null,
              Path.of("unused")), Limits.DEFAULT, null, OAuthSettings.DEFAULT, List.of(), List.of());
      long[] millis = new long[RUNS];
      Map<String, ServedBackend> last = Map.of();
      for (int i = 0; i < WARMUP + RUNS; i++) {
        long start = System.nanoTime();
        last = catalogs.compile(configuration, Map.of());
        if (i >= WARMUP) {
          millis[i - WARMUP] = (System.nanoTime() - start) / 1_000_000;
        }
      }
      long start = System.nanoTime();
      Map<String, ServedBackend> reused = catalogs.compile(configuration, last);
      long unchanged = (System.nanoTime() - start) / 1_000;
      if (reused.get("b") != last.get("b")) {
        throw new AssertionError("an unchanged backend was compiled again");
      }
      Arrays.sort(millis);
      System.out.printf("%-38s %12d %10d %10d %16d%n", name, millis[RUNS / 2], millis[0],
          millis[RUNS - 1], unchanged);
    }
  }
}
