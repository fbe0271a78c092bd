package dev.toriimcp.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.modelcontextprotocol.json.schema.JsonSchemaValidator;
import java.util.Map;
import java.util.Set;

/**
 * The MCP Java SDK client's output-schema validation, done with the networknt validator version
 * the gateway ships (the SDK's default needs networknt 2.x, which cannot share the test classpath
 * with 1.5). Same job, same JSON Schema 2020-12 semantics.
 */
public final class NetworkntSchemaValidator implements JsonSchemaValidator {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonSchemaFactory FACTORY =
      JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);

  @Override
  public ValidationResponse validate(Map<String, Object> schema, Object content) {
    JsonNode instance = JSON.valueToTree(content);
    Set<ValidationMessage> problems = FACTORY.getSchema(JSON.valueToTree(schema)).validate(instance);
    return problems.isEmpty() ? ValidationResponse.asValid(instance.toString())
        : ValidationResponse.asInvalid(problems.toString());
  }
}
