package dev.toriimcp.catalog.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.toriimcp.catalog.entity.CompiledTool;
import dev.toriimcp.catalog.entity.ToolCatalog;
import dev.toriimcp.configuration.entity.Limits;
import dev.toriimcp.configuration.entity.Policy;
import dev.toriimcp.configuration.entity.ToolOverride;
import dev.toriimcp.testing.SpecCorpus;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SpecCompilerTest {

  private static SpecLoader.LoadedSpec petstore() throws Exception {
    return new SpecLoader().load(SpecCorpus.named("petstore-v3.yaml").root().toUri());
  }

  @Test
  void appliesNameAndDescriptionOverridesByOperationIdOrMethodAndPath() throws Exception {
    ToolCatalog catalog = new SpecCompiler(SpecCompiler.Settings.DEFAULT).compile("petstore",
        petstore(), Policy.ALLOW_ALL, Map.of(
            "getPetById", new ToolOverride("pet", null, false),
            "DELETE /pet/{petId}", new ToolOverride(null, "Removes a pet for good.", false),
            "noSuchOperation", new ToolOverride("x", null, false)));

    assertThat(catalog.tool("pet")).isPresent();
    assertThat(catalog.tool("getPetById")).isEmpty();
    assertThat(catalog.tool("deletePet").map(CompiledTool::description)).contains("Removes a pet for good.");
    assertThat(catalog.warnings()).contains("tools override 'noSuchOperation' matches no operation");
  }

  @Test
  void publishesADocumentationOnlyOutputSchemaWhereConfigured() throws Exception {
    ToolCatalog catalog = new SpecCompiler(SpecCompiler.Settings.DEFAULT).compile("petstore",
        petstore(), Policy.ALLOW_ALL, Map.of(
            "getPetById", new ToolOverride(null, null, true),
            "deletePet", new ToolOverride(null, null, true)));

    JsonNode output = catalog.tool("getPetById").orElseThrow().definition().get("outputSchema");
    assertThat(output.path("type").asText()).isEqualTo("object");
    assertThat(output.at("/properties/name").isObject()).isTrue();
    assertThat(output.toString()).doesNotContain("required").doesNotContain("enum")
        .doesNotContain("\"type\":\"string\"");
    assertThat(catalog.tool("findPetsByStatus").orElseThrow().definition().has("outputSchema")).isFalse();
    assertThat(catalog.tool("deletePet").orElseThrow().outputSchema()).isNull();
    assertThat(catalog.warnings()).anySatisfy(w -> assertThat(w).startsWith("output_schema for 'deletePet'"));
  }

  @Test
  void trimsDescriptionsToTheConfiguredLength() throws Exception {
    ToolCatalog catalog = new SpecCompiler(SpecCompiler.Settings.of(new Limits(20, 1024, 4)))
        .compile("petstore", petstore(), Policy.ALLOW_ALL);

    assertThat(catalog.tools()).allSatisfy(tool -> {
      if (tool.description() != null) {
        assertThat(tool.description()).hasSizeLessThanOrEqualTo(20);
      }
    });
    assertThat(catalog.tool("updatePet").orElseThrow().description()).endsWith("…");
  }

  @Test
  void setsAnnotationsFromTheMethodAndListsSkippedOperations() throws Exception {
    ToolCatalog catalog = new SpecCompiler(SpecCompiler.Settings.DEFAULT).compile("petstore",
        petstore(), new Policy(List.of(), List.of("DELETE *"), List.of(), List.of()));

    CompiledTool get = catalog.tool("getPetById").orElseThrow();
    assertThat(get.definition().path("annotations").toString()).isEqualTo(
        "{\"readOnlyHint\":true,\"destructiveHint\":false,\"idempotentHint\":true,\"openWorldHint\":true}");
    assertThat(catalog.tool("addPet").orElseThrow().annotations().destructiveHint()).isFalse();
    assertThat(catalog.skipped()).extracting(Object::toString).containsExactly(
        "DELETE /pet/{petId}: denied by policy rule 'DELETE *'",
        "DELETE /store/order/{orderId}: denied by policy rule 'DELETE *'",
        "DELETE /user/{username}: denied by policy rule 'DELETE *'");
  }
}
