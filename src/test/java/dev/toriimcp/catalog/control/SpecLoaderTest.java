package dev.toriimcp.catalog.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.toriimcp.catalog.entity.SpecLoadException;
import dev.toriimcp.testing.SpecCorpus;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;

/**
 * Spec size: a document the JSON path loads loads as YAML too, up to {@link
 * SpecLoader#MAX_SPEC_BYTES}; a larger one is refused by name, size and limit.
 */
class SpecLoaderTest {

  private static final Path WORK = Path.of("target/spec-loader-test");

  @Test
  void theLargestSharedJsonSpecLoadsAsYamlToo() throws Exception {
    Path json = SpecCorpus.named("kubernetes-v1.36-swagger.json").root();
    Path yaml = toYaml(json, "kubernetes-v1.36-swagger.yaml");
    // The point of the test: more code points than SnakeYAML's default limit (3 MiB).
    assertThat(Files.readString(yaml).codePointCount(0, Files.readString(yaml).length()))
        .isGreaterThan(new LoaderOptions().getCodePointLimit());

    SpecLoader loader = new SpecLoader();
    JsonNode fromJson = loader.load(json.toUri()).document();
    JsonNode fromYaml = loader.load(yaml.toUri()).document();

    assertThat(fromYaml.path("paths").size()).isEqualTo(fromJson.path("paths").size())
        .isGreaterThan(500);
    assertThat(fromYaml).isEqualTo(fromJson);
  }

  @Test
  void aSpecLargerThanTheLimitIsRefusedByNameSizeAndLimit() throws Exception {
    for (String name : new String[] {"too-large.yaml", "too-large.json"}) {
      Path spec = Files.createDirectories(WORK).resolve(name);
      long size = SpecLoader.MAX_SPEC_BYTES + 1;
      try (OutputStream out = Files.newOutputStream(spec)) {
        byte[] start = (name.endsWith(".json") ? "{\"openapi\": \"3.0.3\", \"x-pad\": \""
            : "openapi: 3.0.3\n# ").getBytes(StandardCharsets.US_ASCII);
        out.write(start);
        byte[] pad = new byte[64 * 1024];
        java.util.Arrays.fill(pad, (byte) 'x');
        for (long written = start.length; written < size; written += pad.length) {
          out.write(pad, 0, (int) Math.min(pad.length, size - written));
        }
      }
      SpecLoadException e = catchThrowableOfType(SpecLoadException.class,
          () -> new SpecLoader().load(spec.toUri()));
      assertThat(e).as(name).isNotNull();
      assertThat(e.getMessage()).isEqualTo("spec " + spec.toUri() + " is 33,554,433 bytes, larger"
          + " than the limit of 33,554,432 bytes (32 MiB) for one spec document");
    }
  }

  @Test
  void aSpecOfExactlyTheLimitIsNotRefusedForItsSize() throws Exception {
    Path spec = Files.createDirectories(WORK).resolve("at-limit.yaml");
    try (OutputStream out = Files.newOutputStream(spec)) {
      out.write(new byte[SpecLoader.MAX_SPEC_BYTES]);
    }
    SpecLoader.refuseOversized(spec.toUri()); // does not throw; parsing it is another matter
  }

  private static Path toYaml(Path json, String name) throws Exception {
    Path yaml = Files.createDirectories(WORK).resolve(name);
    ObjectMapper mapper = new YAMLMapper(YAMLFactory.builder()
        .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER).build());
    mapper.writeValue(yaml.toFile(), new ObjectMapper().readTree(json.toFile()));
    return yaml;
  }
}
