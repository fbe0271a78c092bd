package dev.toriimcp.mcp.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

class ProtocolShapesTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String URI = "torii://demo/getRecording";

  private static ObjectNode json(String text) throws Exception {
    return (ObjectNode) JSON.readTree(text);
  }

  private static ObjectNode tool() throws Exception {
    return json("{\"name\": \"getPet\", \"title\": \"Get a pet\", \"description\": \"d\","
        + " \"inputSchema\": {\"type\": \"object\", \"properties\": {\"title\": {\"type\": \"string\"}}},"
        + " \"outputSchema\": {\"type\": \"object\"},"
        + " \"annotations\": {\"readOnlyHint\": true, \"destructiveHint\": false}}");
  }

  @Test
  void toolsLoseTheFieldsTheirVersionDoesNotDefine() throws Exception {
    ObjectNode tool = tool();
    String original = tool.toString();

    assertThat(ProtocolShapes.tool(tool, "2025-11-25")).isSameAs(tool);
    assertThat(ProtocolShapes.tool(tool, "2025-06-18")).isSameAs(tool);

    JsonNode march = ProtocolShapes.tool(tool, "2025-03-26");
    assertThat(march.has("title")).isFalse();
    assertThat(march.has("outputSchema")).isFalse();
    assertThat(march.at("/annotations/readOnlyHint").asBoolean()).isTrue();
    assertThat(march.at("/annotations/title").asText()).as("where 2025-03-26 has a title")
        .isEqualTo("Get a pet");
    assertThat(march.at("/inputSchema/properties/title/type").asText())
        .as("a parameter named title stays").isEqualTo("string");

    JsonNode november = ProtocolShapes.tool(tool, "2024-11-05");
    assertThat(november.has("annotations")).isFalse();
    assertThat(november.has("title")).isFalse();
    assertThat(november.has("outputSchema")).isFalse();
    assertThat(november.path("name").asText()).isEqualTo("getPet");
    assertThat(november.path("description").asText()).isEqualTo("d");

    assertThat(tool.toString()).as("the shared definition is not changed").isEqualTo(original);
  }

  @Test
  void resultsKeepTheTextButLoseStructuredContentBefore20250618() throws Exception {
    ObjectNode result = json("{\"content\": [{\"type\": \"text\", \"text\": \"{\\\"id\\\": 7}\"}],"
        + " \"structuredContent\": {\"id\": 7}, \"isError\": false}");

    assertThat(ProtocolShapes.toolResult(result, "2025-06-18", URI)).isSameAs(result);
    JsonNode march = ProtocolShapes.toolResult(result, "2025-03-26", URI);
    assertThat(march.has("structuredContent")).isFalse();
    assertThat(march.at("/content/0/text").asText()).isEqualTo("{\"id\": 7}");
    assertThat(march.path("isError").isBoolean()).isTrue();
    assertThat(ProtocolShapes.toolResult(result, "2024-11-05", URI).has("structuredContent")).isFalse();
    assertThat(result.has("structuredContent")).isTrue();
    assertThat(ProtocolShapes.structured("2025-06-18")).isTrue();
    assertThat(ProtocolShapes.structured("2025-03-26")).isFalse();
  }

  @Test
  void audioIsAnEmbeddedResourceFor20241105() throws Exception {
    ObjectNode result = json("{\"content\": [{\"type\": \"text\", \"text\": \"before\"},"
        + " {\"type\": \"audio\", \"data\": \"UklGRg==\", \"mimeType\": \"audio/wav\"}], \"isError\": false}");

    assertThat(ProtocolShapes.toolResult(result, "2025-03-26", URI).at("/content/1/type").asText())
        .isEqualTo("audio");
    JsonNode november = ProtocolShapes.toolResult(result, "2024-11-05", URI);
    assertThat(november.at("/content/0/text").asText()).isEqualTo("before");
    assertThat(november.at("/content/1/type").asText()).isEqualTo("resource");
    assertThat(november.at("/content/1/resource/uri").asText()).isEqualTo(URI);
    assertThat(november.at("/content/1/resource/mimeType").asText()).isEqualTo("audio/wav");
    assertThat(november.at("/content/1/resource/blob").asText()).isEqualTo("UklGRg==");
    assertThat(result.at("/content/1/type").asText()).isEqualTo("audio");
  }

  @Test
  void serverInfoHasATitleFrom20250618() throws Exception {
    ObjectNode info = json("{\"name\": \"torii-mcp-demo\", \"title\": \"demo via torii-mcp\","
        + " \"version\": \"1\"}");

    assertThat(ProtocolShapes.serverInfo(info, "2025-11-25")).isSameAs(info);
    JsonNode march = ProtocolShapes.serverInfo(info, "2025-03-26");
    assertThat(march.has("title")).isFalse();
    assertThat(march.path("name").asText()).isEqualTo("torii-mcp-demo");
    assertThat(march.path("version").asText()).isEqualTo("1");
  }
}
