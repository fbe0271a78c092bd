package dev.toriimcp.catalog;

import dev.toriimcp.catalog.control.SpecCompiler;
import dev.toriimcp.catalog.control.SpecLoader;
import dev.toriimcp.catalog.control.ToolSearch;
import dev.toriimcp.catalog.entity.ToolCatalog;
import dev.toriimcp.catalog.entity.ToolSearchHit;
import dev.toriimcp.configuration.entity.Policy;
import dev.toriimcp.testing.SpecCorpus;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The search-quality yardstick shared by {@link ToolSearchBenchmark} and {@code
 * ToolSearchQualityTest}: hand-written task queries per spec ({@code search-queries/<key>.tsv}:
 * query, TAB, the acceptable tool names comma-separated), and recall@1, recall@5 and MRR (over the
 * first 10 hits) of a {@link ToolSearch} against them.
 *
 * <p>Each spec has two query files ({@link QuerySet}): the tuned set, whose misses the ranking was
 * improved against, and the held-out set v1, written afterwards from the same public docs and not
 * looked at in the first round of tuning. In the second round (ADR 0030) both were development
 * sets, so neither estimates any more how the ranking does on a task nobody has seen: a fresh
 * set does.
 */
public final class ToolSearchEvaluation {

  /** A spec of the shared corpus and the key of its query file. */
  public record Corpus(String key, String spec) {}

  public static final List<Corpus> CORPORA = List.of(
      new Corpus("github", "github-api.github.com-2022-06.json"),
      new Corpus("kubernetes", "kubernetes-v1.36-swagger.json"),
      new Corpus("slack", "slack_web_openapi_v2.json"));

  /** Which query file of a spec. */
  public enum QuerySet {
    /** {@code search-queries/<key>.tsv}: the misses the ranking was tuned against. */
    TUNED("/search-queries/"),
    /**
     * {@code search-queries/heldout/<key>.tsv}, the held-out set v1: not used in the first round
     * of tuning, used for development in the second (ADR 0030).
     */
    HELD_OUT("/search-queries/heldout/"),
    /**
     * {@code search-queries/heldout-2/<key>.tsv}, the held-out set v2: written blind (its author
     * saw neither the ranking code nor any result) after the second round, and measured once.
     */
    FRESH("/search-queries/heldout-2/");

    private final String folder;

    QuerySet(String folder) {
      this.folder = folder;
    }
  }

  /** One task and the tools that do it. */
  public record Task(String query, Set<String> expected) {}

  /** How one task fared: the 1-based rank of the first expected tool (0 = not in the top 10). */
  public record Outcome(Task task, int rank, List<ToolSearchHit> top) {}

  /** The figures of one query file. */
  public record Result(List<Outcome> outcomes) {
    public double recallAt(int k) {
      return outcomes.stream().filter(o -> o.rank() > 0 && o.rank() <= k).count()
          / (double) outcomes.size();
    }

    public double mrr() {
      return outcomes.stream().mapToDouble(o -> o.rank() == 0 ? 0 : 1.0 / o.rank()).sum()
          / outcomes.size();
    }

    public List<Outcome> misses(int k) {
      return outcomes.stream().filter(o -> o.rank() == 0 || o.rank() > k).toList();
    }
  }

  private ToolSearchEvaluation() {}

  public static ToolCatalog compile(Corpus corpus) throws Exception {
    return new SpecCompiler(SpecCompiler.Settings.DEFAULT).compile(corpus.key(),
        new SpecLoader().load(SpecCorpus.named(corpus.spec()).root().toUri()), Policy.ALLOW_ALL);
  }

  /** The tasks of a query file; an expected name the catalog lacks is a broken file, so it throws. */
  public static List<Task> tasks(Corpus corpus, ToolCatalog catalog, QuerySet set)
      throws IOException {
    String resource = set.folder + corpus.key() + ".tsv";
    List<Task> tasks = new ArrayList<>();
    try (InputStream in = ToolSearchEvaluation.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("no query file " + resource);
      }
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        String[] columns = line.split("\t");
        if (columns.length != 2) {
          throw new IllegalStateException(resource + ": not 'query TAB names': " + line);
        }
        Set<String> expected = Set.of(columns[1].trim().split(","));
        if (set == QuerySet.FRESH) {
          // Written blind from the spec's operation ids, so a name may be an operation the
          // gateway does not compile (skipped for safety): that task has no tool to find.
          Set<String> present = new java.util.TreeSet<>();
          expected.stream().filter(name -> catalog.tool(name).isPresent()).forEach(present::add);
          if (present.isEmpty()) {
            System.out.println("[" + corpus.key() + " " + set + "] left out, its tools are not"
                + " in the catalog: \"" + columns[0].trim() + "\" wants " + expected);
            continue;
          }
          expected = Set.copyOf(present);
        }
        for (String name : expected) {
          if (catalog.tool(name).isEmpty()) {
            throw new IllegalStateException(resource + ": no tool " + name + " in " + corpus.spec());
          }
        }
        tasks.add(new Task(columns[0].trim(), expected));
      }
    }
    return tasks;
  }

  public static Result evaluate(ToolSearch search, List<Task> tasks) {
    List<Outcome> outcomes = new ArrayList<>();
    for (Task task : tasks) {
      List<ToolSearchHit> hits = search.search(task.query(), 10);
      int rank = 0;
      for (int i = 0; i < hits.size(); i++) {
        if (task.expected().contains(hits.get(i).name())) {
          rank = i + 1;
          break;
        }
      }
      outcomes.add(new Outcome(task, rank, hits.subList(0, Math.min(5, hits.size()))));
    }
    return new Result(outcomes);
  }
}
