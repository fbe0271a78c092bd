package dev.toriimcp.catalog.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Translates OpenAPI 3.0/3.1 schema objects (as JSON trees) into self-contained JSON Schema
 * 2020-12 that the strictest LLM providers accept.
 *
 * <ul>
 *   <li>Every {@code $ref} is inlined. Expansion stops after {@link #maxRefDepth} nested
 *       references, which also cuts recursion: the cut point becomes an open schema whose
 *       description says which schema was not expanded.
 *   <li>{@code allOf} whose parts are all plain object schemas is merged into one object.
 *   <li>OpenAPI 3.0 {@code nullable} becomes a {@code "null"} type (and enum member); 3.0 boolean
 *       {@code exclusiveMinimum/Maximum} become the 2020-12 numeric forms.
 *   <li>For inputs, {@code readOnly} properties are dropped (and removed from {@code required}).
 *   <li>Keywords without validation meaning for a caller ({@code example}, {@code xml},
 *       {@code discriminator}, {@code x-*}, ...) are left out to save context.
 * </ul>
 *
 * <p>Translations of a reference are memoised per remaining depth, and the resulting nodes are
 * shared between tools: compiled catalogs must treat them as immutable.
 */
final class SchemaTranslator {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final String LOCAL_REF = "#/";
  private static final List<String> COPIED = List.of(
      "type", "format", "enum", "const", "default", "title", "description", "multipleOf",
      "minimum", "maximum", "minLength", "maxLength", "pattern", "minItems", "maxItems",
      "uniqueItems", "minProperties", "maxProperties", "contentMediaType", "contentEncoding",
      "deprecated");
  private static final List<String> SCHEMA_ARRAYS = List.of("allOf", "anyOf", "oneOf", "prefixItems");
  private static final List<String> SCHEMA_VALUES = List.of("items", "not", "contains",
      "propertyNames", "if", "then", "else", "unevaluatedItems");
  private static final List<String> SCHEMA_MAPS = List.of("properties", "patternProperties");

  private static final Set<String> TYPES =
      Set.of("array", "boolean", "integer", "null", "number", "object", "string");

  private final JsonNode document;
  private final int maxRefDepth;
  private final Map<String, ObjectNode> memo = new HashMap<>();
  private final String hiddenFlag;
  private final UnaryOperator<String> descriptions;

  /**
   * @param document the whole normalised OpenAPI document, against which local refs resolve
   * @param maxRefDepth how many nested {@code $ref}s are expanded before cutting
   */
  SchemaTranslator(JsonNode document, int maxRefDepth) {
    this(document, maxRefDepth, true);
  }

  /**
   * @param forInput true for request schemas ({@code readOnly} properties dropped), false for
   *     response schemas ({@code writeOnly} properties dropped)
   */
  SchemaTranslator(JsonNode document, int maxRefDepth, boolean forInput) {
    this(document, maxRefDepth, forInput, UnaryOperator.identity());
  }

  /**
   * @param descriptions what becomes of each schema's {@code description} (compaction), applied
   *     once per translated schema; a {@code null} result removes it
   */
  SchemaTranslator(JsonNode document, int maxRefDepth, boolean forInput,
      UnaryOperator<String> descriptions) {
    this.document = document;
    this.maxRefDepth = maxRefDepth;
    this.hiddenFlag = forInput ? "readOnly" : "writeOnly";
    this.descriptions = descriptions;
  }

  /** Translates a schema used as input (request parameters and bodies). */
  ObjectNode input(JsonNode schema) {
    return translate(schema, maxRefDepth);
  }

  /** Resolves a local {@code $ref} to any OpenAPI object (parameter, request body...). */
  JsonNode resolve(JsonNode node) {
    int hops = 0;
    while (node != null && node.has("$ref") && hops++ < 16) {
      String ref = node.get("$ref").asText();
      if (!ref.startsWith(LOCAL_REF)) {
        return null;
      }
      JsonNode target = document.at(ref.substring(1));
      node = target.isMissingNode() ? null : target;
    }
    return node;
  }

  private ObjectNode translate(JsonNode schema, int depth) {
    if (schema == null || schema.isNull() || schema.isMissingNode()) {
      return NODES.objectNode();
    }
    if (schema.isBoolean()) {
      return schema.asBoolean() ? NODES.objectNode() : not();
    }
    if (!schema.isObject()) {
      return NODES.objectNode();
    }
    if (schema.has("$ref")) {
      return reference(schema, depth);
    }
    ObjectNode out = NODES.objectNode();
    for (String keyword : COPIED) {
      JsonNode value = schema.get(keyword);
      if (value != null && !value.isNull()) {
        out.set(keyword, value);
      }
    }
    describe(out);
    validTypes(out);
    if (schema.has("types") && !out.has("type")) {
      // swagger-parser's 3.1 model serialises the type set as "types".
      copyTypes(schema.get("types"), out);
    }
    bounds(schema, out);
    nullable(schema, out);
    for (String keyword : SCHEMA_VALUES) {
      JsonNode value = schema.get(keyword);
      if (value != null && (value.isObject() || value.isBoolean())) {
        out.set(keyword, translate(value, depth));
      }
    }
    for (String keyword : SCHEMA_ARRAYS) {
      JsonNode value = schema.get(keyword);
      if (value != null && value.isArray() && !value.isEmpty()) {
        ArrayNode parts = out.putArray(keyword);
        value.forEach(part -> parts.add(translate(part, depth)));
      }
    }
    JsonNode additional = schema.get("additionalProperties");
    if (additional != null && (additional.isObject() || additional.isBoolean())) {
      out.set("additionalProperties", additional.isBoolean() ? additional : translate(additional, depth));
    }
    properties(schema, out, depth);
    mergeAllOf(out);
    return out;
  }

  private ObjectNode reference(JsonNode schema, int depth) {
    String ref = schema.get("$ref").asText();
    String name = ref.substring(ref.lastIndexOf('/') + 1);
    if (!ref.startsWith(LOCAL_REF)) {
      return open("Schema " + ref + " is not available here; any value is accepted.");
    }
    if (depth <= 0) {
      return open("Nested or recursive schema '" + name + "' is not expanded further (nesting"
          + " limit); give an object of that shape.");
    }
    String key = depth + " " + ref;
    ObjectNode cached = memo.get(key);
    if (cached != null) {
      return cached;
    }
    JsonNode target = document.at(ref.substring(1));
    ObjectNode result = target.isMissingNode()
        ? open("Schema " + ref + " is not defined in the spec; any value is accepted.")
        : translate(target, depth - 1);
    if (schema.size() > 1) {
      // OpenAPI 3.1 allows siblings next to $ref (description, nullable...): apply them on top.
      ObjectNode siblings = ((ObjectNode) schema).deepCopy();
      siblings.remove("$ref");
      ObjectNode merged = result.deepCopy();
      merged.setAll(translate(siblings, depth));
      result = merged;
    }
    memo.put(key, result);
    return result;
  }

  private void properties(JsonNode schema, ObjectNode out, int depth) {
    Set<String> dropped = new LinkedHashSet<>();
    for (String keyword : SCHEMA_MAPS) {
      JsonNode map = schema.get(keyword);
      if (map == null || !map.isObject()) {
        continue;
      }
      ObjectNode translated = out.putObject(keyword);
      Iterator<Map.Entry<String, JsonNode>> fields = map.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        JsonNode property = field.getValue();
        if (isReadOnly(property)) {
          dropped.add(field.getKey());
          continue;
        }
        translated.set(field.getKey(), translate(property, depth));
      }
    }
    JsonNode required = schema.get("required");
    if (required != null && required.isArray() && !required.isEmpty()) {
      ArrayNode names = NODES.arrayNode();
      required.forEach(n -> {
        if (!dropped.contains(n.asText())) {
          names.add(n.asText());
        }
      });
      if (!names.isEmpty()) {
        out.set("required", names);
      }
    }
  }

  /** Whether a property is hidden in this direction: readOnly for inputs, writeOnly for outputs. */
  private boolean isReadOnly(JsonNode property) {
    if (property.path(hiddenFlag).asBoolean(false)) {
      return true;
    }
    JsonNode resolved = property.has("$ref") ? resolve(property) : null;
    return resolved != null && resolved.path(hiddenFlag).asBoolean(false);
  }

  private void describe(ObjectNode out) {
    JsonNode description = out.get("description");
    if (description == null || !description.isTextual()) {
      return;
    }
    String described = descriptions.apply(description.asText());
    if (described == null) {
      out.remove("description");
    } else if (!described.equals(description.asText())) {
      out.put("description", described);
    }
  }

  /** Drops {@code type} values that are not JSON Schema types (seen: springfox's "ref"). */
  private static void validTypes(ObjectNode out) {
    JsonNode type = out.get("type");
    if (type == null) {
      return;
    }
    if (type.isTextual() && !TYPES.contains(type.asText())) {
      out.remove("type");
    } else if (type.isArray()) {
      ArrayNode kept = NODES.arrayNode();
      type.forEach(t -> {
        if (t.isTextual() && TYPES.contains(t.asText())) {
          kept.add(t);
        }
      });
      if (kept.isEmpty()) {
        out.remove("type");
      } else {
        out.set("type", kept.size() == 1 ? kept.get(0) : kept);
      }
    } else if (!type.isTextual()) {
      out.remove("type");
    }
  }

  private static void copyTypes(JsonNode types, ObjectNode out) {
    if (types.isArray() && types.size() == 1) {
      out.set("type", types.get(0));
    } else if (types.isArray() && types.size() > 1) {
      out.set("type", types);
    }
  }

  /** OpenAPI 3.0 boolean exclusive bounds to JSON Schema 2020-12 numeric ones. */
  private static void bounds(JsonNode schema, ObjectNode out) {
    bound(schema, out, "exclusiveMinimum", "minimum", "exclusiveMinimumValue");
    bound(schema, out, "exclusiveMaximum", "maximum", "exclusiveMaximumValue");
  }

  private static void bound(JsonNode schema, ObjectNode out, String exclusive, String inclusive,
      String value31) {
    JsonNode flag = schema.get(exclusive);
    if (schema.has(value31) && schema.get(value31).isNumber()) {
      out.set(exclusive, schema.get(value31));
    } else if (flag != null && flag.isNumber()) {
      out.set(exclusive, flag);
    } else if (flag != null && flag.asBoolean(false) && out.has(inclusive)) {
      out.set(exclusive, out.remove(inclusive));
    }
  }

  /** OpenAPI 3.0 {@code nullable: true} to a {@code "null"} type. */
  private static void nullable(JsonNode schema, ObjectNode out) {
    if (!schema.path("nullable").asBoolean(false)) {
      return;
    }
    JsonNode type = out.get("type");
    if (type != null && type.isTextual() && !"null".equals(type.asText())) {
      out.set("type", NODES.arrayNode().add(type.asText()).add("null"));
    }
    JsonNode values = out.get("enum");
    if (values != null && values.isArray()) {
      boolean hasNull = false;
      for (JsonNode v : values) {
        hasNull |= v.isNull();
      }
      if (!hasNull) {
        out.set("enum", ((ArrayNode) values).deepCopy().addNull());
      }
    }
  }

  /**
   * Merges {@code allOf} into the schema itself when every part is a plain object schema (only
   * type, properties, required, description, title). Anything else is left as a nested allOf.
   */
  private static void mergeAllOf(ObjectNode out) {
    JsonNode parts = out.get("allOf");
    if (parts == null) {
      return;
    }
    Set<String> mergeable = Set.of("type", "properties", "required", "description", "title",
        "additionalProperties");
    for (JsonNode part : parts) {
      Iterator<String> names = part.fieldNames();
      while (names.hasNext()) {
        if (!mergeable.contains(names.next())) {
          return;
        }
      }
      JsonNode type = part.get("type");
      if (type != null && !"object".equals(type.asText())) {
        return;
      }
    }
    ObjectNode properties = NODES.objectNode();
    Set<String> required = new LinkedHashSet<>();
    if (out.has("properties")) {
      properties.setAll((ObjectNode) out.get("properties"));
    }
    out.path("required").forEach(n -> required.add(n.asText()));
    for (JsonNode part : parts) {
      if (part.has("properties")) {
        properties.setAll((ObjectNode) part.get("properties"));
      }
      part.path("required").forEach(n -> required.add(n.asText()));
      if (!out.has("description") && part.has("description")) {
        out.set("description", part.get("description"));
      }
    }
    out.remove("allOf");
    out.put("type", "object");
    if (!properties.isEmpty()) {
      out.set("properties", properties);
    }
    if (!required.isEmpty()) {
      ArrayNode names = out.putArray("required");
      required.forEach(names::add);
    }
  }

  static ObjectNode open(String description) {
    return NODES.objectNode().put("description", description);
  }

  private static ObjectNode not() {
    ObjectNode never = NODES.objectNode();
    never.putObject("not");
    return never;
  }
}
