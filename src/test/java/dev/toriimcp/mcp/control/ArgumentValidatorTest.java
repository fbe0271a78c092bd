package dev.toriimcp.mcp.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.toriimcp.catalog.control.SpecCompiler;
import dev.toriimcp.catalog.control.SpecLoader;
import dev.toriimcp.catalog.entity.CompiledTool;
import dev.toriimcp.configuration.entity.Policy;
import dev.toriimcp.testing.SpecCorpus;
import dev.toriimcp.upstream.entity.InvalidArgumentsException;
import org.junit.jupiter.api.Test;

class ArgumentValidatorTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private final ArgumentValidator validator = new ArgumentValidator();

  private static CompiledTool petstore(String tool) throws Exception {
    return new SpecCompiler(SpecCompiler.Settings.DEFAULT).compile("petstore",
        new SpecLoader().load(SpecCorpus.named("petstore-v3.yaml").root().toUri()), Policy.ALLOW_ALL)
        .tool(tool).orElseThrow();
  }

  @Test
  void acceptsValidArguments() throws Exception {
    CompiledTool addPet = petstore("addPet");

    assertThatCode(() -> validator.validate(addPet, JSON.readTree(
        "{\"body\": {\"name\": \"Rex\", \"photoUrls\": [\"http://x\"], \"status\": \"available\"}}")))
        .doesNotThrowAnyException();
  }

  @Test
  void namesEachInvalidArgument() throws Exception {
    CompiledTool addPet = petstore("addPet");

    InvalidArgumentsException failure = catchThrowableOfType(InvalidArgumentsException.class,
        () -> validator.validate(addPet, JSON.readTree(
            "{\"body\": {\"name\": 5, \"photoUrls\": [], \"status\": \"lost\"}, \"colour\": 1}")));

    assertThat(failure.problems()).anySatisfy(p -> assertThat(p).startsWith("'body.name': "))
        .anySatisfy(p -> assertThat(p).startsWith("'body.status': "))
        .anySatisfy(p -> assertThat(p).contains("colour"));
  }

  @Test
  void namesAMissingRequiredArgument() throws Exception {
    InvalidArgumentsException failure = catchThrowableOfType(InvalidArgumentsException.class,
        () -> validator.validate(petstore("getPetById"), JSON.readTree("{}")));

    assertThat(failure.getMessage()).contains("petId");
  }
}
