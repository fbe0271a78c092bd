package dev.toriimcp.catalog.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.toriimcp.catalog.entity.CompiledTool;
import dev.toriimcp.catalog.entity.OperationBinding;
import dev.toriimcp.catalog.entity.ToolSearchHit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ToolSearchTest {

  private static CompiledTool tool(String name, String title, String method, String path,
      String... tags) {
    return new CompiledTool(name, title, title, JsonNodeFactory.instance.objectNode(), null, null,
        new OperationBinding(method, path, List.of(), List.of(), null, List.of(), List.of(tags)),
        null);
  }

  private static final ToolSearch SEARCH = new ToolSearch(List.of(
      tool("repos/list-pull-requests", "List pull requests", "GET", "/repos/{owner}/{repo}/pulls",
          "pulls"),
      tool("issues_create", "Create an issue", "POST", "/repos/{owner}/{repo}/issues", "issues"),
      tool("listCoreV1NamespacedPod", "list objects of kind Pod", "GET",
          "/api/v1/namespaces/{namespace}/pods"),
      tool("chat_postMessage", "Sends a message to a channel.", "POST", "/chat.postMessage"),
      tool("pets_delete", "Deletes a pet", "DELETE", "/pets/{petId}")));

  private static List<String> names(List<ToolSearchHit> hits) {
    return hits.stream().map(ToolSearchHit::name).toList();
  }

  @Test
  void ranksTheToolThatDoesTheTaskFirst() {
    assertThat(names(SEARCH.search("list the open pull requests of a repository", 5)))
        .first().isEqualTo("repos/list-pull-requests");
    assertThat(names(SEARCH.search("post a message to a channel", 5)))
        .first().isEqualTo("chat_postMessage");
    assertThat(names(SEARCH.search("pods in a namespace", 5)))
        .first().isEqualTo("listCoreV1NamespacedPod");
  }

  @Test
  void splitsIdentifiersIntoWords() {
    assertThat(ToolSearch.words("repos/list-pull-requests")).isEqualTo("repos list pull requests");
    assertThat(ToolSearch.words("listCoreV1NamespacedPod")).isEqualTo("list Core V1 Namespaced Pod");
    assertThat(ToolSearch.words("/repos/{owner}/{repo}")).isEqualTo("repos owner repo");
  }

  @Test
  void expandsTheSynonymTable() {
    assertThat(names(SEARCH.search("remove a pet", 1))).containsExactly("pets_delete");
    assertThat(names(SEARCH.search("my PRs", 1))).containsExactly("repos/list-pull-requests");
    assertThat(names(SEARCH.search("file a new issue", 1))).containsExactly("issues_create");
  }

  @Test
  void returnsTheSummaryMethodAndPath() {
    ToolSearchHit hit = SEARCH.search("delete pet", 1).get(0);
    assertThat(hit.summary()).isEqualTo("Deletes a pet");
    assertThat(hit.method()).isEqualTo("DELETE");
    assertThat(hit.path()).isEqualTo("/pets/{petId}");
    assertThat(hit.score()).isPositive();
  }

  @Test
  void treatsLuceneSyntaxAsPlainText() {
    for (String query : List.of("pods AND (namespace", "\"pull", "pet~ *", "issue: [create TO",
        "+-&&||!(){}[]^\"~*?:\\/", "NOT", "pods OR")) {
      assertThat(SEARCH.search(query, 5)).isNotNull();
    }
    assertThat(names(SEARCH.search("pods AND (namespace", 1))).containsExactly("listCoreV1NamespacedPod");
  }

  @Test
  void findsNothingForUnknownOrStopWords() {
    assertThat(SEARCH.search("the of a", 5)).isEmpty();
    assertThat(SEARCH.search("zebra xylophone", 5)).isEmpty();
  }

  @Test
  void rejectsABlankOrOverlongQueryAndALimitBelowOne() {
    assertThatThrownBy(() -> SEARCH.search("  ", 5)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("empty");
    assertThatThrownBy(() -> SEARCH.search(null, 5)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SEARCH.search("x".repeat(ToolSearch.MAX_QUERY_LENGTH + 1), 5))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most 500");
    assertThatThrownBy(() -> SEARCH.search("pet", 0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 1");
  }

  @Test
  void clampsTheLimit() {
    List<CompiledTool> many = new ArrayList<>();
    IntStream.range(0, 80).forEach(i -> many.add(tool("pet_" + i, "Get a pet", "GET", "/p" + i)));
    ToolSearch search = new ToolSearch(many);
    assertThat(search.search("pet", Integer.MAX_VALUE)).hasSize(ToolSearch.MAX_LIMIT);
    assertThat(search.search("pet", 3)).hasSize(3);
  }

  @Test
  void breaksTiesByName() {
    List<CompiledTool> same = List.of(tool("c_pet", "Get a pet", "GET", "/x"),
        tool("a_pet", "Get a pet", "GET", "/x"), tool("b_pet", "Get a pet", "GET", "/x"));
    assertThat(names(new ToolSearch(same).search("get", 3)))
        .containsExactly("a_pet", "b_pet", "c_pet");
  }

  @Test
  void answersConcurrentSearchesAlike() throws Exception {
    List<String> expected = names(SEARCH.search("list pull requests", 5));
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<List<String>>> futures = new ArrayList<>();
      for (int i = 0; i < 400; i++) {
        futures.add(pool.submit(() -> names(SEARCH.search("list pull requests", 5))));
      }
      for (Future<List<String>> future : futures) {
        assertThat(future.get()).isEqualTo(expected);
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
