package dev.toriimcp.catalog.control;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one small table of words a user says for what an API calls otherwise ("PR" for pull
 * request), and the verbs a task's first word stands for. Each entry is general English, kept
 * because the search benchmark measured it helping (ADR 0030); the query keeps its own words and
 * gains the API's.
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
      Map.entry("show", "list get read"),
      Map.entry("get", "read"),
      Map.entry("read", "get"),
      Map.entry("fetch", "get read"),
      Map.entry("retrieve", "get read"),
      Map.entry("view", "get read"),
      Map.entry("see", "get read"),
      Map.entry("describe", "get read"),
      // People: what APIs call users.
      Map.entry("someone", "user"),
      Map.entry("somebody", "user"),
      Map.entry("person", "user"),
      Map.entry("people", "users"),
      // Abbreviations.
      // What issue trackers in general call a bug report; debatable, but knows no one API.
      Map.entry("bug", "issue"),
      Map.entry("bugs", "issues"),
      Map.entry("pr", "pull request"),
      Map.entry("prs", "pull requests"),
      Map.entry("repository", "repo"),
      Map.entry("repositories", "repos"),
      // Abbreviations that API names use for everyday words, both ways: the user may say either.
      Map.entry("info", "information"),
      Map.entry("information", "info"),
      Map.entry("details", "info"),
      Map.entry("config", "configuration"),
      Map.entry("configuration", "config"),
      Map.entry("settings", "config"),
      Map.entry("org", "organization"),
      Map.entry("orgs", "organizations"),
      Map.entry("organization", "org"),
      Map.entry("organizations", "orgs"),
      Map.entry("ref", "reference"),
      Map.entry("refs", "references"),
      Map.entry("reference", "ref"),
      Map.entry("references", "refs"),
      Map.entry("app", "application"),
      Map.entry("apps", "applications"),
      Map.entry("application", "app"),
      Map.entry("applications", "apps"),
      Map.entry("env", "environment"),
      Map.entry("environment", "env"),
      Map.entry("msg", "message"),
      Map.entry("auth", "authentication authorization"),
      Map.entry("stats", "statistics"),
      Map.entry("statistics", "stats"),
      Map.entry("perms", "permissions"),
      Map.entry("dir", "directory"),
      Map.entry("directory", "dir"),
      Map.entry("doc", "document"),
      Map.entry("docs", "documents"),
      Map.entry("spec", "specification"),
      Map.entry("id", "identifier"));
  /**
   * What the first word of a task asks for, as the CRUD verbs of {@link SearchDocument#verbs}. A
   * task is an imperative ("open a pull request"), so its first word is its verb; the same word
   * later is as often an adjective or a noun ("list the open pull requests", "delete a file"),
   * which is why "open" and "file" are not in {@link #TABLE}.
   */
  private static final Map<String, String> LEADING_VERBS = byWord(Map.of(
      "create", "create add new make open start post send publish file submit register trigger"
          + " run invite",
      "get", "get read fetch retrieve view show see check find download describe inspect",
      "list", "list browse enumerate",
      "update", "update edit change modify rename set replace patch mark",
      "delete", "delete remove drop erase destroy revoke"));
  static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}]+");

  private SearchSynonyms() {}

  private static Map<String, String> byWord(Map<String, String> wordsByVerb) {
    Map<String, String> verbs = new HashMap<>();
    wordsByVerb.forEach((verb, words) -> {
      for (String word : words.split(" ")) {
        verbs.put(word, verb);
      }
    });
    return Map.copyOf(verbs);
  }

  /** The CRUD verb the task's first word stands for, or {@code null}. */
  static String leadingVerb(String query) {
    Matcher word = WORD.matcher(query);
    return word.find() ? LEADING_VERBS.get(word.group().toLowerCase(Locale.ROOT)) : null;
  }

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
