package dev.toriimcp.configuration.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.toriimcp.configuration.control.PlaceholderResolver.Resolved;
import dev.toriimcp.configuration.control.PlaceholderResolver.UnresolvedPlaceholderException;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.toriimcp.configuration.entity.ConfigurationException;
import dev.toriimcp.configuration.entity.ConfigurationProblem;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlaceholderResolverTest {

  private final PlaceholderResolver resolver = new PlaceholderResolver(
      Map.of("HOST", "env-host", "BOTH", "from-env")::get,
      Map.of("BOTH", "from-property", "prop.only", "property-value")::get,
      name -> Optional.ofNullable(Map.of("jdbc/secret", "jndi-value").get(name)));

  @Test
  void leavesPlainTextAlone() throws Exception {
    assertThat(resolver.resolve("https://example.com")).isEqualTo(new Resolved("https://example.com", false));
  }

  @Test
  void prefersTheEnvironmentOverSystemProperties() throws Exception {
    assertThat(resolver.resolve("${BOTH}").value()).isEqualTo("from-env");
    assertThat(resolver.resolve("${prop.only}").value()).isEqualTo("property-value");
  }

  @Test
  void substitutesSeveralPlaceholdersInOneValue() throws Exception {
    assertThat(resolver.resolve("https://${HOST}/x/${prop.only}"))
        .isEqualTo(new Resolved("https://env-host/x/property-value", true));
  }

  @Test
  void usesTheFallbackOnlyWhenTheNameIsUnset() throws Exception {
    assertThat(resolver.resolve("${MISSING:-http://localhost:8080}").value())
        .isEqualTo("http://localhost:8080");
    assertThat(resolver.resolve("${HOST:-other}").value()).isEqualTo("env-host");
    assertThat(resolver.resolve("${MISSING:-}").value()).isEmpty();
  }

  @Test
  void looksUpJndiNames() throws Exception {
    assertThat(resolver.resolve("${jndi:jdbc/secret}").value()).isEqualTo("jndi-value");
  }

  @Test
  void treatsADoubleDollarAsALiteral() throws Exception {
    assertThat(resolver.resolve("cost: $${HOST}").value()).isEqualTo("cost: ${HOST}");
  }

  @Test
  void namesWhatIsMissing() {
    assertThatThrownBy(() -> resolver.resolve("${NOPE}"))
        .isInstanceOf(UnresolvedPlaceholderException.class)
        .hasMessageStartingWith("unresolved placeholder ${NOPE}");
    assertThatThrownBy(() -> resolver.resolve("${jndi:jdbc/other}"))
        .hasMessageStartingWith("unresolved placeholder ${jndi:jdbc/other}: no JNDI entry");
    assertThatThrownBy(() -> resolver.resolve("${}"))
        .hasMessageStartingWith("malformed placeholder ${}");
    assertThatThrownBy(() -> resolver.resolve("${a b}"))
        .hasMessageStartingWith("malformed placeholder ${a b}");
  }

  // ${file:...} and ${credential:...}: secrets read from files (systemd LoadCredential=).

  private static final String SECRET = "HyAhIiMkJSYnKCkqKywtLi8wMTIzNDU2Nzg5Ojs8PT4=";

  @TempDir Path directory;

  private PlaceholderResolver withEnvironment(Map<String, String> environment) {
    return new PlaceholderResolver(environment::get, name -> null, name -> Optional.empty());
  }

  private Path secretFile(String name, String content) throws Exception {
    return Files.writeString(directory.resolve(name), content, StandardCharsets.UTF_8);
  }

  @Test
  void readsAFileAndDropsItsTrailingLineBreaks() throws Exception {
    Path unix = secretFile("unix", SECRET + "\n");
    Path dos = secretFile("dos", SECRET + "\r\n\r\n");
    Path bare = secretFile("bare", "inner\nlines kept ");

    assertThat(resolver.resolve("${file:" + unix + "}")).isEqualTo(new Resolved(SECRET, true));
    assertThat(resolver.resolve("${file:" + dos + "}").value()).isEqualTo(SECRET);
    assertThat(resolver.resolve("${ file:" + bare + " }").value()).isEqualTo("inner\nlines kept ");
    assertThat(resolver.resolve("Bearer ${file:" + unix + "}").value()).isEqualTo("Bearer " + SECRET);
  }

  @Test
  void namesAMissingFile() {
    Path missing = directory.resolve("nope");
    assertThatThrownBy(() -> resolver.resolve("${file:" + missing + "}"))
        .isInstanceOf(UnresolvedPlaceholderException.class)
        .hasMessage("unresolved placeholder ${file:" + missing + "}: file not found: '" + missing
            + "'");
  }

  @Test
  void namesAnEmptyFile() throws Exception {
    Path empty = secretFile("empty", "");
    Path newline = secretFile("newline", "\n");
    assertThatThrownBy(() -> resolver.resolve("${file:" + empty + "}"))
        .hasMessage("unresolved placeholder ${file:" + empty + "}: '" + empty + "' is empty");
    assertThatThrownBy(() -> resolver.resolve("${file:" + newline + "}"))
        .hasMessageEndingWith("' is empty");
  }

  @Test
  void namesADirectoryAsNotReadable() {
    assertThatThrownBy(() -> resolver.resolve("${file:" + directory + "}"))
        .hasMessage("unresolved placeholder ${file:" + directory + "}: '" + directory
            + "' is not readable: it is a directory, not a file");
  }

  @Test
  void namesAFileThisProcessMayNotRead() throws Exception {
    assumeFalse("root".equals(System.getProperty("user.name")), "root reads any file");
    Path locked = secretFile("locked", SECRET);
    Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------"));
    assertThatThrownBy(() -> resolver.resolve("${file:" + locked + "}"))
        .hasMessage("unresolved placeholder ${file:" + locked + "}: '" + locked
            + "' is not readable by this process (permission denied)");
  }

  @Test
  void refusesRelativeOrEmptyFilePaths() {
    assertThatThrownBy(() -> resolver.resolve("${file:secrets/key}"))
        .hasMessage("malformed placeholder ${file:secrets/key}: expected"
            + " ${file:/absolute/path/to/secret}");
    assertThatThrownBy(() -> resolver.resolve("${file:}"))
        .hasMessageStartingWith("malformed placeholder ${file:}");
  }

  @Test
  void refusesFilesTooLargeOrNotText() throws Exception {
    Path large = secretFile("large", "x".repeat(PlaceholderResolver.MAX_SECRET_BYTES + 1));
    Path binary = Files.write(directory.resolve("binary"), new byte[] {(byte) 0xff, (byte) 0xfe});
    assertThatThrownBy(() -> resolver.resolve("${file:" + large + "}"))
        .hasMessageEndingWith("too large for a secret");
    assertThatThrownBy(() -> resolver.resolve("${file:" + binary + "}"))
        .hasMessageEndingWith("' is not UTF-8 text");
  }

  @Test
  void readsACredentialFromTheCredentialsDirectory() throws Exception {
    secretFile("sealing-key", SECRET + "\n");
    PlaceholderResolver systemd =
        withEnvironment(Map.of("CREDENTIALS_DIRECTORY", directory.toString()));

    assertThat(systemd.resolve("${credential:sealing-key}")).isEqualTo(new Resolved(SECRET, true));
  }

  @Test
  void namesAnUnsetCredentialsDirectory() {
    assertThatThrownBy(() -> withEnvironment(Map.of()).resolve("${credential:sealing-key}"))
        .isInstanceOf(UnresolvedPlaceholderException.class)
        .hasMessageStartingWith("unresolved placeholder ${credential:sealing-key}: the environment"
            + " variable CREDENTIALS_DIRECTORY is not set; systemd sets it for a unit with"
            + " LoadCredential=sealing-key:");
  }

  @Test
  void namesAMissingOrEmptyCredential() throws Exception {
    secretFile("blank", "\n");
    PlaceholderResolver systemd =
        withEnvironment(Map.of("CREDENTIALS_DIRECTORY", directory.toString()));

    assertThatThrownBy(() -> systemd.resolve("${credential:sealing-key}"))
        .hasMessage("unresolved placeholder ${credential:sealing-key}: file not found: '"
            + directory.resolve("sealing-key") + "'");
    assertThatThrownBy(() -> systemd.resolve("${credential:blank}"))
        .hasMessageEndingWith("blank' is empty");
  }

  @Test
  void refusesCredentialNamesThatLeaveTheDirectory() {
    PlaceholderResolver systemd =
        withEnvironment(Map.of("CREDENTIALS_DIRECTORY", directory.toString()));
    for (String name : new String[] {"../etc/shadow", "a/b", "..", ".", ""}) {
      assertThatThrownBy(() -> systemd.resolve("${credential:" + name + "}"))
          .as(name)
          .hasMessageStartingWith("malformed placeholder ${credential:" + name + "}");
    }
  }

  @Test
  void reportsTheConfigurationFileAndLineAndNeverTheSecret() throws Exception {
    Path key = secretFile("sealing-key", SECRET);
    Map<String, String> environment = new HashMap<>();
    environment.put("CREDENTIALS_DIRECTORY", directory.toString());
    ConfigurationReader reader = new ConfigurationReader(withEnvironment(environment));

    ConfigurationException failure = catchThrowableOfType(ConfigurationException.class,
        () -> reader.read(Path.of("/etc/torii-mcp/mcp-proxy.yaml"), """
            public_url: https://mcp.example.com
            backends: [{name: a, spec_url: a.yaml, base_url: "https://${file:%s}.example.com"}]
            sealing:
              keys:
                - {id: k1, secret: "${credential:missing-key}"}
            """.formatted(key)));

    assertThat(failure).isNotNull();
    assertThat(failure.problems()).extracting(ConfigurationProblem::key)
        .contains("sealing.keys[0].secret");
    ConfigurationProblem missing = failure.problems().stream()
        .filter(p -> "sealing.keys[0].secret".equals(p.key())).findFirst().orElseThrow();
    assertThat(missing.file()).isEqualTo("/etc/torii-mcp/mcp-proxy.yaml");
    assertThat(missing.line()).isEqualTo(5);
    assertThat(missing.message()).isEqualTo("unresolved placeholder ${credential:missing-key}:"
        + " file not found: '" + directory.resolve("missing-key") + "'");
    assertThat(failure.getMessage()).doesNotContain(SECRET);
    assertThat(failure.problems()).extracting(ConfigurationProblem::message)
        .noneMatch(m -> m.contains(SECRET));
  }
}
