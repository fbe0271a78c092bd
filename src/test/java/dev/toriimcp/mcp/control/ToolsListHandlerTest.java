package dev.toriimcp.mcp.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toriimcp.catalog.control.SpecCompiler;
import dev.toriimcp.catalog.control.SpecLoader;
import dev.toriimcp.catalog.entity.ToolCatalog;
import dev.toriimcp.configuration.entity.Policy;
import dev.toriimcp.testing.SpecCorpus;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Pages of {@code tools/list} and the shapes they share (ADR 0013). */
class ToolsListHandlerTest {

  private static ToolCatalog petstore() throws Exception {
    return new SpecCompiler(SpecCompiler.Settings.DEFAULT).compile("petstore",
        new SpecLoader().load(SpecCorpus.named("petstore-v3.yaml").root().toUri()),
        Policy.ALLOW_ALL, Map.of());
  }

  @Test
  void anOlderVersionsPagesShareOneShapeOfEachToolInsteadOfCopyingIt() throws Exception {
    ToolsListHandler handler = new ToolsListHandler(100);
    ToolCatalog catalog = petstore();
    ObjectNode none = JsonNodeFactory.instance.objectNode();

    JsonNode first = handler.list("petstore", catalog, "2025-03-26", none).get("tools");
    JsonNode second = handler.list("petstore", catalog, "2025-03-26", none).get("tools");

    assertThat(first.size()).isEqualTo(catalog.tools().size());
    for (int i = 0; i < first.size(); i++) {
      assertThat(second.get(i)).as("tool %d", i).isSameAs(first.get(i));
      assertThat(first.get(i).has("outputSchema") || first.get(i).has("title")).isFalse();
    }
    assertThat(handler.list("petstore", catalog, "2025-11-25", none).get("tools").get(0))
        .as("the newest version gets the definition itself")
        .isSameAs(catalog.tools().get(0).definition());
  }

  @Test
  void aReloadedCatalogIsShapedAnew() throws Exception {
    ToolsListHandler handler = new ToolsListHandler(100);
    ToolCatalog before = petstore();
    ToolCatalog after = petstore();

    List<JsonNode> old = handler.shaped("petstore", before, "2024-11-05");
    List<JsonNode> fresh = handler.shaped("petstore", after, "2024-11-05");

    assertThat(fresh.get(0)).isNotSameAs(old.get(0)).isEqualTo(old.get(0));
  }

  @Test
  void pagesFollowTheCursorAndAnUnknownCursorIsNoPage() throws Exception {
    ToolsListHandler handler = new ToolsListHandler(5);
    ToolCatalog catalog = petstore();
    ObjectNode params = JsonNodeFactory.instance.objectNode();

    ObjectNode first = handler.list("petstore", catalog, "2025-11-25", params);
    ObjectNode second = handler.list("petstore", catalog, "2025-11-25",
        params.deepCopy().put("cursor", first.get("nextCursor").asText()));

    assertThat(first.get("tools").size()).isEqualTo(5);
    assertThat(second.get("tools").get(0).get("name").asText())
        .isEqualTo(catalog.tools().get(5).name());
    assertThat(handler.list("petstore", catalog, "2025-11-25", params.deepCopy().put("cursor", "x!")))
        .isNull();
  }
}
