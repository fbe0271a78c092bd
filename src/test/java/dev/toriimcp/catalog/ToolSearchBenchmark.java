package dev.toriimcp.catalog;

import dev.toriimcp.catalog.ToolSearchEvaluation.QuerySet;
import dev.toriimcp.catalog.control.ToolSearch;
import dev.toriimcp.catalog.entity.ToolCatalog;
import dev.toriimcp.catalog.entity.ToolSearchHit;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Search quality (recall@1, recall@5, MRR) of {@link ToolSearch} over hand-written task queries
 * for large specs of the shared corpus, the tuned and the held-out set apart ({@link QuerySet}),
 * with each miss and its top 5, and the index's build time and retained heap. Not a test: a
 * benchmark that prints its figures (ADR 0030). Run it with
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
    Map<QuerySet, List<ToolSearchEvaluation.Outcome>> all = new EnumMap<>(QuerySet.class);
    StringBuilder table = new StringBuilder(String.format(
        "%-12s %-9s %6s %7s %9s %9s %6s %9s %9s%n", "spec", "queries", "tools", "tasks",
        "recall@1", "recall@5", "MRR", "build ms", "heap MB"));
    for (ToolSearchEvaluation.Corpus corpus : ToolSearchEvaluation.CORPORA) {
      ToolCatalog catalog = ToolSearchEvaluation.compile(corpus);
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
      for (QuerySet set : QuerySet.values()) {
        List<ToolSearchEvaluation.Task> tasks = ToolSearchEvaluation.tasks(corpus, catalog, set);
        ToolSearchEvaluation.Result result = ToolSearchEvaluation.evaluate(search, tasks);
        all.computeIfAbsent(set, s -> new ArrayList<>()).addAll(result.outcomes());
        table.append(String.format("%-12s %-9s %6d %7d %8.1f%% %8.1f%% %6.3f %9d %9.1f%n",
            corpus.key(), label(set), search.size(), tasks.size(), 100 * result.recallAt(1),
            100 * result.recallAt(5), result.mrr(), millis[RUNS / 2],
            (after - before) / 1_048_576.0));
        printMisses(corpus.key() + " " + label(set), result);
      }
    }
    all.forEach((set, outcomes) -> {
      ToolSearchEvaluation.Result overall = new ToolSearchEvaluation.Result(outcomes);
      table.append(String.format("%-12s %-9s %6s %7d %8.1f%% %8.1f%% %6.3f%n", "overall",
          label(set), "", outcomes.size(), 100 * overall.recallAt(1), 100 * overall.recallAt(5),
          overall.mrr()));
    });
    System.out.print(table);
  }

  private static String label(QuerySet set) {
    return switch (set) {
      case TUNED -> "tuned";
      case HELD_OUT -> "held-out v1";
      case FRESH -> "held-out v2 (blind)";
    };
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
