package dev.toriimcp.upstream.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toriimcp.upstream.entity.UpstreamResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;

/**
 * Maps an upstream HTTP response to an MCP {@code CallToolResult} (MCP 2025-11-25 server/tools):
 *
 * <ul>
 *   <li>JSON: the text, plus {@code structuredContent} when the body is a complete JSON object;
 *   <li>{@code text/*}, XML and other textual types: text;
 *   <li>{@code image/*} and {@code audio/*}: image and audio content, base64;
 *   <li>anything else: an embedded resource with a base64 {@code blob};
 *   <li>HTTP status 400 and above: {@code isError: true}, with the status and the (truncated)
 *       body, so the model can correct itself (ADR 0005).
 * </ul>
 *
 * A body over the size limit is cut with a note saying so; a cut binary body is not sent at all,
 * since partial bytes would be garbage. Every copy of the user's upstream credential is replaced
 * first, in text, {@code structuredContent}, binary content and the media type alike ({@link
 * CredentialRedaction}, ADR 0016).
 */
public final class UpstreamResponseMapper {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final int maxBytes;

  /** @param maxBytes the size limit the invoker applied when reading the body */
  public UpstreamResponseMapper(int maxBytes) {
    this.maxBytes = maxBytes;
  }

  public ObjectNode map(UpstreamResponse response, String resourceUri) {
    return map(response, resourceUri, false);
  }

  /**
   * @param structured whether the tool publishes an {@code outputSchema}: then a successful
   *     result must carry {@code structuredContent}, and a response that is not a complete JSON
   *     object becomes {@code isError: true} instead
   */
  public ObjectNode map(UpstreamResponse response, String resourceUri, boolean structured) {
    return map(response, resourceUri, structured, CredentialRedaction.NONE);
  }

  /** @param redaction the copies of the user's credential to remove from the result */
  public ObjectNode map(UpstreamResponse response, String resourceUri, boolean structured,
      CredentialRedaction redaction) {
    return map(response, resourceUri, structured, redaction, false);
  }

  /**
   * @param anyValue whether {@code structuredContent} may be any JSON value (MCP 2026-07-28
   *     server/tools), not only an object as before
   */
  public ObjectNode map(UpstreamResponse response, String resourceUri, boolean structured,
      CredentialRedaction redaction, boolean anyValue) {
    ObjectNode result = mapContent(response, resourceUri, redaction, anyValue);
    if (structured && !result.path("isError").asBoolean() && !result.has("structuredContent")) {
      ObjectNode error = NODES.objectNode();
      error.putArray("content").addObject().put("type", "text").put("text", "The upstream"
          + " response is not a complete JSON object, as this tool's outputSchema requires:\n"
          + result.path("content").path(0).path("text").asText(""));
      error.put("isError", true);
      return error;
    }
    return result;
  }

  private ObjectNode mapContent(UpstreamResponse response, String resourceUri,
      CredentialRedaction redaction, boolean anyValue) {
    ObjectNode result = NODES.objectNode();
    ArrayNode content = result.putArray("content");
    boolean error = response.status() >= 400;
    String type = redaction.text(mediaType(response.contentType()));
    byte[] body = response.body() == null ? new byte[0] : response.body();
    String prefix = error ? "HTTP " + response.status() + " from upstream" + (body.length == 0 ? "" : ":\n") : "";
    if (body.length == 0) {
      content.addObject().put("type", "text").put("text", error ? prefix
          : "HTTP " + response.status() + " (no content)");
    } else if (isJson(type) || isText(type)) {
      String text = new String(body, StandardCharsets.UTF_8);
      text = response.truncated() ? redaction.truncatedText(text) : redaction.text(text);
      content.addObject().put("type", "text").put("text", prefix + text + truncationNote(response));
      if (!error && isJson(type) && !response.truncated()) {
        JsonNode parsed = parse(body);
        if (parsed != null && (parsed.isObject() || anyValue && !parsed.isMissingNode())) {
          result.set("structuredContent", redaction.tree(parsed));
        }
      }
    } else if (response.truncated()) {
      content.addObject().put("type", "text").put("text", prefix + "The " + type + " response is"
          + " larger than the limit of " + maxBytes + " bytes and was not returned.");
    } else if (type.startsWith("image/") || type.startsWith("audio/")) {
      content.addObject().put("type", type.startsWith("image/") ? "image" : "audio")
          .put("data", Base64.getEncoder().encodeToString(redaction.bytes(body)))
          .put("mimeType", type);
    } else {
      ObjectNode resource = content.addObject().put("type", "resource").putObject("resource");
      resource.put("uri", resourceUri).put("mimeType", type)
          .put("blob", Base64.getEncoder().encodeToString(redaction.bytes(body)));
    }
    result.put("isError", error);
    return result;
  }

  private String truncationNote(UpstreamResponse response) {
    return response.truncated()
        ? "\n[truncated: the response was longer than the limit of " + maxBytes
            + " bytes; only the first " + response.body().length + " bytes are shown]"
        : "";
  }

  private static JsonNode parse(byte[] body) {
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      return null;
    }
  }

  static String mediaType(String contentType) {
    if (contentType == null || contentType.isBlank()) {
      return "application/octet-stream";
    }
    return contentType.split(";")[0].trim().toLowerCase(Locale.ROOT);
  }

  private static boolean isJson(String type) {
    return type.equals("application/json") || type.endsWith("+json") || type.equals("text/json");
  }

  private static boolean isText(String type) {
    return type.startsWith("text/") || type.endsWith("+xml") || type.equals("application/xml")
        || type.equals("application/yaml") || type.endsWith("+yaml")
        || type.equals("application/javascript") || type.equals("application/x-ndjson")
        || type.equals("application/problem+xml") || type.equals("application/x-www-form-urlencoded");
  }
}
