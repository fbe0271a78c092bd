package dev.toriimcp.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The official MCP conformance suite (npm {@code @modelcontextprotocol/conformance}, pinned in
 * src/test/node/package.json) against one {@code /mcp/<backend>} of a running gateway. The suite
 * speaks to servers without authorization, so it goes through {@code proxy.mjs}, a loopback proxy
 * that adds a real bearer token and forwards everything else unchanged (Host and Origin too).
 *
 * <p>Every server scenario the suite lists is run, one CLI run each, except those in
 * {@link #NOT_APPLICABLE}: each of them tests a feature the gateway honestly does not have, and
 * says which. A scenario that a later version of the suite adds is run until it is triaged.
 */
public final class ConformanceSuite {

  private static final Path NODE_DIR = Path.of("src/test/node");
  private static final Path CLI = Path.of("node_modules/@modelcontextprotocol/conformance/dist/index.js");
  private static final String FIXTURE_TOOL = "calls a fixture tool of the suite's reference"
      + " server; a gateway's tools are its backend's operations";

  /** Server scenarios that cannot apply to a gateway, with the reason. */
  public static final Map<String, String> NOT_APPLICABLE = notApplicable();

  private ConformanceSuite() {}

  private static Map<String, String> notApplicable() {
    Map<String, String> reasons = new LinkedHashMap<>();
    reasons.put("completion-complete", "completes prompt and resource-template arguments; the"
        + " gateway has neither, and declares no completions capability");
    for (String tool : List.of("simple-text", "image", "audio", "embedded-resource",
        "mixed-content", "with-logging", "error", "with-progress", "sampling", "elicitation")) {
      reasons.put("tools-call-" + tool, FIXTURE_TOOL);
    }
    reasons.put("json-schema-2020-12", FIXTURE_TOOL + "; and the gateway inlines $ref and $defs"
        + " on purpose, since several clients cannot resolve them (ADR 0004)");
    reasons.put("elicitation-sep1034-defaults", FIXTURE_TOOL + "; the gateway sends no"
        + " elicitation requests");
    reasons.put("elicitation-sep1330-enums", FIXTURE_TOOL + "; the gateway sends no"
        + " elicitation requests");
    for (String scenario : List.of("resources-list", "resources-read-text",
        "resources-read-binary", "resources-templates-read", "resources-subscribe",
        "resources-unsubscribe")) {
      reasons.put(scenario, "the gateway offers tools only, no resources capability");
    }
    for (String scenario : List.of("prompts-list", "prompts-get-simple", "prompts-get-with-args",
        "prompts-get-embedded-resource", "prompts-get-with-image")) {
      reasons.put(scenario, "the gateway offers tools only, no prompts capability");
    }
    return Map.copyOf(reasons);
  }

  /** What one scenario's run printed and whether it passed (the CLI's exit code). */
  public record Run(String scenario, boolean passed, String output) {}

  /** Whether the suite's npm package is installed (by .ci/prerequisites: npm ci). */
  public static boolean installed() {
    return Files.isRegularFile(NODE_DIR.resolve(CLI));
  }

  /** The server scenarios this version of the suite lists. */
  public static List<String> serverScenarios() throws IOException, InterruptedException {
    String output = run(List.of("list", "--server"), 60);
    List<String> scenarios = new ArrayList<>();
    for (String line : output.lines().toList()) {
      if (line.startsWith("  - ")) {
        scenarios.add(line.substring(4).trim());
      }
    }
    return scenarios;
  }

  /**
   * Runs each scenario against {@code gateway}'s {@code /mcp/<backend>} with {@code token},
   * through the proxy on 127.0.0.1 (the suite's DNS-rebinding scenario needs a loopback URL).
   */
  public static List<Run> run(GatewayProcess gateway, String backend, String token,
      List<String> scenarios) throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder("node", "proxy.mjs", gateway.uri("").toString())
        .directory(NODE_DIR.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT);
    builder.environment().put("MCP_BEARER_TOKEN", token);
    Process proxy = builder.start();
    try {
      String first = new BufferedReader(new InputStreamReader(proxy.getInputStream(),
          StandardCharsets.UTF_8)).readLine();
      if (first == null || !first.contains("\"port\"")) {
        throw new AssertionError("the proxy did not start: " + first);
      }
      String port = first.replaceAll("\\D", "");
      String url = "http://127.0.0.1:" + port + "/mcp/" + backend;
      List<Run> runs = new ArrayList<>();
      for (String scenario : scenarios) {
        StringBuilder output = new StringBuilder();
        int exit = exec(List.of("server", "--url", url, "--scenario", scenario), output, 180);
        runs.add(new Run(scenario, exit == 0, output.toString()));
        System.out.println("conformance " + scenario + ": " + (exit == 0 ? "passed" : "FAILED"));
      }
      return runs;
    } finally {
      proxy.destroy();
      proxy.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private static String run(List<String> arguments, int seconds)
      throws IOException, InterruptedException {
    StringBuilder output = new StringBuilder();
    int exit = exec(arguments, output, seconds);
    if (exit != 0) {
      throw new AssertionError("conformance " + arguments + " exited with " + exit + ":\n" + output);
    }
    return output.toString();
  }

  private static int exec(List<String> arguments, StringBuilder output, int seconds)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("node", CLI.toString()));
    command.addAll(arguments);
    Process process = new ProcessBuilder(command).directory(NODE_DIR.toFile())
        .redirectErrorStream(true).start();
    Thread reader = new Thread(() -> {
      try {
        output.append(new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
      } catch (IOException e) {
        output.append("(output lost: ").append(e.getMessage()).append(')');
      }
    });
    reader.start();
    if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      reader.join(5_000);
      return -1;
    }
    reader.join(5_000);
    return process.exitValue();
  }
}
