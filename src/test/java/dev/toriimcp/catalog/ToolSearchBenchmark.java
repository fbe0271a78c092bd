package dev.toriimcp.catalog;

import dev.toriimcp.catalog.control.ToolSearch;
import dev.toriimcp.catalog.entity.ToolCatalog;
import dev.toriimcp.catalog.entity.ToolSearchHit;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Search quality (recall@1, recall@5, MRR) of {@link ToolSearch} over hand-written task queries
 * for large specs of the shared corpus, with each miss and its top 5, and the index's build time
 * and retained heap. Not a test: a benchmark that prints its figures (ADR 0030). Run it with
 *
 * <pre>mvn -q test-compile exec:exec@search-bench</pre>
 *
 * <p>Build time: 2 warm-up builds, then the median of 5. Retained heap: used heap after full GCs
 * with the index held, minus the same without it (the catalog is held in both).
 */
public final class ToolSearchBenchmark {

  private static final int WARMUP = 2;
  private static final int RUNS = 5;

  private ToolSearchBenchmark() {}

  public static void main(String[] args) throws Exception {
    List<ToolSearchEvaluation.Outcome> all = new ArrayList<>();
    StringBuilder table = new StringBuilder(String.format("%-12s %6s %7s %9s %9s %6s %9s %9s%n",
        "spec", "tools", "queries", "recall@1", "recall@5", "MRR", "build ms", "heap MB"));
    for (ToolSearchEvaluation.Corpus corpus : ToolSearchEvaluation.CORPORA) {
      ToolCatalog catalog = ToolSearchEvaluation.compile(corpus);
      List<ToolSearchEvaluation.Task> tasks = ToolSearchEvaluation.tasks(corpus, catalog);
      long[] millis = new long[RUNS];
      for (int i = 0; i < WARMUP + RUNS; i++) {
        long start = System.nanoTime();
        new ToolSearch(catalog.tools());
        if (i >= WARMUP) {
          millis[i - WARMUP] = (System.nanoTime() - start) / 1_000_000;
        }
      }
      Arrays.sort(millis);
      long before = usedAfterGc();
      ToolSearch search = new ToolSearch(catalog.tools());
      long after = usedAfterGc();
      ToolSearchEvaluation.Result result = ToolSearchEvaluation.evaluate(search, tasks);
      all.addAll(result.outcomes());
      table.append(String.format("%-12s %6d %7d %8.1f%% %8.1f%% %6.3f %9d %9.1f%n", corpus.key(),
          search.size(), tasks.size(), 100 * result.recallAt(1), 100 * result.recallAt(5),
          result.mrr(), millis[RUNS / 2], (after - before) / 1_048_576.0));
      printMisses(corpus.key(), result);
    }
    ToolSearchEvaluation.Result overall = new ToolSearchEvaluation.Result(all);
    table.append(String.format("%-12s %6s %7d %8.1f%% %8.1f%% %6.3f%n", "overall", "", all.size(),
        100 * overall.recallAt(1), 100 * overall.recallAt(5), overall.mrr()));
    System.out.print(table);
  }

  private static void printMisses(String key, ToolSearchEvaluation.Result result) {
    for (ToolSearchEvaluation.Outcome miss : result.misses(5)) {
      System.out.printf("[%s] miss (rank %s): \"%s\" wants %s%n", key,
          miss.rank() == 0 ? ">10" : miss.rank(), miss.task().query(), miss.task().expected());
      for (ToolSearchHit hit : miss.top()) {
        System.out.printf("    %7.3f %-50s %s %s%n", hit.score(), hit.name(), hit.method(),
            hit.path());
      }
    }
  }

  private static long usedAfterGc() throws InterruptedException {
    for (int i = 0; i < 4; i++) {
      System.gc();
      Thread.sleep(50);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
