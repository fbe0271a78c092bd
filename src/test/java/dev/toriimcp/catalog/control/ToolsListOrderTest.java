package dev.toriimcp.catalog.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.toriimcp.catalog.entity.CompiledTool;
import dev.toriimcp.catalog.entity.ToolCatalog;
import dev.toriimcp.configuration.entity.Policy;
import dev.toriimcp.configuration.entity.ToolOverride;
import dev.toriimcp.testing.SpecCorpus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code tools/list} is the same bytes for the same spec, whatever its form and whichever process
 * compiles it: clients cache prompts by prefix, so a reordered tool or keyword would cost every
 * user of a backend a cache miss after each restart, and differ between the nodes of a cluster.
 * Every output schema is published too, since that is where order could hide.
 */
class ToolsListOrderTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final YAMLMapper YAML = new YAMLMapper();

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"slack_web_openapi_v2.json", "github-api.github.com-2022-06.json",
      "kubernetes-v1.36-swagger.json", "openai-openapi.yaml", "twilio_api_v2010.yaml",
      "redoc-demo-openapi-3-1.yaml"})
  void jsonAndYamlOfOneSpecListTheSameBytes(String name, @TempDir Path directory)
      throws Exception {
    Path original = SpecCorpus.named(name).root();
    boolean json = name.endsWith(".json");
    JsonNode tree = (json ? JSON : YAML).readTree(original.toFile());
    Path converted = directory.resolve(name.replaceAll("\\.(json|yaml)$", json ? ".yaml" : ".json"));
    (json ? YAML : JSON).writeValue(converted.toFile(), tree);

    byte[] fromOriginal = toolsList(original);
    assertThat(fromOriginal.length).isGreaterThan(1000);
    assertThat(toolsList(converted)).as("tools/list of %s vs its %s conversion", name,
        json ? "YAML" : "JSON").isEqualTo(fromOriginal);
    assertThat(toolsList(original)).as("compiled twice").isEqualTo(fromOriginal);
  }

  /** Set.of and Map.of iterate in an order that changes with each JVM: restarts must not show. */
  @Test
  void anotherProcessListsTheSameBytes() throws Exception {
    Path spec = SpecCorpus.named("github-api.github.com-2022-06.json").root();
    String here = digest(toolsList(spec));
    for (int run = 0; run < 2; run++) {
      assertThat(inAnotherProcess(spec)).as("digest from another JVM, run %d", run).isEqualTo(here);
    }
  }

  /** The digest of a spec's tools/list, for {@link #anotherProcessListsTheSameBytes}. */
  public static void main(String[] args) throws Exception {
    System.out.println(digest(toolsList(Path.of(args[0]))));
  }

  static byte[] toolsList(Path spec) throws Exception {
    SpecCompiler compiler = new SpecCompiler(SpecCompiler.Settings.DEFAULT);
    SpecLoader.LoadedSpec loaded = new SpecLoader().load(spec.toUri());
    Map<String, ToolOverride> outputSchemas = new LinkedHashMap<>();
    for (CompiledTool tool : compiler.compile("order", loaded, Policy.ALLOW_ALL).tools()) {
      outputSchemas.put(tool.binding().method() + " " + tool.binding().pathTemplate(),
          new ToolOverride(null, null, true));
    }
    ToolCatalog catalog = compiler.compile("order", loaded, Policy.ALLOW_ALL, outputSchemas);
    return CatalogCompilation.toolsList(catalog.tools()).toString().getBytes(StandardCharsets.UTF_8);
  }

  private static String digest(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  private static String inAnotherProcess(Path spec) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
        "-cp", System.getProperty("java.class.path"), ToolsListOrderTest.class.getName(),
        spec.toString()));
    Process process = new ProcessBuilder(command)
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as("exit status; output: %s", out).isZero();
    String[] lines = out.strip().split("\n");
    return lines[lines.length - 1].strip();
  }
}
