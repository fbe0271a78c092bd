package dev.toriimcp.configuration.entity;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Stops the deployment because the configuration is unusable. It carries <em>every</em> problem
 * found, not just the first, so one restart is enough to see all of them.
 */
public class ConfigurationException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final transient List<ConfigurationProblem> problems;

  public ConfigurationException(List<ConfigurationProblem> problems) {
    // No stack trace: this is the operator's mistake, not the code's, and the log should show
    // the list of problems, not forty lines of deployment internals.
    super(render(problems), null, false, false);
    this.problems = List.copyOf(problems);
  }

  public List<ConfigurationProblem> problems() {
    return problems;
  }

  private static String render(List<ConfigurationProblem> problems) {
    String plural = problems.size() == 1 ? "problem" : "problems";
    return problems.stream()
        .map(p -> "  - " + p)
        .collect(
            Collectors.joining(
                "\n", "torii-mcp configuration has " + problems.size() + " " + plural + ":\n", ""));
  }
}
