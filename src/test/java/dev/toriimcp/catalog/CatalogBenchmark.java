package dev.toriimcp.catalog;

import dev.toriimcp.catalog.control.CatalogCompilation;
import dev.toriimcp.catalog.control.SpecCompiler;
import dev.toriimcp.catalog.control.SpecLoader;
import dev.toriimcp.catalog.entity.CatalogSummary;
import dev.toriimcp.catalog.entity.BackendCatalog;
import dev.toriimcp.catalog.entity.ToolCatalog;
import dev.toriimcp.configuration.entity.Exposure;
import dev.toriimcp.configuration.entity.Policy;
import dev.toriimcp.testing.SpecCorpus;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Load + compile time (warm) and retained heap of the catalog of each large spec in the shared
 * corpus. Not a test: a benchmark that prints its figures. Run it with
 *
 * <pre>mvn -q test-compile exec:exec@catalog-bench</pre>
 *
 * <p>Time: each spec is loaded and compiled 3 times to warm up, then 5 times measured; the median
 * is reported. Retained heap: used heap after full GCs with the compiled catalog held, minus the
 * same without it (the parsed document is not retained by the catalog). Tokens: of the {@code
 * tools/list} as served with the default compact descriptions, and with {@code descriptions:
 * full}.
 */
public final class CatalogBenchmark {

  private static final List<String> LARGE = List.of(
      "github-api.github.com-2022-06.json", "kubernetes-v1.36-swagger.json", "openai-openapi.yaml",
      "asana_oas.yaml", "twilio_api_v2010.yaml", "slack_web_openapi_v2.json");
  private static final int WARMUP = 3;
  private static final int RUNS = 5;

  private CatalogBenchmark() {}

  public static void main(String[] args) throws Exception {
    SpecCompiler compiler = new SpecCompiler(SpecCompiler.Settings.DEFAULT);
    SpecLoader loader = new SpecLoader();
    SpecCompiler full = new SpecCompiler(SpecCompiler.Settings.DEFAULT
        .withDescriptions(Exposure.Descriptions.FULL));
    System.out.printf("%-38s %6s %10s %10s %10s %12s %10s %10s%n", "spec", "tools", "median ms",
        "min ms", "max ms", "retained MB", "tokens", "full");
    for (String name : LARGE) {
      SpecCorpus.Spec spec = SpecCorpus.named(name);
      long[] millis = new long[RUNS];
      for (int i = 0; i < WARMUP + RUNS; i++) {
        long start = System.nanoTime();
        compiler.compile(name, loader.load(spec.root().toUri()), Policy.ALLOW_ALL);
        if (i >= WARMUP) {
          millis[i - WARMUP] = (System.nanoTime() - start) / 1_000_000;
        }
      }
      Arrays.sort(millis);
      long before = usedAfterGc();
      List<ToolCatalog> held = new ArrayList<>();
      held.add(compiler.compile(name, loader.load(spec.root().toUri()), Policy.ALLOW_ALL));
      long after = usedAfterGc();
      CatalogSummary summary = CatalogCompilation.summary(new BackendCatalog.Ready(held.get(0)));
      CatalogSummary asWritten = CatalogCompilation.summary(new BackendCatalog.Ready(
          full.compile(name, loader.load(spec.root().toUri()), Policy.ALLOW_ALL)));
      System.out.printf("%-38s %6d %10d %10d %10d %12.1f %10d %10d%n", name,
          held.get(0).tools().size(), millis[RUNS / 2], millis[0], millis[RUNS - 1],
          (after - before) / 1_048_576.0, summary.estimatedTokens(), asWritten.estimatedTokens());
      held.clear();
    }
  }

  private static long usedAfterGc() throws InterruptedException {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    for (int i = 0; i < 4; i++) {
      System.gc();
      Thread.sleep(50);
    }
    return memory.getHeapMemoryUsage().getUsed();
  }
}
