package dev.toriimcp.platform;

import static org.assertj.core.api.Assertions.assertThat;

import dev.toriimcp.testing.GatewayProcess;
import dev.toriimcp.testing.LoginBrokerUpstream;
import dev.toriimcp.testing.NetworkntSchemaValidator;
import dev.toriimcp.testing.OAuthFlows;
import dev.toriimcp.testing.SpecCorpus;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Live reload (issue 17, ADR 0032): the configuration of a running gateway is edited four times
 * (a backend added, a policy changed, the file broken, the file fixed with the backend removed)
 * and then its spec file alone, while an official Java SDK client keeps calling a tool through all of it, and must see no
 * failed call; after each edit, what clients see changes as the edit says, and only then.
 */
class ConfigurationReloadIT {

  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Duration EFFECT = Duration.ofSeconds(30);
  private static LoginBrokerUpstream upstream;
  private static GatewayProcess gateway;
  private static Path config;
  private static String spec;
  private static String storage;

  @BeforeAll
  static void start() throws Exception {
    upstream = LoginBrokerUpstream.start();
    config = Files.createDirectories(Path.of("target/it-config")).resolve("reload.yaml");
    // A copy of the shared spec, which the test edits in step 5 (the corpus is never edited).
    Path copy = config.resolveSibling("reload-petstore.yaml");
    Files.copy(SpecCorpus.named("petstore-v3.yaml").root(), copy, StandardCopyOption.REPLACE_EXISTING);
    spec = copy.toAbsolutePath().normalize().toString();
    storage = "target/it-data/reload-" + System.nanoTime();
    write(backend("petstore", null));
    gateway = GatewayProcess.start("reload", config, Map.of());
    gateway.awaitReady(Duration.ofSeconds(300));
  }

  @AfterAll
  static void stop() {
    if (gateway != null) {
      gateway.close();
    }
    upstream.close();
  }

  @Test
  void editsTakeEffectWhileCallsKeepRunningAndABrokenEditChangesNothing() throws Exception {
    String token = OAuthFlows.accessToken(gateway, "petstore", "gina", "secret");
    McpSyncClient caller = client("petstore", token);
    caller.initialize();
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger calls = new AtomicInteger();
    List<String> failures = new CopyOnWriteArrayList<>();
    Thread load = new Thread(() -> {
      while (running.get()) {
        try {
          McpSchema.CallToolResult result = caller.callTool(
              new McpSchema.CallToolRequest("getPetById", Map.of("petId", 7)));
          if (Boolean.TRUE.equals(result.isError())) {
            failures.add(result.content().toString());
          }
        } catch (RuntimeException e) {
          failures.add(e.toString());
        }
        calls.incrementAndGet();
      }
    }, "reload-it-calls");
    load.start();
    try {
      assertThat(status("spare")).as("before it is added").isEqualTo(404);

      // 1. A backend is added.
      write(backend("petstore", null) + backend("spare", null));
      awaitTrue(() -> status("spare") == 401, "the added backend answers as a protected resource");
      awaitLog("torii-mcp configuration: reloaded");
      assertThat(gateway.output()).contains("backends added [spare], removed [], changed []");

      // 2. A policy changes: a fresh client sees the new tool list.
      assertThat(toolNames(token)).contains("findPetsByStatus");
      write(backend("petstore", "{deny: [\"GET /pet/findByStatus\"]}") + backend("spare", null));
      awaitTrue(() -> !toolNames(token).contains("findPetsByStatus"), "the denied tool is gone");
      assertThat(toolNames(token)).contains("getPetById").hasSize(18);

      // 3. A broken edit: refused with the named problem, nothing changes.
      int reloads = count(gateway.output(), "torii-mcp configuration: reloaded");
      write(backend("petstore", null) + "  - name: spare\n    spec_url: " + spec + "\n    colour: red\n");
      awaitLog("is refused; the running configuration stays");
      assertThat(gateway.output()).contains("backends[1].colour", "unknown key");
      assertThat(status("spare")).isEqualTo(401);
      assertThat(toolNames(token)).doesNotContain("findPetsByStatus");
      assertThat(count(gateway.output(), "torii-mcp configuration: reloaded")).isEqualTo(reloads);

      // 3b. An edit that drops the sealing key of gina's stored credential: refused, no data lost.
      write(backend("petstore", null) + backend("spare", null),
          "[{id: k2, secret: ISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+P0A=}]");
      awaitLog("sealing key 'k' still seals 1 upstream credential(s)");
      assertThat(count(gateway.output(), "torii-mcp configuration: reloaded")).isEqualTo(reloads);

      // 4. Fixed, with the spare backend removed: its endpoint is gone, petstore is whole again.
      write(backend("petstore", null));
      awaitTrue(() -> status("spare") == 404, "the removed backend answers 404");
      awaitTrue(() -> toolNames(token).contains("findPetsByStatus"), "the policy is lifted");

      // 5. The spec file changes on its own: the backend is recompiled, the file untouched.
      Path copy = Path.of(spec);
      Path next = copy.resolveSibling("reload-petstore.yaml.next");
      Files.writeString(next, Files.readString(copy).replace("operationId: findPetsByTags",
          "operationId: findPetsByLabels"));
      Files.move(next, copy, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      awaitTrue(() -> toolNames(token).contains("findPetsByLabels"), "the changed spec is served");
      assertThat(toolNames(token)).doesNotContain("findPetsByTags");
      assertThat(gateway.output()).contains("torii-mcp configuration: spec of [petstore] changed");
      Thread.sleep(1000);
    } finally {
      running.set(false);
      load.join(30_000);
      caller.closeGracefully();
    }
    assertThat(failures).as("failed calls during the edits").isEmpty();
    assertThat(calls.get()).as("calls made during the edits").isGreaterThan(20);
  }

  private static String backend(String name, String policy) {
    return "  - name: " + name + "\n    spec_url: " + spec + "\n    base_url: " + upstream.base()
        + "/api/v3\n    auth: {type: login-broker, login_url: \"" + upstream.base() + "/login\"}\n"
        + (policy == null ? "" : "    policy: " + policy + "\n");
  }

  /** Replaces the file in one step, as an editor or a deployment tool does. */
  private static void write(String backends) throws Exception {
    write(backends, "[{id: k, secret: AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=}]");
  }

  private static void write(String backends, String keys) throws Exception {
    String yaml = "public_url: ${TORII_PUBLIC_URL}\nbackends:\n" + backends
        + "storage: {derby_directory: " + storage + "}\n"
        + "sealing: {keys: " + keys + "}\n";
    Path next = config.resolveSibling("reload.yaml.next");
    Files.writeString(next, yaml);
    Files.move(next, config, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static McpSyncClient client(String backend, String token) {
    HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport
        .builder(gateway.uri("").toString()).endpoint("/mcp/" + backend)
        .customizeRequest(request -> request.header("Authorization", "Bearer " + token))
        .build();
    return McpClient.sync(transport).requestTimeout(Duration.ofSeconds(20))
        .jsonSchemaValidator(new NetworkntSchemaValidator()).build();
  }

  private static List<String> toolNames(String token) {
    McpSyncClient client = client("petstore", token);
    try {
      client.initialize();
      List<String> names = new ArrayList<>();
      client.listTools().tools().forEach(tool -> names.add(tool.name()));
      return names;
    } finally {
      client.closeGracefully();
    }
  }

  /** The status of an unauthenticated POST to the backend's MCP URL: 401 if it exists. */
  private static int status(String backend) {
    try {
      return HTTP.send(HttpRequest.newBuilder(gateway.uri("/mcp/" + backend))
          .header("Content-Type", "application/json")
          .header("Accept", "application/json, text/event-stream")
          .POST(HttpRequest.BodyPublishers.ofString(
              "{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": \"ping\"}")).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static void awaitTrue(BooleanSupplier condition, String what) throws Exception {
    long deadline = System.nanoTime() + EFFECT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + EFFECT + ": " + what);
      }
      Thread.sleep(250);
    }
  }

  private static void awaitLog(String text) throws Exception {
    awaitTrue(() -> {
      try {
        return gateway.output().contains(text);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }, "the log says '" + text + "'");
  }

  private static int count(String text, String part) {
    int count = 0;
    for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
      count++;
    }
    return count;
  }
}
