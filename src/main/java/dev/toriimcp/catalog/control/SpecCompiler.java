package dev.toriimcp.catalog.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toriimcp.catalog.entity.BodyBinding;
import dev.toriimcp.catalog.entity.BodyEncoding;
import dev.toriimcp.catalog.entity.CompiledTool;
import dev.toriimcp.catalog.entity.OperationBinding;
import dev.toriimcp.catalog.entity.ParameterBinding;
import dev.toriimcp.catalog.entity.ParameterLocation;
import dev.toriimcp.catalog.entity.SkippedOperation;
import dev.toriimcp.catalog.entity.ToolAnnotations;
import dev.toriimcp.catalog.entity.ToolCatalog;
import dev.toriimcp.configuration.entity.Exposure;
import dev.toriimcp.configuration.entity.Exposure.Descriptions;
import dev.toriimcp.configuration.entity.Limits;
import dev.toriimcp.configuration.entity.Policy;
import dev.toriimcp.configuration.entity.ToolOverride;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * Compiles a normalised OpenAPI 3 document into a backend's {@link ToolCatalog}: one tool per
 * operation (webhooks and callbacks are not operations of the API) that the policy allows.
 *
 * <p>Input schema layout: path, query, header and cookie parameters are top-level properties
 * named after the parameter; the request body is the property {@code body}. A parameter whose
 * name is not a valid property name is sanitised, and one whose name clashes with another
 * parameter or with {@code body} is prefixed with its location ({@code query_id},
 * {@code header_id}); the binding keeps the original wire name, so nothing is lost.
 */
public final class SpecCompiler {

  /**
   * Compilation settings.
   *
   * @param descriptions {@code COMPACT}: tool, parameter and schema descriptions are reduced by
   *     {@link DescriptionCompactor}, then trimmed to {@code maxDescriptionLength}; {@code FULL}:
   *     tool and parameter descriptions are only trimmed, schema descriptions kept as written
   */
  public record Settings(int maxRefDepth, int maxDescriptionLength, Descriptions descriptions) {
    public static final Settings DEFAULT = of(Limits.DEFAULT);

    public Settings {
      Objects.requireNonNull(descriptions, "descriptions");
    }

    /** Settings with the default description style of a backend, {@code compact}. */
    public Settings(int maxRefDepth, int maxDescriptionLength) {
      this(maxRefDepth, maxDescriptionLength, Exposure.DEFAULT.descriptions());
    }

    public static Settings of(Limits limits) {
      return new Settings(limits.schemaDepth(), limits.descriptionLength());
    }

    public Settings withDescriptions(Descriptions style) {
      return new Settings(maxRefDepth, maxDescriptionLength, style);
    }
  }

  static final List<String> METHODS =
      List.of("get", "put", "post", "delete", "options", "head", "patch", "trace");
  private static final Set<String> IGNORED_HEADERS = Set.of("accept", "content-type", "authorization");
  private static final Pattern PROPERTY = Pattern.compile("^[A-Za-z0-9_.-]{1,64}$");
  private static final Pattern PROPERTY_INVALID = Pattern.compile("[^A-Za-z0-9_.-]+");
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  static final String BODY = "body";

  private final Settings settings;

  public SpecCompiler(Settings settings) {
    this.settings = settings;
  }

  public ToolCatalog compile(String backend, SpecLoader.LoadedSpec spec, Policy policy) {
    return compile(backend, spec, policy, Map.of());
  }

  /**
   * @param overrides per-operation name and description overrides, keyed by operationId or by
   *     {@code "METHOD /path"}
   */
  public ToolCatalog compile(String backend, SpecLoader.LoadedSpec spec, Policy policy,
      Map<String, ToolOverride> overrides) {
    return compile(backend, spec, policy, overrides, null);
  }

  /**
   * @param baseUrl the backend's {@code base_url}, or {@code null}: operations whose servers
   *     point elsewhere than the document's are then refused ({@link ServerOrigins})
   */
  public ToolCatalog compile(String backend, SpecLoader.LoadedSpec spec, Policy policy,
      Map<String, ToolOverride> overrides, java.net.URI baseUrl) {
    JsonNode document = spec.document();
    ServerOrigins origins = new ServerOrigins(document, spec.location(), baseUrl);
    Describer describer = new Describer(settings);
    UnaryOperator<String> schemaDescriptions = settings.descriptions() == Descriptions.FULL
        ? UnaryOperator.identity() : describer::describe;
    SchemaTranslator schemas = new SchemaTranslator(document, settings.maxRefDepth(), true,
        schemaDescriptions);
    SchemaTranslator responses = new SchemaTranslator(document, settings.maxRefDepth(), false,
        schemaDescriptions);
    List<String> warnings = new ArrayList<>(spec.warnings());
    ToolNaming naming = new ToolNaming();
    overrides.values().stream().map(ToolOverride::name).filter(n -> n != null)
        .forEach(naming::reserve);
    Set<String> unused = new LinkedHashSet<>(overrides.keySet());
    List<CompiledTool> tools = new ArrayList<>();
    List<SkippedOperation> skipped = new ArrayList<>();
    PolicyMatcher matcher = new PolicyMatcher(policy);
    Iterator<Map.Entry<String, JsonNode>> paths = document.path("paths").fields();
    while (paths.hasNext()) {
      Map.Entry<String, JsonNode> entry = paths.next();
      String path = entry.getKey();
      JsonNode pathItem = schemas.resolve(entry.getValue());
      if (pathItem == null) {
        continue;
      }
      for (String method : METHODS) {
        JsonNode operation = pathItem.get(method);
        if (operation == null || !operation.isObject()) {
          continue;
        }
        String upper = method.toUpperCase(Locale.ROOT);
        String refusal = matcher.refusal(upper, path, tags(operation));
        if (refusal != null) {
          skipped.add(new SkippedOperation(upper, path, refusal));
          continue;
        }
        List<String> servers = ServerOrigins.candidates(document, pathItem, operation);
        refusal = origins.refusal(path, servers);
        if (refusal != null) {
          skipped.add(new SkippedOperation(upper, path, refusal));
          continue;
        }
        String key = text(operation, "operationId");
        ToolOverride override = key == null ? null : overrides.get(key);
        if (override == null) {
          key = upper + " " + path;
          override = overrides.get(key);
        }
        unused.remove(key);
        CompiledTool tool = tool(schemas, describer, naming, upper, path, servers, pathItem,
            operation, override);
        if (override != null && override.outputSchema()) {
          ObjectNode output = OutputSchemas.of(responses, operation);
          if (output == null) {
            warnings.add("output_schema for '" + key + "': no successful JSON object response in"
                + " the spec, so no outputSchema is published");
          } else {
            tool = withOutputSchema(tool, output);
          }
        }
        tools.add(tool);
      }
    }
    unused.forEach(key -> warnings.add("tools override '" + key + "' matches no operation"));
    return new ToolCatalog(backend, spec.version(), tools, skipped, warnings,
        origins.documentOrigins(), trim(text(document.path("info"), "title"), 200));
  }

  private CompiledTool tool(SchemaTranslator schemas, Describer describer, ToolNaming naming,
      String method, String path, List<String> servers, JsonNode pathItem, JsonNode operation,
      ToolOverride override) {
    String name = override != null && override.name() != null ? override.name()
        : naming.name(text(operation, "operationId"), method, path);
    ObjectNode inputSchema = NODES.objectNode().put("type", "object");
    ObjectNode properties = inputSchema.putObject("properties");
    ArrayNode required = NODES.arrayNode();

    BodyChoice body = body(schemas, describer, operation);
    List<ParameterBinding> parameters = parameters(schemas, describer, pathItem, operation,
        body != null, properties, required);
    BodyBinding bodyBinding = null;
    if (body != null) {
      properties.set(BODY, body.schema());
      bodyBinding = body.binding();
      if (bodyBinding.required()) {
        required.add(BODY);
      }
    }
    if (!required.isEmpty()) {
      inputSchema.set("required", required);
    }
    inputSchema.put("additionalProperties", false);

    String title = trim(text(operation, "summary"), 200);
    String summary = text(operation, "summary");
    String written = text(operation, "description");
    boolean overridden = override != null && override.description() != null;
    String full = trim(overridden ? override.description() : written != null ? written : summary,
        settings.maxDescriptionLength());
    String description = full;
    if (!overridden && settings.descriptions() == Descriptions.COMPACT) {
      // The operator's words are kept; the spec's are compacted, its summary if nothing is left.
      description = describer.describe(written);
      if (description == null) {
        description = describer.describe(summary);
      }
    }
    ToolAnnotations annotations = ToolAnnotations.forMethod(method);
    OperationBinding binding = new OperationBinding(method, path, servers, parameters,
        bodyBinding, accept(operation), tags(operation));
    return new CompiledTool(name, title, description, inputSchema, null, annotations, binding,
        definition(name, title, description, inputSchema, null, annotations), full);
  }

  private static CompiledTool withOutputSchema(CompiledTool tool, ObjectNode output) {
    return new CompiledTool(tool.name(), tool.title(), tool.description(), tool.inputSchema(),
        output, tool.annotations(), tool.binding(), definition(tool.name(), tool.title(),
            tool.description(), tool.inputSchema(), output, tool.annotations()),
        tool.fullDescription());
  }

  /**
   * A description as the settings publish it: compacted (once per distinct text of a compilation,
   * as parameters and schemas repeat across operations) and trimmed, or only trimmed.
   */
  private static final class Describer {
    private final int maxLength;
    private final DescriptionCompactor compactor;
    private final Map<String, String> compacted = new HashMap<>();

    Describer(Settings settings) {
      this.maxLength = settings.maxDescriptionLength();
      this.compactor = settings.descriptions() == Descriptions.COMPACT
          ? new DescriptionCompactor() : null;
    }

    String describe(String text) {
      if (text == null || compactor == null) {
        return trim(text, maxLength);
      }
      return compacted.computeIfAbsent(text, t -> trim(compactor.compact(t), maxLength));
    }
  }

  private List<ParameterBinding> parameters(SchemaTranslator schemas, Describer describer,
      JsonNode pathItem, JsonNode operation, boolean hasBody, ObjectNode properties,
      ArrayNode required) {
    Map<String, JsonNode> merged = new LinkedHashMap<>();
    for (JsonNode source : List.of(pathItem.path("parameters"), operation.path("parameters"))) {
      for (JsonNode raw : source) {
        JsonNode parameter = schemas.resolve(raw);
        if (parameter == null || !parameter.has("name") || !parameter.has("in")) {
          continue;
        }
        merged.put(parameter.get("in").asText() + ":" + parameter.get("name").asText(), parameter);
      }
    }
    List<JsonNode> kept = new ArrayList<>();
    for (JsonNode parameter : merged.values()) {
      String in = parameter.get("in").asText();
      if (location(in) == null || ("header".equals(in)
          && IGNORED_HEADERS.contains(parameter.get("name").asText().toLowerCase(Locale.ROOT)))) {
        continue; // OpenAPI: Accept, Content-Type and Authorization header parameters are ignored.
      }
      kept.add(parameter);
    }
    Map<String, Integer> counts = new LinkedHashMap<>();
    kept.forEach(p -> counts.merge(propertyName(p.get("name").asText()), 1, Integer::sum));
    Set<String> used = new HashSet<>();
    if (hasBody) {
      used.add(BODY);
    }
    List<ParameterBinding> bindings = new ArrayList<>();
    for (JsonNode parameter : kept) {
      String wire = parameter.get("name").asText();
      ParameterLocation in = location(parameter.get("in").asText());
      String argument = propertyName(wire);
      if (counts.get(argument) > 1 || used.contains(argument) || BODY.equals(argument)) {
        argument = propertyName(in.wire() + "_" + wire);
      }
      String unique = argument;
      for (int i = 2; !used.add(unique); i++) {
        unique = argument + "_" + i;
      }
      boolean isRequired = in == ParameterLocation.PATH || parameter.path("required").asBoolean(false);
      properties.set(unique, parameterSchema(schemas, describer, parameter));
      if (isRequired) {
        required.add(unique);
      }
      String style = text(parameter, "style");
      if (style == null) {
        style = in == ParameterLocation.QUERY || in == ParameterLocation.COOKIE ? "form" : "simple";
      }
      boolean explode = parameter.has("explode") ? parameter.get("explode").asBoolean()
          : "form".equals(style);
      bindings.add(new ParameterBinding(unique, wire, in, isRequired, style, explode,
          parameter.path("allowReserved").asBoolean(false)));
    }
    return bindings;
  }

  private ObjectNode parameterSchema(SchemaTranslator schemas, Describer describer,
      JsonNode parameter) {
    JsonNode schema = parameter.get("schema");
    if (schema == null && parameter.has("content")) {
      Iterator<JsonNode> media = parameter.get("content").elements();
      schema = media.hasNext() ? media.next().get("schema") : null;
    }
    ObjectNode translated = NODES.objectNode();
    translated.setAll(schemas.input(schema)); // shallow copy: translations are shared
    String description = describer.describe(text(parameter, "description"));
    if (description != null) {
      translated.put("description", description);
    }
    if (parameter.path("deprecated").asBoolean(false)) {
      translated.put("deprecated", true);
    }
    return translated;
  }

  private record BodyChoice(ObjectNode schema, BodyBinding binding) {}

  private BodyChoice body(SchemaTranslator schemas, Describer describer, JsonNode operation) {
    JsonNode requestBody = schemas.resolve(operation.get("requestBody"));
    if (requestBody == null || !requestBody.path("content").isObject()
        || requestBody.path("content").isEmpty()) {
      return null;
    }
    JsonNode content = requestBody.get("content");
    String mediaType = MediaTypes.preferred(content.fieldNames());
    BodyEncoding encoding = MediaTypes.encoding(mediaType);
    JsonNode mediaSchema = content.get(mediaType).get("schema");
    boolean isRequired = requestBody.path("required").asBoolean(false);
    ObjectNode schema;
    Set<String> files = new LinkedHashSet<>();
    switch (encoding) {
      case BINARY -> schema = NODES.objectNode().put("type", "string").put("contentEncoding", "base64")
          .put("description", "The " + mediaType + " body, base64-encoded.");
      case TEXT -> {
        schema = NODES.objectNode().put("type", "string")
            .put("description", "The " + mediaType + " body, sent as it is.");
      }
      case MULTIPART -> schema = multipart(schemas, mediaSchema, files);
      default -> {
        schema = NODES.objectNode();
        schema.setAll(schemas.input(mediaSchema));
      }
    }
    String description = describer.describe(text(requestBody, "description"));
    if (description != null && !schema.has("description")) {
      schema.put("description", description);
    }
    return new BodyChoice(schema, new BodyBinding(BODY, mediaType, encoding, isRequired, files));
  }

  /** Multipart: binary properties become {content (base64), filename, content_type} objects. */
  private ObjectNode multipart(SchemaTranslator schemas, JsonNode mediaSchema, Set<String> files) {
    ObjectNode schema = NODES.objectNode();
    schema.setAll(schemas.input(mediaSchema));
    JsonNode properties = schema.get("properties");
    if (properties == null || !properties.isObject()) {
      return schema;
    }
    ObjectNode rewritten = NODES.objectNode();
    properties.fields().forEachRemaining(field -> {
      if (MediaTypes.isBinarySchema(field.getValue())) {
        files.add(field.getKey());
        rewritten.set(field.getKey(), MediaTypes.fileSchema(field.getValue()));
      } else {
        rewritten.set(field.getKey(), field.getValue());
      }
    });
    schema.set("properties", rewritten);
    return schema;
  }

  private static List<String> accept(JsonNode operation) {
    Set<String> successful = new LinkedHashSet<>();
    Set<String> others = new LinkedHashSet<>();
    operation.path("responses").fields().forEachRemaining(response -> {
      Set<String> target = response.getKey().startsWith("2") ? successful : others;
      response.getValue().path("content").fieldNames().forEachRemaining(target::add);
    });
    successful.addAll(others);
    return List.copyOf(successful);
  }

  private static ObjectNode definition(String name, String title, String description,
      ObjectNode inputSchema, ObjectNode outputSchema, ToolAnnotations annotations) {
    ObjectNode tool = NODES.objectNode().put("name", name);
    if (title != null) {
      tool.put("title", title);
    }
    if (description != null) {
      tool.put("description", description);
    }
    tool.set("inputSchema", inputSchema);
    if (outputSchema != null) {
      tool.set("outputSchema", outputSchema);
    }
    tool.putObject("annotations")
        .put("readOnlyHint", annotations.readOnlyHint())
        .put("destructiveHint", annotations.destructiveHint())
        .put("idempotentHint", annotations.idempotentHint())
        .put("openWorldHint", annotations.openWorldHint());
    return tool;
  }

  private static List<String> tags(JsonNode operation) {
    List<String> tags = new ArrayList<>();
    operation.path("tags").forEach(t -> tags.add(t.asText()));
    return tags;
  }

  static String propertyName(String raw) {
    if (PROPERTY.matcher(raw).matches()) {
      return raw;
    }
    String cleaned = PROPERTY_INVALID.matcher(raw).replaceAll("_");
    if (cleaned.isEmpty()) {
      cleaned = "parameter";
    }
    return cleaned.length() > 64 ? cleaned.substring(0, 64) : cleaned;
  }

  private static ParameterLocation location(String in) {
    return switch (in) {
      case "path" -> ParameterLocation.PATH;
      case "query" -> ParameterLocation.QUERY;
      case "header" -> ParameterLocation.HEADER;
      case "cookie" -> ParameterLocation.COOKIE;
      default -> null;
    };
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node == null ? null : node.get(field);
    if (value == null || !value.isTextual() || value.asText().isBlank()) {
      return null;
    }
    return value.asText().strip();
  }

  static String trim(String text, int max) {
    if (text == null || text.length() <= max) {
      return text;
    }
    return text.substring(0, Math.max(0, max - 1)).stripTrailing() + "…";
  }
}
