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
 *
 * <p>One document may be at most {@link #MAX_SPEC_BYTES}, as JSON or as YAML alike. SnakeYAML
 * refuses more than 3 MiB of code points by default ({@code LoaderOptions.codePointLimit}, an
 * anti-"billion laughs" guard), so swagger-parser's two YAML readers (OpenAPI 3 and the Swagger
 * 2.0 converter) get that limit raised to the same size through their own {@code
 * DeserializationUtils.getOptions().setMaxYamlCodePoints}; a code point takes at least one byte,
 * so a document within the byte limit is within the code-point limit too.
 */
public final class SpecLoader {

  /**
   * The largest spec document accepted: 32 MiB, eight times the largest real spec we know
   * (Kubernetes, 4.2 MB of JSON). Past it a spec fails with a named error instead of an opaque
   * parser message or a heap exhausted at start.
   */
  public static final int MAX_SPEC_BYTES = 32 * 1024 * 1024;

  static {
    io.swagger.v3.parser.util.DeserializationUtils.getOptions()
        .setMaxYamlCodePoints(MAX_SPEC_BYTES);
    io.swagger.parser.util.DeserializationUtils.getOptions().setMaxYamlCodePoints(MAX_SPEC_BYTES);
  }

  /** A loaded document and where it was loaded from (relative server URLs resolve against it). */
  public record LoadedSpec(JsonNode document, String version, List<String> warnings, URI location) {}

  public LoadedSpec load(URI location) throws SpecLoadException {
    refuseOversized(location);
    // swagger-parser's reference resolution is by far the slowest step (seconds on OpenAI's
    // 3 MB 3.1 document) and is only needed to pull in other files: local references are inlined
    // by SchemaTranslator anyway. So parse without it, and again with it only if the document
    // refers to anything outside itself.
    Parsed parsed = parse(location, false);
    if (hasExternalReference(parsed.document())) {
      refuseForeignOrigins(location, parsed.document());
      parsed = parse(location, true);
    }
    return new LoadedSpec(parsed.document(), parsed.version(), parsed.messages(), location);
  }

  /**
   * Refuses a document over {@link #MAX_SPEC_BYTES} before any parser reads it: a file by its
   * size, a URL by reading at most one byte past the limit.
   */
  static void refuseOversized(URI location) throws SpecLoadException {
    long size;
    try {
      if ("file".equalsIgnoreCase(location.getScheme())) {
        java.nio.file.Path path = java.nio.file.Path.of(location);
        if (!java.nio.file.Files.isRegularFile(path)) {
          return; // the parser reports a missing file in its own words
        }
        size = java.nio.file.Files.size(path);
      } else {
        java.net.URLConnection connection = location.toURL().openConnection();
        connection.setConnectTimeout(10_000);
        connection.setReadTimeout(30_000);
        size = 0;
        try (java.io.InputStream in = connection.getInputStream()) {
          byte[] buffer = new byte[64 * 1024];
          for (int n = in.read(buffer); n >= 0 && size <= MAX_SPEC_BYTES; n = in.read(buffer)) {
            size += n;
          }
        }
      }
    } catch (java.io.IOException | RuntimeException e) {
      return; // unreadable: the parser reports it
    }
    if (size > MAX_SPEC_BYTES) {
      String found = "file".equalsIgnoreCase(location.getScheme())
          ? String.format(java.util.Locale.ROOT, "%,d bytes, ", size) : "";
      throw new SpecLoadException(String.format(java.util.Locale.ROOT, "spec %s is %slarger than"
          + " the limit of %,d bytes (%d MiB) for one spec document", location, found,
          MAX_SPEC_BYTES, MAX_SPEC_BYTES / (1024 * 1024)));
    }
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

  /**
   * SSRF guard: a {@code $ref} may point to another file next to the spec, or to a URL of the
   * spec's own origin (scheme, host and port), never elsewhere. Deeper files are additionally
   * covered by swagger-parser's safe URL resolution, which refuses private and loopback addresses
   * other than the spec's own host.
   */
  static void refuseForeignOrigins(URI location, JsonNode node) throws SpecLoadException {
    if (node.isObject() && node.path("$ref").isTextual()) {
      String ref = node.get("$ref").asText();
      if (!ref.startsWith("#")) {
        URI target;
        try {
          target = location.resolve(ref.contains("#") ? ref.substring(0, ref.indexOf('#')) : ref);
        } catch (IllegalArgumentException e) {
          throw new SpecLoadException("spec " + location + ": malformed $ref '" + ref + "'");
        }
        if (!sameOrigin(location, target)) {
          throw new SpecLoadException("spec " + location + ": $ref '" + ref + "' points outside"
              + " the spec's origin and is refused (server-side request forgery protection);"
              + " copy the referenced document next to the spec");
        }
      }
    }
    for (JsonNode child : structural(node)) {
      refuseForeignOrigins(location, child);
    }
  }

  /**
   * The children of a node that can hold references: literal values ({@code example},
   * {@code examples}, {@code default}, {@code const}, {@code enum}) and extensions are data, and
   * a {@code $ref} key inside them (GitHub's SCIM examples have some) is not a reference.
   */
  private static List<JsonNode> structural(JsonNode node) {
    List<JsonNode> children = new java.util.ArrayList<>();
    if (node.isArray()) {
      node.forEach(children::add);
    } else if (node.isObject()) {
      node.fields().forEachRemaining(field -> {
        String key = field.getKey();
        if (!LITERALS.contains(key) && !key.startsWith("x-")) {
          children.add(field.getValue());
        }
      });
    }
    return children;
  }

  private static final java.util.Set<String> LITERALS =
      java.util.Set.of("example", "examples", "default", "const", "enum");

  private static boolean sameOrigin(URI a, URI b) {
    String schemeA = a.getScheme() == null ? "" : a.getScheme().toLowerCase();
    String schemeB = b.getScheme() == null ? "" : b.getScheme().toLowerCase();
    if (!schemeA.equals(schemeB)) {
      return false;
    }
    if (schemeA.equals("file")) {
      return true;
    }
    return a.getHost() != null && a.getHost().equalsIgnoreCase(b.getHost())
        && port(a) == port(b);
  }

  private static int port(URI uri) {
    if (uri.getPort() >= 0) {
      return uri.getPort();
    }
    return "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
  }

  /** Whether any {@code $ref} points outside the document (another file or URL). */
  static boolean hasExternalReference(JsonNode node) {
    if (node.isObject()) {
      JsonNode ref = node.get("$ref");
      if (ref != null && ref.isTextual() && !ref.asText().startsWith("#")) {
        return true;
      }
    }
    for (JsonNode child : structural(node)) {
      if (hasExternalReference(child)) {
        return true;
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
