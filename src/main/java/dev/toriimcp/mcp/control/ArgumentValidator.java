package dev.toriimcp.mcp.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.toriimcp.catalog.entity.CompiledTool;
import dev.toriimcp.upstream.entity.InvalidArgumentsException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Validates tool arguments against the tool's input schema (JSON Schema 2020-12) with the
 * networknt validator before anything is sent upstream. Each problem names the argument by its
 * path ({@code 'body.name'}), so the model can correct the call.
 *
 * <p>Schemas are compiled on first use and cached per tool: compiling all of a large catalog at
 * start-up would cost seconds for tools that may never be called.
 */
public final class ArgumentValidator {

  private static final JsonSchemaFactory FACTORY =
      JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
  private static final int MAX_PROBLEMS = 10;

  /** Identity of a compiled schema node: cheap to hash, and a rebuilt catalog gets new keys. */
  private record Key(JsonNode schema) {
    @Override
    public boolean equals(Object other) {
      return other instanceof Key key && key.schema == schema;
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(schema);
    }
  }

  private final Map<Key, JsonSchema> schemas = new ConcurrentHashMap<>();

  public void validate(CompiledTool tool, JsonNode arguments) throws InvalidArgumentsException {
    JsonSchema schema = schemas.computeIfAbsent(new Key(tool.inputSchema()),
        key -> FACTORY.getSchema(key.schema()));
    Set<ValidationMessage> messages = schema.validate(arguments);
    if (messages.isEmpty()) {
      return;
    }
    List<String> problems = new ArrayList<>();
    for (ValidationMessage message : messages) {
      if (problems.size() == MAX_PROBLEMS) {
        problems.add("(" + (messages.size() - MAX_PROBLEMS) + " more)");
        break;
      }
      problems.add(describe(message));
    }
    throw new InvalidArgumentsException(problems);
  }

  private static String describe(ValidationMessage message) {
    String location = message.getInstanceLocation().toString();
    String text = message.getMessage();
    if (text.startsWith(location + ": ")) {
      text = text.substring(location.length() + 2);
    }
    String argument = location.startsWith("$.") ? location.substring(2) : location;
    if ("$".equals(location)) {
      return text;
    }
    return "'" + argument + "': " + text;
  }
}
