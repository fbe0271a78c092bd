package dev.toriimcp.upstream.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.toriimcp.configuration.entity.UpstreamAuth;
import dev.toriimcp.upstream.entity.UpstreamResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
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

  // Issue 12 item 6: an upstream that echoes the request must not hand the model the credential.

  private static final String TOKEN = "s3cr3t/T0ken+value=";
  private static final UpstreamAuth.LoginBroker BEARER =
      new UpstreamAuth.LoginBroker(java.net.URI.create("http://upstream/login"));

  private static UpstreamAuth.LoginBroker header(String name, String prefix) {
    return new UpstreamAuth.LoginBroker(java.net.URI.create("http://upstream/login"), false,
        "username", "password", "/access_token", null, null, name, prefix);
  }

  private static JsonNode echo(UpstreamAuth auth, String credential, int status, String type,
      byte[] body) {
    return new UpstreamResponseMapper(1 << 20).map(new UpstreamResponse(status, type, body, false),
        "torii://demo/echo", false, CredentialRedaction.of(auth, credential));
  }

  private static String b64(String text) {
    return Base64.getEncoder().encodeToString(utf8(text));
  }

  @Test
  void everyCopyOfTheCredentialInAJsonEchoIsRedacted() throws Exception {
    String urlSafe = Base64.getUrlEncoder().withoutPadding().encodeToString(utf8(TOKEN));
    String body = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode()
        .put("exact", "Bearer " + TOKEN)
        .put("query", "https://x/?t=s3cr3t%2FT0ken%2Bvalue%3D")
        .put("lower", "t=s3cr3t%2ft0ken".replace("t0ken", "T0ken") + "%2bvalue%3d")
        .put("base64", b64(TOKEN))
        .put("base64url", urlSafe)
        .put("dump", b64("Authorization: Bearer " + TOKEN + "\r\nHost: x"))
        .put("dumpShifted", b64("X-" + "Authorization: Bearer " + TOKEN))
        .put(TOKEN, "as a member name")
        .toString();
    // As a JSON library that escapes '/' writes it.
    String escaped = body.replace("/", "\\/");
    assertThat(escaped).contains("s3cr3t\\/T0ken+value=");

    JsonNode result = echo(BEARER, TOKEN, 200, "application/json", utf8(escaped));

    String everything = result.toString();
    for (String copy : List.of(TOKEN, "s3cr3t\\/T0ken", "s3cr3t%2FT0ken%2Bvalue", "s3cr3t%2fT0ken%2bvalue",
        b64(TOKEN), urlSafe, b64("Authorization: Bearer " + TOKEN).substring(30, 44),
        b64("X-Authorization: Bearer " + TOKEN).substring(34, 46))) {
      assertThat(everything).as("copy %s", copy).doesNotContain(copy);
    }
    assertThat(result.at("/structuredContent/exact").asText()).isEqualTo("Bearer [redacted]");
    assertThat(result.at("/structuredContent/query").asText()).isEqualTo("https://x/?t=[redacted]");
    assertThat(result.at("/structuredContent/[redacted]").asText()).isEqualTo("as a member name");
    assertThat(result.at("/structuredContent/dump").asText()).contains("[redacted]")
        .startsWith(b64("Authorization: Bearer ").substring(0, 28));
    assertThat(result.at("/content/0/text").asText()).contains("\"exact\":\"Bearer [redacted]\"");
  }

  @Test
  void errorBodiesBinaryBodiesAndTheMediaTypeAreRedactedToo() {
    JsonNode error = echo(BEARER, TOKEN, 500, "text/html",
        utf8("<pre>Authorization: Bearer " + TOKEN + "</pre>"));
    assertThat(error.at("/content/0/text").asText())
        .isEqualTo("HTTP 500 from upstream:\n<pre>Authorization: Bearer [redacted]</pre>");

    byte[] binary = utf8("\u0000\u0001 Bearer " + TOKEN + " \u00ff");
    JsonNode blob = echo(BEARER, TOKEN, 200, "application/octet-stream", binary);
    assertThat(new String(Base64.getDecoder().decode(blob.at("/content/0/resource/blob").asText()),
        StandardCharsets.UTF_8)).isEqualTo("\u0000\u0001 Bearer [redacted] \u00ff");
    JsonNode image = echo(BEARER, TOKEN, 200, "image/png", utf8(TOKEN));
    assertThat(Base64.getDecoder().decode(image.at("/content/0/data").asText()))
        .isEqualTo(utf8("[redacted]"));

    JsonNode typed = echo(BEARER, "abcdefgh1234", 200, "application/x-abcdefgh1234", new byte[] {1});
    assertThat(typed.toString()).doesNotContain("abcdefgh1234");
  }

  @Test
  void aShortCredentialIsRedactedOnlyAsTheWholeAppliedValue() {
    JsonNode bearer = echo(BEARER, "abc", 200, "text/plain", utf8("abc, Bearer abc, abcabc"));
    assertThat(bearer.at("/content/0/text").asText()).isEqualTo("abc, [redacted], abcabc");

    // An API key of 7 characters sent bare: too short to tell from ordinary text.
    JsonNode bare = echo(header("X-Api-Key", ""), "1234567", 200, "text/plain", utf8("id 1234567"));
    assertThat(bare.at("/content/0/text").asText()).isEqualTo("id 1234567");

    // From 8 characters on, everywhere.
    JsonNode eight = echo(header("X-Api-Key", ""), "12345678", 200, "text/plain", utf8("id 12345678"));
    assertThat(eight.at("/content/0/text").asText()).isEqualTo("id [redacted]");
  }

  @Test
  void aCookieAndABasicCredentialAreRedactedInTheirAppliedForms() {
    UpstreamAuth.LoginBroker cookie = new UpstreamAuth.LoginBroker(
        java.net.URI.create("http://upstream/login"), false, "username", "password", null, "sid",
        null, null, null);
    assertThat(echo(cookie, "0123456789abcdef", 200, "text/plain",
        utf8("Cookie: sid=0123456789abcdef; theme=dark")).at("/content/0/text").asText())
        .isEqualTo("Cookie: sid=[redacted]; theme=dark");

    String basic = b64("alice:correct-horse");
    assertThat(echo(header("Authorization", "Basic "), basic, 200, "text/plain",
        utf8("Basic " + basic + " = alice:correct-horse; password correct-horse"))
        .at("/content/0/text").asText())
        .isEqualTo("Basic [redacted] = [redacted]; password [redacted]");
  }

  @Test
  void aCopyCutByTheSizeLimitIsRemovedAsWell() {
    byte[] cut = utf8("{\"auth\": \"Bearer " + TOKEN.substring(0, 9));
    JsonNode result = new UpstreamResponseMapper(cut.length).map(
        new UpstreamResponse(200, "application/json", cut, true), "torii://demo/echo", false,
        CredentialRedaction.of(BEARER, TOKEN));

    assertThat(result.at("/content/0/text").asText()).startsWith("{\"auth\": \"Bearer [redacted]\n[truncated")
        .doesNotContain("s3cr3t");
  }

  @Test
  void withoutACredentialNothingIsTouched() {
    assertThat(CredentialRedaction.of(null, "").isEmpty()).isTrue();
    assertThat(echo(null, "", 200, "text/plain", utf8("Bearer [x]")).at("/content/0/text").asText())
        .isEqualTo("Bearer [x]");
  }
}
