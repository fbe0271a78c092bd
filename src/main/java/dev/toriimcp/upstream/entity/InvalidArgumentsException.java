package dev.toriimcp.upstream.entity;

import java.util.List;

/**
 * The arguments of a tool call do not fit the tool: the model can correct itself from the message,
 * which names each offending argument. Rendered as a tool result with {@code isError: true}.
 */
public class InvalidArgumentsException extends Exception {

  private static final long serialVersionUID = 1L;

  private final transient List<String> problems;

  public InvalidArgumentsException(List<String> problems) {
    super("Invalid arguments: " + String.join("; ", problems), null, false, false);
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }
}
