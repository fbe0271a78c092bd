package dev.toriimcp.platform;

import static org.assertj.core.api.Assertions.assertThat;

import dev.toriimcp.testing.GatewayProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A broken configuration must stop the start with one clear line per problem, and the server
 * must not stay up half-started: with the run command's settings the process exits with 1.
 */
class StartupFailureIT {

  private static final Duration LIMIT = Duration.ofSeconds(120);
  private static final String SECRET = "hunter2-never-printed";

  @Test
  void aConfigurationWithSeveralProblemsNamesEachAndExits() throws Exception {
    Path config = write("several-problems.yaml", """
        public_url: ${TORII_PUBLIC_URL}
        backends:
          - name: petstore
            spec_url: ${PETSTORE_SPEC_URL}
            base_url: ${UPSTREAM_SECRET}
          - name: petstore
            spec_url: petstore.yaml
            colour: blue
        """);

    try (GatewayProcess gateway = GatewayProcess.start("startup-failure-several", config,
        Map.of("UPSTREAM_SECRET", SECRET))) {
      assertThat(gateway.awaitExit(LIMIT)).isEqualTo(1);
      String output = gateway.output();
      assertThat(output).contains("torii-mcp is NOT started.")
          .contains("torii-mcp configuration has 4 problems:")
          .contains(config + ":4: backend 'petstore': key 'backends[0].spec_url': unresolved"
              + " placeholder ${PETSTORE_SPEC_URL}")
          .contains(config + ":5: backend 'petstore': key 'backends[0].base_url': expected an"
              + " absolute http(s) URL, found '${UPSTREAM_SECRET}'")
          .contains(config + ":6: backend 'petstore': key 'backends[1].name': duplicate backend"
              + " name (first defined on line 3)")
          .contains(config + ":8: backend 'petstore': key 'backends[1].colour': unknown key")
          .doesNotContain(SECRET)
          .doesNotContain("torii-mcp is ready");
    }
  }

  @Test
  void brokenYamlNamesTheLineAndExits() throws Exception {
    Path config = write("broken.yaml", """
        public_url: http://localhost:8080
        backends:
          - name: petstore
           spec_url: petstore.yaml
        """);

    try (GatewayProcess gateway = GatewayProcess.start("startup-failure-yaml", config, Map.of())) {
      assertThat(gateway.awaitExit(LIMIT)).isEqualTo(1);
      assertThat(gateway.output()).containsPattern(
          "\\Q" + config + "\\E:4: invalid YAML: .+").doesNotContain("torii-mcp is ready");
    }
  }

  private static Path write(String name, String yaml) throws Exception {
    Path directory = Files.createDirectories(Path.of("target/it-config"));
    return Files.writeString(directory.resolve(name), yaml);
  }
}
