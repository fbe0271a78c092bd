package dev.toriimcp.mcp.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toriimcp.catalog.control.CatalogCompilation;
import dev.toriimcp.catalog.control.SpecCompiler;
import dev.toriimcp.catalog.entity.BackendCatalog;
import dev.toriimcp.catalog.entity.ToolCatalog;
import dev.toriimcp.configuration.entity.BackendDefinition;
import dev.toriimcp.configuration.entity.Exposure;
import dev.toriimcp.configuration.entity.Policy;
import dev.toriimcp.testing.SpecCorpus;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The meta-tools of a dynamic backend (issue 16, ADR 0031), on the shared GitHub spec. */
class DynamicToolsTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static ToolCatalog github;

  @BeforeAll
  static void compile() throws Exception {
    github = compile("github-api.github.com-2022-06.json", "github", Exposure.DEFAULT);
  }

  private static ToolCatalog compile(String spec, String name, Exposure exposure)
      throws java.io.IOException {
    BackendCatalog compiled = new CatalogCompilation(SpecCompiler.Settings.DEFAULT)
        .compile(new BackendDefinition(name, SpecCorpus.named(spec).root().toUri(), null,
            Policy.ALLOW_ALL, null, Map.of(), exposure));
    return ((BackendCatalog.Ready) compiled).catalog();
  }

  @Test
  void autoServesALargeApiDynamicallyAndASmallOneWhole() throws Exception {
    assertThat(github.dynamic()).as("GitHub: ~200k tokens over the 20k budget").isTrue();
    assertThat(compile("petstore-v3.yaml", "petstore", Exposure.DEFAULT).dynamic()).isFalse();
    assertThat(compile("petstore-v3.yaml", "petstore",
        new Exposure(Exposure.Mode.DYNAMIC, 20_000, Exposure.Descriptions.COMPACT)).dynamic())
        .isTrue();
    assertThat(compile("github-api.github.com-2022-06.json", "github",
        new Exposure(Exposure.Mode.ALL, 20_000, Exposure.Descriptions.COMPACT)).dynamic())
        .isFalse();
    assertThat(compile("petstore-v3.yaml", "petstore",
        new Exposure(Exposure.Mode.AUTO, 100, Exposure.Descriptions.COMPACT)).dynamic())
        .as("a budget below petstore's list").isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"})
  void theDynamicToolsListIsThreeToolsInUnder1000Bytes(String version) throws Exception {
    ToolsListHandler handler = new ToolsListHandler(100);
    ToolCatalog longTitle = new ToolCatalog(github.backend(), github.specVersion(), github.tools(),
        github.skipped(), github.warnings(), github.serverOrigins(),
        "An API Whose Title Goes On ".repeat(8)).served(true, github.index());
    for (ToolCatalog catalog : List.of(github, longTitle, compile("kubernetes-v1.36-swagger.json",
        "kubernetes", Exposure.DEFAULT))) {
      ObjectNode result = handler.list(catalog.backend(), catalog, version, JSON.createObjectNode());
      int bytes = result.toString().getBytes(StandardCharsets.UTF_8).length;
      assertThat(result.get("tools")).extracting(tool -> tool.get("name").asText())
          .containsExactly("search_tools", "describe_tool", "call_tool");
      assertThat(bytes).as("%s tools/list bytes at %s: %s", catalog.backend(), version, result)
          .isLessThanOrEqualTo(1000);
      assertThat(result.has("nextCursor")).isFalse();
    }
  }

  @Test
  void annotationsAreHonestAndSchemasAreObjects() {
    List<JsonNode> tools = DynamicTools.definitions(github);
    for (JsonNode tool : tools) {
      assertThat(tool.path("inputSchema").path("type").asText()).isEqualTo("object");
      assertThat(tool.path("description").asText()).isNotBlank();
    }
    assertThat(tools.get(0).path("description").asText())
        .contains("among the 770 of GitHub v3 REST API");
    JsonNode call = tools.get(2).path("annotations");
    assertThat(call.path("readOnlyHint").asBoolean()).isFalse();
    assertThat(call.path("destructiveHint").asBoolean()).isTrue();
    assertThat(call.path("openWorldHint").asBoolean()).isTrue();
    assertThat(call.path("idempotentHint").asBoolean(false)).isFalse();
    for (JsonNode reader : List.of(tools.get(0), tools.get(1))) {
      assertThat(reader.path("annotations").path("readOnlyHint").asBoolean()).isTrue();
      assertThat(reader.path("annotations").path("openWorldHint").asBoolean()).isFalse();
    }
  }

  @Test
  void searchReturnsNameSummaryMethodAndPathOfTheBestMatches() throws Exception {
    ObjectNode result = DynamicTools.search(github, arguments(
        "{\"query\": \"list the open pull requests of a repository\", \"limit\": 5}"));

    assertThat(result.has("isError")).isFalse();
    JsonNode found = JSON.readTree(result.at("/content/0/text").asText());
    assertThat(found.get("tools")).hasSize(5);
    assertThat(found.get("tools")).extracting(hit -> hit.get("name").asText()).contains("pulls_list");
    JsonNode hit = found.get("tools").get(0);
    assertThat(hit.fieldNames()).toIterable().containsExactly("name", "summary", "method", "path");
  }

  @Test
  void searchRefusesAMissingQueryAndALimitOutOfRangeAsToolErrors() throws Exception {
    assertThat(error(DynamicTools.search(github, arguments("{}"))))
        .isEqualTo("search_tools: 'query' is required: a task in a few plain words");
    assertThat(error(DynamicTools.search(github, arguments("{\"query\": \"x\", \"limit\": 51}"))))
        .isEqualTo("search_tools: 'limit' must be a whole number from 1 to 50");
    assertThat(error(DynamicTools.search(github, arguments("{\"query\": \"x\", \"limit\": \"5\"}"))))
        .isEqualTo("search_tools: 'limit' must be a whole number from 1 to 50");
    assertThat(error(DynamicTools.search(github, arguments("{\"query\": \"   \"}"))))
        .isEqualTo("search_tools: the search query is empty: give a few words");
  }

  @Test
  void aQueryMatchingNothingSaysSoWithAHint() throws Exception {
    JsonNode found = JSON.readTree(DynamicTools.search(github, arguments(
        "{\"query\": \"zzqx\"}")).at("/content/0/text").asText());
    assertThat(found.get("tools")).isEmpty();
    assertThat(found.get("hint").asText()).startsWith("No tool matches");
  }

  @Test
  void describeGivesTheToolAsTheVersionWouldListIt() throws Exception {
    ObjectNode result = DynamicTools.describe(github, arguments("{\"name\": \"pulls_list\"}"),
        "2025-11-25");
    JsonNode tool = JSON.readTree(result.at("/content/0/text").asText());
    assertThat(tool).isEqualTo(github.tool("pulls_list").orElseThrow().definition());

    JsonNode old = JSON.readTree(DynamicTools.describe(github,
        arguments("{\"name\": \"pulls_list\"}"), "2025-03-26").at("/content/0/text").asText());
    assertThat(old.has("title")).isFalse();

    assertThat(error(DynamicTools.describe(github, arguments("{\"name\": \"nope\"}"), "2025-11-25")))
        .isEqualTo("describe_tool: unknown tool nope; search_tools finds this backend's tool names");
  }

  @Test
  void callToolUnwrapsIntoTheDirectCallsParams() throws Exception {
    assertThat(DynamicTools.unwrap(arguments(
        "{\"name\": \"call_tool\", \"arguments\": {\"name\": \"pulls_list\","
            + " \"arguments\": {\"owner\": \"o\"}}}")))
        .isEqualTo(arguments("{\"name\": \"pulls_list\", \"arguments\": {\"owner\": \"o\"}}"));
    assertThat(DynamicTools.unwrap(arguments("{\"name\": \"call_tool\"}")))
        .isEqualTo(JSON.createObjectNode());
    assertThat(DynamicTools.unwrap(arguments("{\"name\": \"call_tool\", \"arguments\": [1]}")))
        .isNull();
  }

  private static JsonNode arguments(String json) throws Exception {
    return JSON.readTree(json);
  }

  private static String error(ObjectNode result) {
    assertThat(result.path("isError").asBoolean()).as("isError in %s", result).isTrue();
    return result.at("/content/0/text").asText();
  }
}
