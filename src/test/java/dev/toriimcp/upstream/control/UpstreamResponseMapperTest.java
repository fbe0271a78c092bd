package dev.toriimcp.upstream.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.toriimcp.upstream.entity.UpstreamResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class UpstreamResponseMapperTest {

  private final UpstreamResponseMapper mapper = new UpstreamResponseMapper(16);

  private JsonNode map(int status, String type, byte[] body, boolean truncated) {
    return mapper.map(new UpstreamResponse(status, type, body, truncated), "torii://demo/getPhoto");
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void jsonObjectsBecomeTextAndStructuredContent() {
    JsonNode result = map(200, "application/json; charset=utf-8", utf8("{\"id\":1}"), false);

    assertThat(result.at("/content/0/type").asText()).isEqualTo("text");
    assertThat(result.at("/content/0/text").asText()).isEqualTo("{\"id\":1}");
    assertThat(result.at("/structuredContent/id").asInt()).isEqualTo(1);
    assertThat(result.get("isError").asBoolean()).isFalse();
  }

  @Test
  void jsonArraysAreTextOnly() {
    assertThat(map(200, "application/json", utf8("[1,2]"), false).has("structuredContent")).isFalse();
  }

  @Test
  void textImageAudioAndOtherBinary() {
    assertThat(map(200, "text/plain", utf8("hello"), false).at("/content/0/text").asText()).isEqualTo("hello");
    byte[] png = {(byte) 0x89, 'P', 'N', 'G'};
    JsonNode image = map(200, "image/png", png, false);
    assertThat(image.at("/content/0/type").asText()).isEqualTo("image");
    assertThat(image.at("/content/0/mimeType").asText()).isEqualTo("image/png");
    assertThat(Base64.getDecoder().decode(image.at("/content/0/data").asText())).isEqualTo(png);
    assertThat(map(200, "audio/wav", png, false).at("/content/0/type").asText()).isEqualTo("audio");
    JsonNode pdf = map(200, "application/pdf", png, false);
    assertThat(pdf.at("/content/0/type").asText()).isEqualTo("resource");
    assertThat(pdf.at("/content/0/resource/uri").asText()).isEqualTo("torii://demo/getPhoto");
    assertThat(pdf.at("/content/0/resource/mimeType").asText()).isEqualTo("application/pdf");
    assertThat(Base64.getDecoder().decode(pdf.at("/content/0/resource/blob").asText())).isEqualTo(png);
  }

  @Test
  void errorsCarryTheStatusAndBody() {
    JsonNode result = map(404, "application/json", utf8("{\"error\":\"no such pet\"}"), false);

    assertThat(result.get("isError").asBoolean()).isTrue();
    assertThat(result.at("/content/0/text").asText())
        .isEqualTo("HTTP 404 from upstream:\n{\"error\":\"no such pet\"}");
    assertThat(result.has("structuredContent")).isFalse();
  }

  @Test
  void truncatedBodiesSaySoAndBinaryIsNotCut() {
    JsonNode text = map(200, "application/json", utf8("{\"a\":\"0123456789"), true);
    assertThat(text.at("/content/0/text").asText()).startsWith("{\"a\":\"0123456789")
        .contains("[truncated: the response was longer than the limit of 16 bytes");
    assertThat(text.has("structuredContent")).isFalse();

    JsonNode image = map(200, "image/png", new byte[16], true);
    assertThat(image.at("/content/0/type").asText()).isEqualTo("text");
    assertThat(image.at("/content/0/text").asText()).contains("larger than the limit of 16 bytes");
  }

  @Test
  void aToolWithAnOutputSchemaAlwaysGetsStructuredContentOrAnError() {
    UpstreamResponse object = new UpstreamResponse(200, "application/json", utf8("{\"id\":1}"), false);
    UpstreamResponse array = new UpstreamResponse(200, "application/json", utf8("[1]"), false);

    assertThat(mapper.map(object, "torii://x", true).at("/structuredContent/id").asInt()).isEqualTo(1);
    JsonNode failed = mapper.map(array, "torii://x", true);
    assertThat(failed.get("isError").asBoolean()).isTrue();
    assertThat(failed.at("/content/0/text").asText()).contains("not a complete JSON object").endsWith("[1]");
  }

  @Test
  void emptyBodies() {
    assertThat(map(204, null, new byte[0], false).at("/content/0/text").asText())
        .isEqualTo("HTTP 204 (no content)");
    assertThat(map(500, null, new byte[0], false).at("/content/0/text").asText())
        .isEqualTo("HTTP 500 from upstream");
  }
}
