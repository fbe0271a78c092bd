package dev.toriimcp.catalog.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toriimcp.catalog.entity.CompiledTool;
import dev.toriimcp.catalog.entity.ParameterBinding;
import dev.toriimcp.catalog.entity.ToolCatalog;
import dev.toriimcp.configuration.entity.Exposure.Descriptions;
import dev.toriimcp.configuration.entity.Policy;
import dev.toriimcp.testing.SpecCorpus;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Pins the complete catalog (tool definitions and HTTP bindings) of every small spec in the
 * corpus. A difference fails the test; regenerate on purpose with {@code -Dgolden.update=true}
 * and review the diff.
 */
class GoldenCatalogTest {

  private static final Path GOLDEN = Path.of("src/test/resources/catalogs");
  private static final long SMALL = 60_000;
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  static Stream<SpecCorpus.Spec> small() throws Exception {
    return SpecCorpus.all().stream().filter(spec -> {
      try {
        return Files.size(spec.root()) < SMALL;
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("small")
  void catalogMatchesItsGoldenFile(SpecCorpus.Spec spec) throws Exception {
    assertMatchesGolden(spec, SpecCompiler.Settings.DEFAULT, GOLDEN);
  }

  /** {@code descriptions: full} publishes what the gateway published before compaction. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("small")
  void fullDescriptionsCatalogMatchesItsGoldenFile(SpecCorpus.Spec spec) throws Exception {
    assertMatchesGolden(spec, SpecCompiler.Settings.DEFAULT.withDescriptions(Descriptions.FULL),
        GOLDEN.resolve("full"));
  }

  private static void assertMatchesGolden(SpecCorpus.Spec spec, SpecCompiler.Settings settings,
      Path directory) throws Exception {
    ToolCatalog catalog = new SpecCompiler(settings)
        .compile("golden", new SpecLoader().load(spec.root().toUri()), Policy.ALLOW_ALL);
    String actual = JSON.writeValueAsString(describe(catalog)) + "\n";
    Path file = directory.resolve(spec.name().replaceAll("\\.(json|yaml)$", "") + ".json");
    if (Boolean.getBoolean("golden.update")) {
      Files.createDirectories(directory);
      Files.writeString(file, actual, StandardCharsets.UTF_8);
    }
    assertThat(actual).as("catalog of %s vs %s", spec.name(), file)
        .isEqualTo(Files.readString(file, StandardCharsets.UTF_8));
  }

  private static JsonNode describe(ToolCatalog catalog) {
    ObjectNode root = JSON.createObjectNode().put("specVersion", catalog.specVersion());
    ArrayNode tools = root.putArray("tools");
    for (CompiledTool tool : catalog.tools()) {
      ObjectNode entry = tools.addObject();
      entry.set("definition", tool.definition());
      ObjectNode binding = entry.putObject("binding")
          .put("method", tool.binding().method()).put("path", tool.binding().pathTemplate());
      binding.set("servers", JSON.valueToTree(tool.binding().servers()));
      ArrayNode parameters = binding.putArray("parameters");
      for (ParameterBinding p : tool.binding().parameters()) {
        parameters.addObject().put("argument", p.argument()).put("name", p.name())
            .put("in", p.in().wire()).put("required", p.required()).put("style", p.style())
            .put("explode", p.explode()).put("allowReserved", p.allowReserved());
      }
      if (tool.binding().body() != null) {
        binding.putObject("body").put("mediaType", tool.binding().body().mediaType())
            .put("encoding", tool.binding().body().encoding().name())
            .put("required", tool.binding().body().required())
            .set("fileFields", JSON.valueToTree(tool.binding().body().fileFields().stream().sorted().toList()));
      }
      binding.set("accept", JSON.valueToTree(tool.binding().accept()));
    }
    root.set("skipped", JSON.valueToTree(catalog.skipped().stream().map(Object::toString).toList()));
    return root;
  }
}
