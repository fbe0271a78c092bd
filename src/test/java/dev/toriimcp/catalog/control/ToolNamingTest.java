package dev.toriimcp.catalog.control;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ToolNamingTest {

  @Test
  void keepsAValidOperationId() {
    assertThat(new ToolNaming().name("listPets", "GET", "/pets")).isEqualTo("listPets");
  }

  @Test
  void sanitisesSlashesDotsQuotesAndAccents() {
    ToolNaming naming = new ToolNaming();
    assertThat(naming.name("repos/get", "GET", "/a")).isEqualTo("repos_get");
    assertThat(naming.name("ingest.get_pipeline.0", "GET", "/b")).isEqualTo("ingest_get_pipeline_0");
    assertThat(naming.name("deletePetBy\"Id", "DELETE", "/c")).isEqualTo("deletePetBy_Id");
    assertThat(naming.name("repoAddTopíc", "PUT", "/d")).isEqualTo("repoAddTopic");
    assertThat(naming.name("对账", "GET", "/e")).isEqualTo("operation");
  }

  @Test
  void derivesANameFromMethodAndPathWithoutOperationId() {
    assertThat(new ToolNaming().name(null, "GET", "/pets/{petId}/photos"))
        .isEqualTo("get_pets_petId_photos");
  }

  @Test
  void shortensLongNamesDeterministicallyWithinSixtyFourCharacters() {
    String longId = "enterprise-admin/list-self-hosted-runner-groups-for-enterprise-and-more-words";
    String first = new ToolNaming().name(longId, "GET", "/x");
    String again = new ToolNaming().name(longId, "GET", "/x");

    assertThat(first).hasSizeLessThanOrEqualTo(64).matches(ToolNaming.VALID).isEqualTo(again)
        .startsWith("enterprise-admin_list-self-hosted-runner-groups-for-ent");
  }

  @Test
  void resolvesCollisionsByOperationNotByOrder() {
    ToolNaming ab = new ToolNaming();
    String a1 = ab.name("getPetsById", "GET", "/pets/{id}");
    String b1 = ab.name("getPetsById", "GET", "/animals/{id}");
    ToolNaming onlyB = new ToolNaming();
    onlyB.name("getPetsById", "GET", "/other");
    String b2 = onlyB.name("getPetsById", "GET", "/animals/{id}");

    assertThat(a1).isEqualTo("getPetsById");
    assertThat(b1).startsWith("getPetsById_").hasSize("getPetsById_".length() + 8).isEqualTo(b2);
  }

  @Test
  void honoursReservedNames() {
    ToolNaming naming = new ToolNaming();
    assertThat(naming.reserve("findPets")).isTrue();
    assertThat(naming.reserve("findPets")).isFalse();
    assertThat(naming.reserve("not valid")).isFalse();
    assertThat(naming.name("findPets", "GET", "/pets")).isNotEqualTo("findPets");
  }

  /** Names must not depend on the node: in a Turkish locale "I" lower-cases to a dotless "ı". */
  @Test
  void namesWithoutOperationIdDoNotDependOnTheDefaultLocale() {
    java.util.Locale before = java.util.Locale.getDefault();
    try {
      java.util.Locale.setDefault(java.util.Locale.forLanguageTag("tr-TR"));
      assertThat(new ToolNaming().name(null, "OPTIONS", "/items")).isEqualTo("options_items");
    } finally {
      java.util.Locale.setDefault(before);
    }
  }
}
