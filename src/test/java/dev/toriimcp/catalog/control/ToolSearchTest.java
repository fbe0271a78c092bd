package dev.toriimcp.catalog.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
    return described(name, title, title, method, path, tags);
  }

  private static CompiledTool described(String name, String title, String description,
      String method, String path, String... tags) {
    return new CompiledTool(name, title, description, JsonNodeFactory.instance.objectNode(), null,
        null,
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
  void splitsAWordNoToolHasIntoTwoThatToolsHave() {
    ToolSearch search = new ToolSearch(List.of(
        tool("pins_remove", "Un-pins an item from a channel.", "POST", "/pins.remove"),
        tool("chat_postMessage", "Sends a message to a channel.", "POST", "/chat.postMessage"),
        tool("actions_re-run-workflow", "Re-run a workflow", "POST", "/runs/{run_id}/rerun")));

    assertThat(names(search.search("unpin a message", 1))).containsExactly("pins_remove");
    assertThat(names(search.search("rerun the workflow", 1)))
        .containsExactly("actions_re-run-workflow");
  }

  @Test
  void matchesAnAbbreviationAndTheWordItStandsFor() {
    ToolSearch search = new ToolSearch(List.of(
        tool("team_info", "Team info", "GET", "/team.info"),
        tool("apps_config_get", "Gets an app's config", "GET", "/apps/config"),
        // Sort first, so that they win a tie.
        tool("apps_auth_get", "Gets an app's authorizations", "GET", "/apps/auth"),
        tool("team_accessLogs", "Gets the access logs of a team", "GET", "/team.accessLogs")));

    assertThat(names(search.search("information about the team", 1)))
        .containsExactly("team_info");
    assertThat(names(search.search("get the configuration of an application", 1)))
        .containsExactly("apps_config_get");
  }

  @Test
  void matchesTheValuesAnInputEnumerates() {
    ObjectNode input = JsonNodeFactory.instance.objectNode();
    ObjectNode body = input.putObject("properties").putObject(SpecCompiler.BODY);
    body.putObject("properties").putObject("event").putArray("enum")
        .add("APPROVE").add("REQUEST_CHANGES").add("COMMENT");
    ToolSearch search = new ToolSearch(List.of(
        new CompiledTool("pulls_create-review", "Create a review for a pull request", "", input,
            null, null, new OperationBinding("POST", "/pulls/{pull_number}/reviews", List.of(),
                List.of(), null, List.of(), List.of()), null),
        // Sorts first, so that it wins a tie.
        tool("pulls_check-reviews", "Check the reviews of a pull request", "POST",
            "/pulls/{pull_number}/reviews/check")));

    assertThat(names(search.search("approve a pull request", 1)))
        .containsExactly("pulls_create-review");
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
  void prefersTheMethodThatTheTasksFirstWordAsksFor() {
    // The same words everywhere, and the expected tool never the first by name.
    ToolSearch search = new ToolSearch(List.of(tool("pets_1", "Pets", "HEAD", "/pets/all"),
        tool("pets_2", "Pets", "GET", "/pets/{id}"), tool("pets_3", "Pets", "PATCH", "/pets/{id}"),
        tool("pets_4", "Pets", "DELETE", "/pets/{id}"), tool("pets_5", "Pets", "POST", "/pets/all"),
        tool("pets_6", "Pets", "GET", "/pets/all")));
    assertThat(names(search.search("open pets", 1))).containsExactly("pets_5");
    assertThat(names(search.search("remove pets", 1))).containsExactly("pets_4");
    assertThat(names(search.search("rename pets", 1))).containsExactly("pets_3");
    assertThat(names(search.search("list pets", 1))).containsExactly("pets_6");
    assertThat(names(search.search("fetch pets", 2))).containsExactly("pets_2", "pets_6");
    // The same word later in the task is not its verb: all six tie, in name order.
    assertThat(names(search.search("the open pets", 6)))
        .containsExactly("pets_1", "pets_2", "pets_3", "pets_4", "pets_5", "pets_6");
  }

  @Test
  void ranksADeprecatedToolBelowTheSameWordsUndeprecated() {
    // Equal but for the notice, so that without the factor the deprecated tool wins by name.
    ToolSearch search = new ToolSearch(List.of(
        described("a_grants", "List your grants", "**Deprecation Notice:** since v2.\n\nMore.",
            "GET", "/a"),
        described("b_grants", "List your grants", "**Availability Notice:** since v2.\n\nMore.",
            "GET", "/b")));
    assertThat(names(search.search("list grants", 2))).containsExactly("b_grants", "a_grants");
  }

  @Test
  void ranksAnAdministratorsToolBelowTheEverydayOneUnlessTheTaskSaysAdmin() {
    // Equal but for the namespace, so that without the factor the admin tool wins the tie by name.
    ToolSearch search = new ToolSearch(List.of(
        tool("admin_users_kick", "Removes a user from a channel.", "POST", "/admin.users.kick"),
        tool("teams_users_kick", "Removes a user from a channel.", "POST", "/teams.users.kick")));
    assertThat(names(search.search("remove a user from a channel", 2)))
        .containsExactly("teams_users_kick", "admin_users_kick");
    assertThat(names(search.search("as an admin, remove a user from a channel", 2)))
        .containsExactly("admin_users_kick", "teams_users_kick");
  }

  @Test
  void takesTheDescriptionsFirstSentenceForAMissingSummary() {
    ToolSearch search = new ToolSearch(List.of(
        described("chat_postEphemeral", null, "Sends an ephemeral message. To one user only.",
            "POST", "/chat.postEphemeral"),
        described("chat_x", "Other", "Other. Mentions an ephemeral message in passing, with many"
            + " more words around it than the other tool has.", "POST", "/chat.x")));
    ToolSearchHit hit = search.search("ephemeral message", 1).get(0);
    assertThat(hit.name()).isEqualTo("chat_postEphemeral");
    assertThat(hit.summary()).isEqualTo("Sends an ephemeral message.");
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
