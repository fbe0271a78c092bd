package dev.toriimcp.catalog.control;

import dev.toriimcp.catalog.entity.CompiledTool;
import dev.toriimcp.catalog.entity.ToolIndex;
import dev.toriimcp.catalog.entity.ToolSearchHit;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.BoostQuery;
import org.apache.lucene.search.DisjunctionMaxQuery;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.Weight;
import org.apache.lucene.search.similarities.BM25Similarity;
import org.apache.lucene.store.ByteBuffersDirectory;

/**
 * Ranks the tools of one catalog against a task in plain words ("list the open pull requests of a
 * repository"), so a model can find one operation among thousands without reading {@code
 * tools/list} (issue 16, ADR 0030).
 *
 * <p>An in-memory Lucene index, built once from the compiled tools and never written again:
 * BM25 over English-stemmed fields, with identifiers split into words ({@code
 * repos_list-pull-requests}, {@code listCoreV1NamespacedPod}, {@code /repos/{owner}/{repo}}).
 * The query is analysed into terms and built programmatically, so no character of it is Lucene
 * syntax. Each query term scores by its best field ({@link DisjunctionMaxQuery}), boosted per
 * field as {@link #FIELDS} says ({@link SearchDocument} says what goes into each). A query word
 * that no tool has is split into two that tools have ("unpin" → un pin).
 *
 * <p>The top {@link #MAX_LIMIT} text matches are then reranked by factors that no word match
 * sees: the share of the task's words a tool has ({@link #COVERAGE}); a tool whose HTTP method
 * does what the task's first word asks ("delete a pod" → {@code DELETE}) gains, a deprecated tool
 * and an administrators' tool (unless the task says "admin") lose. Ties go to the tool whose name
 * sorts first.
 *
 * <p>Immutable and safe for concurrent searches once constructed ({@link IndexSearcher} and the
 * analyzer are thread-safe). The index lives on the heap and goes with this object.
 */
public final class ToolSearch implements ToolIndex {

  /** The most hits one search returns; a larger limit is clamped to it. */
  public static final int MAX_LIMIT = 50;
  /** The longest query accepted, in characters: a task, not a document. */
  public static final int MAX_QUERY_LENGTH = 500;

  /**
   * Field boosts: what an operation is called and its one-line summary outweigh what its prose
   * happens to mention (ADR 0030 measured summary 2.5 over 2.0 once Slack's one-liners count).
   */
  private static final Map<String, Float> FIELDS = Map.of(
      SearchDocument.NAME, 3.0f, SearchDocument.SUMMARY, 2.5f, SearchDocument.PATH, 1.5f,
      SearchDocument.TAGS, 1.0f, SearchDocument.PARAMETERS, 0.75f, SearchDocument.DESCRIPTION, 0.7f);
  /** How much a term's other matching fields add to its best one. */
  private static final float TIE_BREAKER = 0.2f;
  /** The factor of a tool whose method does what the task's first word asks. */
  private static final float INTENT = 1.3f;
  /** The factor of a deprecated tool: it still ranks, below its successor. */
  private static final float DEPRECATED = 0.5f;
  /** The factor of an administrators' tool when the task does not say "admin". */
  private static final float ADMINISTRATIVE = 0.7f;
  private static final int MAX_TERMS = 32;
  /**
   * The exponent of a hit's coverage, the share of the task's words it has: gentle, so that a tool
   * missing one word of four keeps 92 % of its score (the square root cost a tuned query its top
   * 5 and a linear factor more; ADR 0030).
   */
  private static final double COVERAGE = 0.3;
  /** The shortest part a word is split into when no tool has it whole. */
  private static final int MIN_PART = 2;
  private static final int SUMMARY_LENGTH = 120;

  private static final Pattern CAMEL = Pattern.compile("(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])");
  private static final Pattern SEPARATORS = Pattern.compile("[_\\-/{}.:]+");
  private static final Pattern SPACE = Pattern.compile("\\s+");

  private final Analyzer analyzer = new EnglishAnalyzer();
  private final IndexSearcher searcher;
  private final List<Entry> byDoc;

  /** What a search needs of a tool besides its postings: the hit, and what reorders it. */
  private record Entry(ToolSearchHit hit, float prior, boolean administrative, Set<String> verbs) {}

  /** Indexes the given tools; the list is not retained. */
  public ToolSearch(List<CompiledTool> tools) {
    List<CompiledTool> sorted = new ArrayList<>(tools);
    sorted.sort(Comparator.comparing(CompiledTool::name));
    List<Entry> entries = new ArrayList<>(sorted.size());
    ByteBuffersDirectory directory = new ByteBuffersDirectory();
    IndexWriterConfig config = new IndexWriterConfig(analyzer).setSimilarity(new BM25Similarity());
    try (IndexWriter writer = new IndexWriter(directory, config)) {
      for (CompiledTool tool : sorted) {
        writer.addDocument(SearchDocument.of(tool));
        entries.add(entry(tool));
      }
      writer.forceMerge(1);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot index the tools in memory", e);
    }
    try {
      // Document ids follow name order within the single segment, and Lucene breaks score ties by
      // document id: equal scores come back sorted by name.
      searcher = new IndexSearcher(DirectoryReader.open(directory));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the in-memory tool index", e);
    }
    searcher.setSimilarity(new BM25Similarity());
    byDoc = List.copyOf(entries);
  }

  private static Entry entry(CompiledTool tool) {
    ToolSearchHit hit = new ToolSearchHit(tool.name(), shortened(SearchDocument.summary(tool)),
        tool.binding().method(), tool.binding().pathTemplate(), 0);
    return new Entry(hit, SearchDocument.deprecated(tool) ? DEPRECATED : 1f,
        SearchDocument.administrative(tool),
        SearchDocument.verbs(tool.binding().method(), tool.binding().pathTemplate()));
  }

  /** How many tools the index holds. */
  public int size() {
    return byDoc.size();
  }

  /**
   * The tools that best match a task, best first.
   *
   * @param query plain words; any character is allowed, none is query syntax
   * @param limit at least 1; more than {@link #MAX_LIMIT} is clamped to it
   * @return at most {@code limit} hits, empty when no word of the query occurs in the catalog
   * @throws IllegalArgumentException for a blank or over-long query or a limit below 1
   */
  @Override
  public List<ToolSearchHit> search(String query, int limit) {
    if (query == null || query.isBlank()) {
      throw new IllegalArgumentException("the search query is empty: give a few words");
    }
    if (query.length() > MAX_QUERY_LENGTH) {
      throw new IllegalArgumentException("the search query has " + query.length()
          + " characters; at most " + MAX_QUERY_LENGTH + " are allowed");
    }
    if (limit < 1) {
      throw new IllegalArgumentException("the search limit must be at least 1, not " + limit);
    }
    String split = decompounded(query);
    Query built = build(split);
    if (built == null) {
      return List.of();
    }
    try {
      ScoreDoc[] docs = searcher.search(built, MAX_LIMIT).scoreDocs;
      Set<String> own = terms(query);
      boolean saysAdmin = own.contains("admin") || own.contains("administr");
      return reranked(docs, coverage(split, docs), SearchSynonyms.leadingVerb(query), saysAdmin,
          Math.min(limit, MAX_LIMIT));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot search the in-memory tool index", e);
    }
  }

  /**
   * The text matches times each tool's factors, best first, ties by name. Always reranks the top
   * {@link #MAX_LIMIT}, so that a search for 5 returns the first 5 of a search for 50.
   */
  private List<ToolSearchHit> reranked(ScoreDoc[] docs, float[] coverage, String verb,
      boolean saysAdmin, int limit) {
    List<ToolSearchHit> hits = new ArrayList<>(docs.length);
    for (int i = 0; i < docs.length; i++) {
      ScoreDoc doc = docs[i];
      Entry entry = byDoc.get(doc.doc);
      float score = doc.score * entry.prior() * (float) Math.pow(coverage[i], COVERAGE);
      if (entry.administrative() && !saysAdmin) {
        score *= ADMINISTRATIVE;
      }
      if (verb != null && entry.verbs().contains(verb)) {
        score *= INTENT;
      }
      ToolSearchHit hit = entry.hit();
      hits.add(new ToolSearchHit(hit.name(), hit.summary(), hit.method(), hit.path(), score));
    }
    hits.sort(Comparator.comparingDouble((ToolSearchHit hit) -> -hit.score())
        .thenComparing(ToolSearchHit::name));
    return List.copyOf(hits.subList(0, Math.min(limit, hits.size())));
  }

  /**
   * For each hit, the share of the query's words that it has, a word counting when any field has
   * it or one of the table's words for it. BM25 adds up what matches, so a tool that has two of a
   * task's rarer words can outscore one that has all of its words; this is the coordination factor
   * of Lucene's classic scoring, kept out of the text score and applied as a factor.
   */
  private float[] coverage(String query, ScoreDoc[] docs) throws IOException {
    List<Weight> words = new ArrayList<>();
    Set<Set<String>> seen = new HashSet<>();
    Matcher word = SearchSynonyms.WORD.matcher(query);
    while (word.find() && words.size() < MAX_TERMS) {
      Set<String> terms = new LinkedHashSet<>(terms(word.group()));
      if (terms.isEmpty()) {
        continue;
      }
      terms.addAll(terms(SearchSynonyms.expand(word.group())));
      if (!seen.add(terms)) {
        continue;
      }
      BooleanQuery.Builder any = new BooleanQuery.Builder();
      for (String field : FIELDS.keySet()) {
        terms.forEach(term ->
            any.add(new TermQuery(new Term(field, term)), BooleanClause.Occur.SHOULD));
      }
      words.add(searcher.createWeight(searcher.rewrite(any.build()),
          ScoreMode.COMPLETE_NO_SCORES, 1f));
    }
    int[] order = IntStream.range(0, docs.length).boxed()
        .sorted(Comparator.comparingInt(i -> docs[i].doc)).mapToInt(Integer::intValue).toArray();
    int[] matched = new int[docs.length];
    for (Weight weight : words) {
      for (LeafReaderContext leaf : searcher.getIndexReader().leaves()) {
        Scorer scorer = weight.scorer(leaf);
        if (scorer == null) {
          continue;
        }
        DocIdSetIterator iterator = scorer.iterator();
        for (int i : order) {
          int target = docs[i].doc - leaf.docBase;
          if (target < 0 || target >= leaf.reader().maxDoc()) {
            continue;
          }
          if (iterator.docID() < target) {
            iterator.advance(target);
          }
          if (iterator.docID() == target) {
            matched[i]++;
          }
        }
      }
    }
    float[] coverage = new float[docs.length];
    for (int i = 0; i < docs.length; i++) {
      coverage[i] = words.isEmpty() ? 1f : matched[i] / (float) words.size();
    }
    return coverage;
  }

  private Query build(String query) {
    Set<String> terms = terms(SearchSynonyms.expand(query));
    if (terms.isEmpty()) {
      return null;
    }
    BooleanQuery.Builder builder = new BooleanQuery.Builder();
    for (String term : terms) {
      List<Query> perField = new ArrayList<>(FIELDS.size());
      FIELDS.forEach((field, boost) ->
          perField.add(new BoostQuery(new TermQuery(new Term(field, term)), boost)));
      builder.add(new DisjunctionMaxQuery(perField, TIE_BREAKER), BooleanClause.Occur.SHOULD);
    }
    return builder.build();
  }

  /**
   * The query with each word that no tool has split into two words that tools have: users join
   * what APIs hyphenate or camel-case ("unpin" for {@code Un-pins}, "rerun" for {@code re-run}).
   * The split that leaves the longest known second word wins; a word no split explains stays.
   */
  private String decompounded(String query) {
    StringBuilder out = new StringBuilder();
    Matcher word = SearchSynonyms.WORD.matcher(query);
    while (word.find()) {
      String text = word.group();
      boolean keep = text.length() < 2 * MIN_PART || terms(text).isEmpty() || known(text);
      out.append(' ').append(keep ? text : split(text));
    }
    return out.toString();
  }

  private String split(String word) {
    for (int at = MIN_PART; at <= word.length() - MIN_PART; at++) {
      String head = word.substring(0, at);
      String tail = word.substring(at);
      if (known(head) && known(tail)) {
        return head + " " + tail;
      }
    }
    return word;
  }

  /** Whether some field of some tool has each of the text's terms; stop words have none. */
  private boolean known(String text) {
    Set<String> terms = terms(text);
    if (terms.isEmpty()) {
      return false;
    }
    try {
      for (String term : terms) {
        boolean found = false;
        for (String field : FIELDS.keySet()) {
          if (searcher.getIndexReader().docFreq(new Term(field, term)) > 0) {
            found = true;
            break;
          }
        }
        if (!found) {
          return false;
        }
      }
      return true;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the in-memory tool index", e);
    }
  }

  /** The text's distinct analysed terms, in order, at most {@link #MAX_TERMS}. */
  private Set<String> terms(String text) {
    Set<String> terms = new LinkedHashSet<>();
    try (TokenStream stream = analyzer.tokenStream(SearchDocument.DESCRIPTION, words(text))) {
      CharTermAttribute term = stream.addAttribute(CharTermAttribute.class);
      stream.reset();
      while (stream.incrementToken() && terms.size() < MAX_TERMS) {
        terms.add(term.toString());
      }
      stream.end();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot analyse the search query", e);
    }
    return terms;
  }

  /**
   * Identifier words: {@code repos/list-pull-requests} → {@code repos list pull requests},
   * {@code listCoreV1NamespacedPod} → {@code list Core V1 Namespaced Pod}.
   */
  static String words(String text) {
    String spaced = SEPARATORS.matcher(CAMEL.matcher(text).replaceAll(" ")).replaceAll(" ");
    return SPACE.matcher(spaced).replaceAll(" ").trim();
  }

  private static String shortened(String summary) {
    return summary.length() <= SUMMARY_LENGTH ? summary
        : summary.substring(0, SUMMARY_LENGTH - 1).trim() + "…";
  }
}
