package dev.toriimcp.catalog.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.toriimcp.configuration.entity.Policy;
import java.util.List;
import org.junit.jupiter.api.Test;

class PolicyMatcherTest {

  @Test
  void allowsEverythingWithoutRules() {
    assertThat(new PolicyMatcher(Policy.ALLOW_ALL).refusal("DELETE", "/pets/{id}", List.of())).isNull();
  }

  @Test
  void denyWinsOverAllowAndGlobsCrossSlashes() {
    PolicyMatcher matcher = new PolicyMatcher(new Policy(
        List.of("GET /pets*", "* /store/*"), List.of("DELETE *", "GET /pets/{petId}/secret"),
        List.of(), List.of()));

    assertThat(matcher.refusal("GET", "/pets/{petId}", List.of())).isNull();
    assertThat(matcher.refusal("POST", "/store/order", List.of())).isNull();
    assertThat(matcher.refusal("DELETE", "/store/order", List.of()))
        .isEqualTo("denied by policy rule 'DELETE *'");
    assertThat(matcher.refusal("GET", "/pets/{petId}/secret", List.of())).startsWith("denied");
    assertThat(matcher.refusal("POST", "/pets", List.of()))
        .isEqualTo("not matched by any policy allow rule");
  }

  @Test
  void filtersByTags() {
    PolicyMatcher matcher = new PolicyMatcher(
        new Policy(List.of(), List.of(), List.of("pet", "store"), List.of("admin")));

    assertThat(matcher.refusal("GET", "/a", List.of("pet"))).isNull();
    assertThat(matcher.refusal("GET", "/a", List.of("pet", "admin")))
        .isEqualTo("tag 'admin' is excluded by policy");
    assertThat(matcher.refusal("GET", "/a", List.of("user")))
        .isEqualTo("has none of the policy's included tags");
  }
}
