package dev.toriimcp.catalog.control;

import dev.toriimcp.catalog.entity.CompiledTool;
import dev.toriimcp.catalog.entity.ParameterBinding;
import dev.toriimcp.catalog.entity.ToolIndex;
import dev.toriimcp.catalog.entity.ToolSearchHit;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.BoostQuery;
import org.apache.lucene.search.DisjunctionMaxQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
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
 * field as {@link #FIELDS} says; ties go to the tool whose name sorts first.
 *
 * <p>Immutable and safe for concurrent searches once constructed ({@link IndexSearcher} and the
 * analyzer are thread-safe). The index lives on the heap and goes with this object.
 */
public final class ToolSearch implements ToolIndex {

  /** The most hits one search returns; a larger limit is clamped to it. */
  public static final int MAX_LIMIT = 50;
  /** The longest query accepted, in characters: a task, not a document. */
  public static final int MAX_QUERY_LENGTH = 500;

  private static final String NAME = "name";
  private static final String SUMMARY = "summary";
  private static final String PATH = "path";
  private static final String TAGS = "tags";
  private static final String PARAMETERS = "parameters";
  private static final String DESCRIPTION = "description";
  /** Field boosts: what an operation is called outweighs what its prose happens to mention. */
  private static final Map<String, Float> FIELDS = Map.of(
      NAME, 3.0f, SUMMARY, 2.0f, PATH, 1.5f, TAGS, 1.0f, PARAMETERS, 0.5f, DESCRIPTION, 0.7f);
  /** How much a term's other matching fields add to its best one. */
  private static final float TIE_BREAKER = 0.2f;
  private static final int MAX_TERMS = 32;
  private static final int SUMMARY_LENGTH = 120;

  private static final Pattern CAMEL = Pattern.compile("(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])");
  private static final Pattern SEPARATORS = Pattern.compile("[_\\-/{}.:]+");
  private static final Pattern SPACE = Pattern.compile("\\s+");

  private final Analyzer analyzer = new EnglishAnalyzer();
  private final IndexSearcher searcher;
  private final List<ToolSearchHit> byDoc;

  /** Indexes the given tools; the list is not retained. */
  public ToolSearch(List<CompiledTool> tools) {
    List<CompiledTool> sorted = new ArrayList<>(tools);
    sorted.sort(Comparator.comparing(CompiledTool::name));
    List<ToolSearchHit> hits = new ArrayList<>(sorted.size());
    ByteBuffersDirectory directory = new ByteBuffersDirectory();
    IndexWriterConfig config = new IndexWriterConfig(analyzer).setSimilarity(new BM25Similarity());
    try (IndexWriter writer = new IndexWriter(directory, config)) {
      for (CompiledTool tool : sorted) {
        writer.addDocument(document(tool));
        hits.add(new ToolSearchHit(tool.name(), summary(tool), tool.binding().method(),
            tool.binding().pathTemplate(), 0));
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
    byDoc = List.copyOf(hits);
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
    Query built = build(query);
    if (built == null) {
      return List.of();
    }
    try {
      ScoreDoc[] docs = searcher.search(built, Math.min(limit, MAX_LIMIT)).scoreDocs;
      List<ToolSearchHit> result = new ArrayList<>(docs.length);
      for (ScoreDoc doc : docs) {
        ToolSearchHit hit = byDoc.get(doc.doc);
        result.add(new ToolSearchHit(hit.name(), hit.summary(), hit.method(), hit.path(),
            doc.score));
      }
      return List.copyOf(result);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot search the in-memory tool index", e);
    }
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

  /** The query's distinct analysed terms, in order, at most {@link #MAX_TERMS}. */
  private Set<String> terms(String text) {
    Set<String> terms = new LinkedHashSet<>();
    try (TokenStream stream = analyzer.tokenStream(DESCRIPTION, words(text))) {
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

  private static Document document(CompiledTool tool) {
    Document document = new Document();
    add(document, NAME, words(tool.name()));
    add(document, SUMMARY, tool.title());
    add(document, PATH, words(tool.binding().pathTemplate()));
    add(document, TAGS, words(String.join(" ", tool.binding().tags())));
    add(document, PARAMETERS, words(parameterNames(tool)));
    add(document, DESCRIPTION, tool.fullDescription());
    return document;
  }

  private static void add(Document document, String field, String text) {
    if (text != null && !text.isBlank()) {
      document.add(new TextField(field, text, Field.Store.NO));
    }
  }

  private static String parameterNames(CompiledTool tool) {
    StringBuilder names = new StringBuilder();
    for (ParameterBinding parameter : tool.binding().parameters()) {
      names.append(parameter.name()).append(' ');
    }
    if (tool.inputSchema() != null) {
      tool.inputSchema().path("properties").path(SpecCompiler.BODY).path("properties")
          .fieldNames().forEachRemaining(name -> names.append(name).append(' '));
    }
    return names.toString();
  }

  /**
   * Identifier words: {@code repos/list-pull-requests} → {@code repos list pull requests},
   * {@code listCoreV1NamespacedPod} → {@code list Core V1 Namespaced Pod}.
   */
  static String words(String text) {
    String spaced = SEPARATORS.matcher(CAMEL.matcher(text).replaceAll(" ")).replaceAll(" ");
    return SPACE.matcher(spaced).replaceAll(" ").trim();
  }

  private static String summary(CompiledTool tool) {
    String text = tool.title() != null && !tool.title().isBlank() ? tool.title()
        : firstSentence(tool.description());
    text = SPACE.matcher(text).replaceAll(" ").trim();
    return text.length() <= SUMMARY_LENGTH ? text
        : text.substring(0, SUMMARY_LENGTH - 1).trim() + "…";
  }

  private static String firstSentence(String description) {
    if (description == null) {
      return "";
    }
    String line = description.strip().lines().findFirst().orElse("");
    int stop = line.indexOf(". ");
    return stop < 0 ? line : line.substring(0, stop + 1);
  }
}
