package dev.toriimcp.configuration.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.toriimcp.configuration.control.PlaceholderResolver.Resolved;
import dev.toriimcp.configuration.control.PlaceholderResolver.UnresolvedPlaceholderException;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

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
}
