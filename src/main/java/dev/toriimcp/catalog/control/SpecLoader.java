package dev.toriimcp.catalog.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.toriimcp.catalog.entity.SpecLoadException;
import io.swagger.parser.OpenAPIParser;
import io.swagger.v3.core.util.Json;
import io.swagger.v3.core.util.Json31;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.SpecVersion;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.net.URI;
import java.util.List;

/**
 * Loads a Swagger 2.0 or OpenAPI 3.x document with swagger-parser and normalises it to one
 * OpenAPI 3 JSON tree. References to other files are pulled into the document (swagger-parser's
 * {@code resolve}); local references are left for {@link SchemaTranslator} to inline with a depth
 * limit, because fully resolving a recursive schema never ends.
 *
 * <p>Remote references are fetched only from the spec's own origin, and never from private or
 * loopback addresses (swagger-parser's safe URL resolution).
 */
public final class SpecLoader {

  /** A loaded document. */
  public record LoadedSpec(JsonNode document, String version, List<String> warnings) {}

  public LoadedSpec load(URI location) throws SpecLoadException {
    // swagger-parser's reference resolution is by far the slowest step (seconds on OpenAI's
    // 3 MB 3.1 document) and is only needed to pull in other files: local references are inlined
    // by SchemaTranslator anyway. So parse without it, and again with it only if the document
    // refers to anything outside itself.
    Parsed parsed = parse(location, false);
    if (hasExternalReference(parsed.document())) {
      parsed = parse(location, true);
    }
    return new LoadedSpec(parsed.document(), parsed.version(), parsed.messages());
  }

  private record Parsed(JsonNode document, String version, List<String> messages) {}

  private Parsed parse(URI location, boolean resolve) throws SpecLoadException {
    ParseOptions options = new ParseOptions();
    options.setResolve(resolve);
    options.setResolveFully(false);
    options.setSafelyResolveURL(true);
    String scheme = location.getScheme() == null ? "" : location.getScheme().toLowerCase();
    if (scheme.equals("http") || scheme.equals("https")) {
      options.setRemoteRefAllowList(List.of(location.getHost()));
    }
    SwaggerParseResult result;
    try {
      result = new OpenAPIParser().readLocation(location.toString(), null, options);
    } catch (RuntimeException e) {
      throw new SpecLoadException("spec " + location + " cannot be parsed: " + e.getMessage());
    }
    OpenAPI openApi = result == null ? null : result.getOpenAPI();
    List<String> notes = new java.util.ArrayList<>();
    if (openApi == null && declaresOpenApi32(location)) {
      // swagger-parser 2.1 does not know 3.2 yet; 3.2 is a superset of 3.1 for what we read.
      result = readAs31(location, options);
      openApi = result == null ? null : result.getOpenAPI();
      notes.add("OpenAPI 3.2 document read as 3.1: keywords new in 3.2 are ignored");
    }
    List<String> messages = new java.util.ArrayList<>(notes);
    if (result != null && result.getMessages() != null) {
      messages.addAll(result.getMessages());
    }
    if (openApi == null) {
      String reason = messages.isEmpty() ? "not an OpenAPI or Swagger document, or not readable"
          : String.join("; ", messages);
      throw new SpecLoadException("spec " + location + " cannot be loaded: " + reason);
    }
    ObjectMapper mapper = openApi.getSpecVersion() == SpecVersion.V31 ? Json31.mapper() : Json.mapper();
    JsonNode document = mapper.valueToTree(openApi);
    String version = openApi.getOpenapi() == null ? "unknown" : openApi.getOpenapi();
    return new Parsed(document, version, List.copyOf(messages));
  }

  /** Whether any {@code $ref} points outside the document (another file or URL). */
  static boolean hasExternalReference(JsonNode node) {
    if (node.isObject()) {
      JsonNode ref = node.get("$ref");
      if (ref != null && ref.isTextual() && !ref.asText().startsWith("#")) {
        return true;
      }
    }
    if (node.isContainerNode()) {
      for (JsonNode child : node) {
        if (hasExternalReference(child)) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean declaresOpenApi32(URI location) {
    JsonNode tree = readTree(location);
    return tree != null && tree.path("openapi").asText("").startsWith("3.2");
  }

  private static SwaggerParseResult readAs31(URI location, ParseOptions options) {
    JsonNode tree = readTree(location);
    if (!(tree instanceof com.fasterxml.jackson.databind.node.ObjectNode object)) {
      return null;
    }
    object.put("openapi", "3.1.1");
    return new io.swagger.v3.parser.OpenAPIV3Parser()
        .readContents(object.toString(), null, options, location.toString());
  }

  private static JsonNode readTree(URI location) {
    try (java.io.InputStream in = location.toURL().openStream()) {
      return io.swagger.v3.core.util.Yaml.mapper().readTree(in);
    } catch (java.io.IOException | RuntimeException e) {
      return null;
    }
  }
}
