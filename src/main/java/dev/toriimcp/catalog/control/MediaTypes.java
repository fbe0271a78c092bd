package dev.toriimcp.catalog.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toriimcp.catalog.entity.BodyEncoding;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/** Choosing and classifying request media types. */
final class MediaTypes {

  private MediaTypes() {}

  /**
   * The media type the gateway sends when an operation offers several: JSON first (the model
   * writes JSON natively), then form, multipart, binary, and finally whatever is listed first.
   */
  static String preferred(Iterator<String> offered) {
    List<String> types = new ArrayList<>();
    offered.forEachRemaining(types::add);
    for (BodyEncoding wanted : List.of(BodyEncoding.JSON, BodyEncoding.FORM, BodyEncoding.MULTIPART,
        BodyEncoding.BINARY)) {
      for (String type : types) {
        if (encoding(type) == wanted) {
          return type;
        }
      }
    }
    return types.get(0);
  }

  static BodyEncoding encoding(String mediaType) {
    String type = mediaType.toLowerCase(Locale.ROOT).split(";")[0].trim();
    if (type.equals("application/json") || type.endsWith("+json") || type.equals("*/*")
        || type.equals("application/*") || type.equals("text/json")) {
      return BodyEncoding.JSON;
    }
    if (type.equals("application/x-www-form-urlencoded")) {
      return BodyEncoding.FORM;
    }
    if (type.startsWith("multipart/")) {
      return BodyEncoding.MULTIPART;
    }
    if (type.startsWith("text/") || type.endsWith("+xml") || type.equals("application/xml")
        || type.endsWith("+yaml") || type.equals("application/yaml") || type.equals("application/sdp")
        || type.equals("application/x-ndjson") || type.equals("application/jsonl")) {
      return BodyEncoding.TEXT;
    }
    return BodyEncoding.BINARY;
  }

  /** A string schema that stands for file content: {@code format: binary/base64} or a media type. */
  static boolean isBinarySchema(JsonNode schema) {
    JsonNode type = schema.get("type");
    boolean string = type != null && (type.asText().equals("string")
        || (type.isArray() && type.toString().contains("\"string\"")));
    String format = schema.path("format").asText("");
    return string && (format.equals("binary") || format.equals("base64")
        || schema.has("contentMediaType") || schema.path("contentEncoding").asText("").equals("base64"));
  }

  /** The schema of a file part: its bytes as base64, with an optional name and content type. */
  static ObjectNode fileSchema(JsonNode original) {
    ObjectNode file = JsonNodeFactory.instance.objectNode().put("type", "object");
    if (original.has("description")) {
      file.set("description", original.get("description"));
    }
    ObjectNode properties = file.putObject("properties");
    properties.putObject("content").put("type", "string").put("contentEncoding", "base64")
        .put("description", "The file's bytes, base64-encoded.");
    properties.putObject("filename").put("type", "string");
    properties.putObject("content_type").put("type", "string")
        .put("description", "Media type of the file; default application/octet-stream.");
    file.putArray("required").add("content");
    file.put("additionalProperties", false);
    return file;
  }
}
