package dev.toriimcp.catalog.control;

import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one small table of words a user says for what an API calls otherwise ("PR" for pull
 * request). Each entry is kept only because the search benchmark measured it helping (ADR 0030);
 * the query keeps its own words and gains the API's.
 */
final class SearchSynonyms {

  private static final Map<String, String> TABLE = Map.ofEntries(
      // What a user does, in the words of a CRUD API.
      Map.entry("add", "create"),
      Map.entry("new", "create"),
      Map.entry("make", "create"),
      Map.entry("start", "create open"),
      Map.entry("publish", "create"),
      Map.entry("store", "create"),
      Map.entry("save", "create"),
      Map.entry("edit", "update"),
      Map.entry("change", "update"),
      Map.entry("modify", "update"),
      Map.entry("remove", "delete"),
      Map.entry("show", "list get"),
      // Abbreviations.
      Map.entry("pr", "pull request"),
      Map.entry("prs", "pull requests"),
      Map.entry("repository", "repo"),
      Map.entry("repositories", "repos"));
  private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}]+");

  private SearchSynonyms() {}

  /** The query followed by the expansion of each of its words that the table knows. */
  static String expand(String query) {
    StringBuilder expanded = new StringBuilder(query);
    Matcher word = WORD.matcher(query);
    while (word.find()) {
      String more = TABLE.get(word.group().toLowerCase(Locale.ROOT));
      if (more != null) {
        expanded.append(' ').append(more);
      }
    }
    return expanded.toString();
  }
}
