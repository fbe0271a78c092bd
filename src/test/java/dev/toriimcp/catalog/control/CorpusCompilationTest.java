package dev.toriimcp.catalog.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.toriimcp.catalog.entity.CompiledTool;
import dev.toriimcp.catalog.entity.ToolCatalog;
import dev.toriimcp.configuration.entity.Policy;
import dev.toriimcp.testing.SpecCorpus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every real spec of the shared corpus compiles, and every tool it yields is one that the
 * strictest clients and LLM providers accept.
 */
class CorpusCompilationTest {

  private static final JsonSchema META_SCHEMA = JsonSchemaFactory
      .getInstance(SpecVersion.VersionFlag.V202012)
      .getSchema(SchemaLocation.of("https://json-schema.org/draft/2020-12/schema"));

  /** Operations of the corpus whose {@code servers} leave the document's origins. */
  private static final Map<String, List<String>> ON_ANOTHER_ORIGIN = Map.of(
      "github-api.github.com-2022-06.json",
      List.of("POST /repos/{owner}/{repo}/releases/{release_id}/assets"));

  static Stream<SpecCorpus.Spec> corpus() throws Exception {
    return SpecCorpus.all().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  void everyOperationBecomesAValidTool(SpecCorpus.Spec spec) throws Exception {
    ToolCatalog catalog = new SpecCompiler(SpecCompiler.Settings.DEFAULT).compile("corpus",
        new SpecLoader().load(spec.root().toUri()), Policy.ALLOW_ALL);

    assertThat(catalog.tools().size() + catalog.skipped().size())
        .as("tools + skipped operations vs the manifest's count")
        .isEqualTo(spec.operations());
    // Without a policy, only operations whose own servers are another origin than the
    // document's are skipped: the user's credential must not go there (ADR 0016).
    assertThat(catalog.skipped()).as("skipped without a policy")
        .extracting(skipped -> skipped.method() + " " + skipped.path())
        .containsExactlyElementsOf(ON_ANOTHER_ORIGIN.getOrDefault(spec.name(), List.of()));
    assertThat(catalog.skipped()).allSatisfy(skipped -> assertThat(skipped.reason())
        .startsWith("its servers point at https://uploads.github.com, not at an origin of the"
            + " document's servers [https://api.github.com]"));
    List<String> problems = new ArrayList<>();
    for (CompiledTool tool : catalog.tools()) {
      if (!ToolNaming.VALID.matcher(tool.name()).matches()) {
        problems.add(tool.name() + ": invalid name");
      }
      JsonNode schema = tool.inputSchema();
      if (!"object".equals(schema.path("type").asText())) {
        problems.add(tool.name() + ": root type is not object");
      }
      for (String combinator : List.of("allOf", "anyOf", "oneOf", "not")) {
        if (schema.has(combinator)) {
          problems.add(tool.name() + ": root " + combinator);
        }
      }
      if (containsKey(schema, "$ref") || containsKey(schema, "$defs")) {
        problems.add(tool.name() + ": $ref or $defs left");
      }
      Set<ValidationMessage> invalid = META_SCHEMA.validate(schema);
      if (!invalid.isEmpty()) {
        problems.add(tool.name() + ": not a valid 2020-12 schema: " + invalid);
      }
      schema.path("properties").fieldNames().forEachRemaining(property -> {
        if (!property.matches("^[A-Za-z0-9_.-]{1,64}$")) {
          problems.add(tool.name() + ": property name '" + property + "'");
        }
      });
    }
    assertThat(problems).isEmpty();
  }

  static boolean containsKey(JsonNode node, String key) {
    if (node.isObject()) {
      if (node.has(key)) {
        return true;
      }
      for (JsonNode child : node) {
        if (containsKey(child, key)) {
          return true;
        }
      }
    } else if (node.isArray()) {
      for (JsonNode child : node) {
        if (containsKey(child, key)) {
          return true;
        }
      }
    }
    return false;
  }
}
