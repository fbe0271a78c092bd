package dev.toriimcp.catalog.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class SchemaTranslatorTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode json(String text) throws Exception {
    return JSON.readTree(text.replace('\'', '"'));
  }

  private static final String DOCUMENT = """
      {'components': {'schemas': {
        'Node': {'type': 'object', 'properties': {'name': {'type': 'string'},
                 'children': {'type': 'array', 'items': {'$ref': '#/components/schemas/Node'}}}},
        'Pet': {'type': 'object', 'required': ['id', 'name'], 'properties': {
                 'id': {'type': 'integer', 'readOnly': true},
                 'name': {'type': 'string', 'nullable': true},
                 'status': {'type': 'string', 'enum': ['a', 'b'], 'nullable': true, 'example': 'a'},
                 'age': {'type': 'integer', 'minimum': 0, 'exclusiveMinimum': true}}},
        'Named': {'type': 'object', 'required': ['name'], 'properties': {'name': {'type': 'string'}}},
        'Tagged': {'allOf': [{'$ref': '#/components/schemas/Named'},
                   {'type': 'object', 'properties': {'tag': {'type': 'string'}}}]}
      }}}""";

  @Test
  void inlinesReferencesAndCutsRecursionWithAnOpenSchemaThatSaysSo() throws Exception {
    SchemaTranslator translator = new SchemaTranslator(json(DOCUMENT), 3);

    JsonNode node = translator.input(json("{'$ref': '#/components/schemas/Node'}"));

    JsonNode level2 = node.at("/properties/children/items/properties/children/items");
    assertThat(level2.path("properties").has("name")).isTrue();
    JsonNode cut = level2.at("/properties/children/items");
    assertThat(cut.has("type")).isFalse();
    assertThat(cut.path("description").asText()).contains("'Node' is not expanded further");
    assertThat(node.toString()).doesNotContain("$ref");
  }

  @Test
  void translatesOpenApi30Keywords() throws Exception {
    JsonNode pet = new SchemaTranslator(json(DOCUMENT), 4)
        .input(json("{'$ref': '#/components/schemas/Pet'}"));

    assertThat(pet.path("properties").has("id")).as("readOnly dropped").isFalse();
    assertThat(pet.path("required").toString()).isEqualTo("[\"name\"]");
    assertThat(pet.at("/properties/name/type").toString()).isEqualTo("[\"string\",\"null\"]");
    assertThat(pet.at("/properties/status/enum").toString()).isEqualTo("[\"a\",\"b\",null]");
    assertThat(pet.at("/properties/status").has("example")).isFalse();
    assertThat(pet.at("/properties/age/exclusiveMinimum").asInt()).isZero();
    assertThat(pet.at("/properties/age").has("minimum")).isFalse();
  }

  @Test
  void mergesAllOfOfPlainObjects() throws Exception {
    JsonNode tagged = new SchemaTranslator(json(DOCUMENT), 4)
        .input(json("{'$ref': '#/components/schemas/Tagged'}"));

    assertThat(tagged.has("allOf")).isFalse();
    assertThat(tagged.path("type").asText()).isEqualTo("object");
    assertThat(tagged.path("properties").has("name")).isTrue();
    assertThat(tagged.path("properties").has("tag")).isTrue();
    assertThat(tagged.path("required").toString()).isEqualTo("[\"name\"]");
  }

  @Test
  void keepsAllOfWhenAPartIsNotAPlainObject() throws Exception {
    JsonNode schema = new SchemaTranslator(json(DOCUMENT), 4)
        .input(json("{'allOf': [{'type': 'string'}, {'maxLength': 3}]}"));

    assertThat(schema.path("allOf")).hasSize(2);
  }

  @Test
  void dropsTypesThatAreNotJsonSchemaTypes() throws Exception {
    JsonNode schema = new SchemaTranslator(json(DOCUMENT), 4).input(json("{'type': 'ref'}"));

    assertThat(schema.has("type")).isFalse();
  }
}
