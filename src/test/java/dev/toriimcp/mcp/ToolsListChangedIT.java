package dev.toriimcp.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.toriimcp.testing.GatewayProcess;
import dev.toriimcp.testing.LoginBrokerUpstream;
import dev.toriimcp.testing.NetworkntSchemaValidator;
import dev.toriimcp.testing.OAuthFlows;
import dev.toriimcp.testing.SpecCorpus;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code notifications/tools/list_changed} (issue 17, ADR 0033): a handshake-era session opens its
 * GET stream, which carries keep-alive comments; a live edit of the configuration that changes
 * its backend's policy sends the notification on it, to a raw HTTP reader and to the official Java
 * SDK client's tools-change consumer alike, and a new tools/list shows the change; a user's
 * streams are bounded, and a client that went away frees its place; DELETE of the session ends
 * the stream. One gateway start, with keep-alives every 500 ms and three streams per user.
 */
class ToolsListChangedIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final String NOTIFICATION =
      "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/tools/list_changed\"}";
  private static final String END = "<end of stream>";
  private static LoginBrokerUpstream upstream;
  private static GatewayProcess gateway;
  private static Path config;
  private static String spec;
  private static String storage;

  @BeforeAll
  static void start() throws Exception {
    upstream = LoginBrokerUpstream.start();
    spec = SpecCorpus.named("petstore-v3.yaml").root().toAbsolutePath().normalize().toString();
    storage = "target/it-data/list-changed-" + System.nanoTime();
    config = Files.createDirectories(Path.of("target/it-config")).resolve("list-changed.yaml");
    write(null);
    String jvmArgs = System.getProperty("gateway.jvmArgs");
    System.setProperty("gateway.jvmArgs", (jvmArgs == null ? "" : jvmArgs + " ")
        + "-Dtorii.mcp.stream-keep-alive-ms=500 -Dtorii.mcp.max-streams-per-user=3");
    try {
      gateway = GatewayProcess.start("list-changed", config, Map.of());
    } finally {
      if (jvmArgs == null) {
        System.clearProperty("gateway.jvmArgs");
      } else {
        System.setProperty("gateway.jvmArgs", jvmArgs);
      }
    }
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
  void aSessionHoldingItsGetStreamIsToldWhenAReloadChangesItsTools() throws Exception {
    String token = OAuthFlows.accessToken(gateway, "petstore", "hana", "secret");
    HttpResponse<String> initialize = post(token, null, "{\"jsonrpc\": \"2.0\", \"id\": 1,"
        + " \"method\": \"initialize\", \"params\": {\"protocolVersion\": \"2025-11-25\","
        + " \"capabilities\": {}, \"clientInfo\": {\"name\": \"it\", \"version\": \"1\"}}}");
    assertThat(initialize.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(initialize.body()).at("/result/capabilities/tools/listChanged")
        .asBoolean()).isTrue();
    String session = initialize.headers().firstValue("Mcp-Session-Id").orElseThrow();
    assertThat(post(token, session, "{\"jsonrpc\": \"2.0\","
        + " \"method\": \"notifications/initialized\"}").statusCode()).isEqualTo(202);

    // The refusals: a GET that cannot have a stream is answered at once.
    assertThat(get(token, null, "text/event-stream").statusCode()).as("no session").isEqualTo(405);
    assertThat(get(token, "no-such-session", "text/event-stream").statusCode()).isEqualTo(404);
    assertThat(get(token, session, "application/json").statusCode()).isEqualTo(406);
    assertThat(get("not-a-token", session, "text/event-stream").statusCode()).isEqualTo(401);

    // The official Java SDK client opens its own session's stream after initialize.
    List<List<String>> changes = new CopyOnWriteArrayList<>();
    McpSyncClient sdk = McpClient.sync(HttpClientStreamableHttpTransport
            .builder(gateway.uri("").toString()).endpoint("/mcp/petstore")
            .customizeRequest(request -> request.header("Authorization", "Bearer " + token))
            .build())
        .requestTimeout(Duration.ofSeconds(20)).jsonSchemaValidator(new NetworkntSchemaValidator())
        .toolsChangeConsumer(tools -> changes.add(tools.stream().map(McpSchema.Tool::name).toList()))
        .build();
    try {
      assertThat(sdk.initialize().capabilities().tools().listChanged()).isTrue();

      Reader first = open(token, session);
      assertThat(first.response.statusCode()).isEqualTo(200);
      assertThat(first.response.headers().firstValue("Content-Type").orElse(""))
          .startsWith("text/event-stream");
      assertThat(first.response.headers().firstValue("Cache-Control")).contains("no-store");
      assertThat(first.next(Duration.ofSeconds(5))).as("a keep-alive comment").isEqualTo(":");
      assertThat(first.next(Duration.ofSeconds(5))).isEmpty();
      assertThat(first.next(Duration.ofSeconds(5))).as("keep-alives repeat").isEqualTo(":");

      // A second GET of the session replaces the first, which ends cleanly.
      Reader second = open(token, session);
      assertThat(second.response.statusCode()).isEqualTo(200);
      assertThat(first.untilEnd(Duration.ofSeconds(5))).as("the replaced stream")
          .doesNotContain("data: " + NOTIFICATION).endsWith(END);

      assertThat(toolNames(token, session)).contains("findPetsByStatus");
      write("{deny: [\"GET /pet/findByStatus\"]}");
      long edited = System.nanoTime();
      List<String> seen = second.until("data: " + NOTIFICATION, Duration.ofSeconds(15));
      assertThat(seen).as("the event before the data line").contains("event: message");
      assertThat(seen).filteredOn(line -> line.startsWith("data:")).as("nothing but the notification,"
          + " never a response, on the GET stream").containsExactly("data: " + NOTIFICATION);
      System.out.println("list_changed arrived " + (System.nanoTime() - edited) / 1_000_000
          + " ms after the edit was written");
      assertThat(toolNames(token, session)).doesNotContain("findPetsByStatus").contains("getPetById");
      long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
      while (changes.isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertThat(changes).as("the SDK client's tools-change consumer").isNotEmpty();
      assertThat(changes.get(changes.size() - 1)).contains("getPetById")
          .doesNotContain("findPetsByStatus");

      // The user's bound (3 here): the SDK's stream, the raw one and one more; then 405, until
      // a client that simply went away is noticed and its stream dropped.
      String other = initialize(token);
      String third = initialize(token);
      try (Socket gone = openOnSocket(token, other)) {
        assertThat(open(token, third).response.statusCode()).as("over the user's bound")
            .isEqualTo(405);
      }
      long closed = System.nanoTime();
      Reader replacement = open(token, third);
      while (replacement.response.statusCode() == 405
          && System.nanoTime() - closed < Duration.ofSeconds(10).toNanos()) {
        Thread.sleep(200);
        replacement = open(token, third);
      }
      assertThat(replacement.response.statusCode()).as("a stream once its client is gone")
          .isEqualTo(200);
      System.out.println("a closed connection's stream was dropped within "
          + (System.nanoTime() - closed) / 1_000_000 + " ms");

      // DELETE of the session ends its stream.
      HttpResponse<String> delete = HTTP.send(HttpRequest.newBuilder(gateway.uri("/mcp/petstore"))
          .header("Authorization", "Bearer " + token).header("Mcp-Session-Id", session)
          .DELETE().build(), HttpResponse.BodyHandlers.ofString());
      assertThat(delete.statusCode()).isEqualTo(204);
      assertThat(second.untilEnd(Duration.ofSeconds(5))).endsWith(END);
      assertThat(get(token, session, "text/event-stream").statusCode()).as("an ended session")
          .isEqualTo(404);
      // Streams end on the gateway's timer, never inside another request (which mixed two
      // requests' CDI contexts on one thread when the replaced stream ended on the new GET's).
      assertThat(gateway.output()).doesNotContain("WELD-000225", "WELD-000714");
    } finally {
      sdk.closeGracefully();
    }
  }

  /** Opens a session; returns its id. */
  private static String initialize(String token) throws Exception {
    HttpResponse<String> initialize = post(token, null, "{\"jsonrpc\": \"2.0\", \"id\": 1,"
        + " \"method\": \"initialize\", \"params\": {\"protocolVersion\": \"2025-11-25\","
        + " \"capabilities\": {}, \"clientInfo\": {\"name\": \"it\", \"version\": \"1\"}}}");
    assertThat(initialize.statusCode()).isEqualTo(200);
    return initialize.headers().firstValue("Mcp-Session-Id").orElseThrow();
  }

  /**
   * A GET stream on a socket of its own, open once its 200 has come; closing the socket is a
   * client that went away without a word.
   */
  private static Socket openOnSocket(String token, String session) throws Exception {
    URI uri = gateway.uri("/mcp/petstore");
    Socket socket = new Socket(InetAddress.getLoopbackAddress(), uri.getPort());
    socket.setSoTimeout(10_000);
    socket.getOutputStream().write(("GET " + uri.getRawPath() + " HTTP/1.1\r\nHost: "
        + uri.getHost() + ":" + uri.getPort() + "\r\nAuthorization: Bearer " + token
        + "\r\nAccept: text/event-stream\r\nMcp-Session-Id: " + session + "\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII));
    String status = new BufferedReader(new InputStreamReader(socket.getInputStream(),
        StandardCharsets.US_ASCII)).readLine();
    assertThat(status).as("the socket's stream").startsWith("HTTP/1.1 200");
    return socket;
  }

  /** A GET stream read line by line on a thread of its own; {@link #END} when it ends. */
  private static final class Reader {
    final HttpResponse<Stream<String>> response;
    final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    Reader(HttpResponse<Stream<String>> response) {
      this.response = response;
      Thread thread = new Thread(() -> {
        try (Stream<String> body = response.body()) {
          body.forEach(lines::add);
        } catch (RuntimeException e) {
          lines.add("<failed: " + e + ">");
        }
        lines.add(END);
      }, "list-changed-it-reader");
      thread.setDaemon(true);
      thread.start();
    }

    String next(Duration within) throws InterruptedException {
      String line = lines.poll(within.toMillis(), TimeUnit.MILLISECONDS);
      assertThat(line).as("a line within " + within).isNotNull();
      return line;
    }

    /** The lines up to and with {@code wanted}, keep-alives left out. */
    List<String> until(String wanted, Duration within) throws InterruptedException {
      List<String> seen = new ArrayList<>();
      long deadline = System.nanoTime() + within.toNanos();
      while (System.nanoTime() < deadline) {
        String line = lines.poll(100, TimeUnit.MILLISECONDS);
        if (line == null || line.equals(":") || line.isEmpty()) {
          continue;
        }
        seen.add(line);
        if (line.equals(wanted) || line.equals(END)) {
          break;
        }
      }
      assertThat(seen).as("'" + wanted + "' within " + within).contains(wanted);
      return seen;
    }

    List<String> untilEnd(Duration within) throws InterruptedException {
      List<String> seen = new ArrayList<>();
      long deadline = System.nanoTime() + within.toNanos();
      while (System.nanoTime() < deadline && !seen.contains(END)) {
        String line = lines.poll(100, TimeUnit.MILLISECONDS);
        if (line != null) {
          seen.add(line);
        }
      }
      return seen;
    }
  }

  private static Reader open(String token, String session) throws Exception {
    return new Reader(HTTP.send(request(token, session, "text/event-stream").GET().build(),
        HttpResponse.BodyHandlers.ofLines()));
  }

  private static HttpResponse<String> get(String token, String session, String accept)
      throws Exception {
    // A stream opened by mistake would never end: the answer must come within seconds.
    return HTTP.sendAsync(request(token, session, accept).GET().build(),
        HttpResponse.BodyHandlers.ofString()).get(10, TimeUnit.SECONDS);
  }

  private static HttpResponse<String> post(String token, String session, String body)
      throws Exception {
    return HTTP.send(request(token, session, "application/json, text/event-stream")
        .header("Content-Type", "application/json")
        .header("MCP-Protocol-Version", "2025-11-25")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpRequest.Builder request(String token, String session, String accept) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(gateway.uri("/mcp/petstore"))
        .header("Authorization", "Bearer " + token).header("Accept", accept);
    return session == null ? builder : builder.header("Mcp-Session-Id", session);
  }

  /** The tool names a tools/list in the session shows (all pages). */
  private static List<String> toolNames(String token, String session) throws Exception {
    List<String> names = new ArrayList<>();
    String cursor = null;
    do {
      HttpResponse<String> list = post(token, session, "{\"jsonrpc\": \"2.0\", \"id\": 2,"
          + " \"method\": \"tools/list\", \"params\": {" + (cursor == null ? ""
          : "\"cursor\": " + JSON.writeValueAsString(cursor)) + "}}");
      assertThat(list.statusCode()).isEqualTo(200);
      JsonNode result = JSON.readTree(list.body()).path("result");
      result.path("tools").forEach(tool -> names.add(tool.path("name").asText()));
      cursor = result.hasNonNull("nextCursor") ? result.path("nextCursor").asText() : null;
    } while (cursor != null);
    return names;
  }

  /** Replaces the file in one step, as an editor or a deployment tool does. */
  private static void write(String policy) throws Exception {
    String yaml = "public_url: ${TORII_PUBLIC_URL}\nbackends:\n"
        + "  - name: petstore\n    spec_url: " + spec + "\n    base_url: " + upstream.base()
        + "/api/v3\n    auth: {type: login-broker, login_url: \"" + upstream.base() + "/login\"}\n"
        + (policy == null ? "" : "    policy: " + policy + "\n")
        + "storage: {derby_directory: " + storage + "}\n"
        + "sealing: {keys: [{id: k, secret: AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=}]}\n";
    Path next = config.resolveSibling("list-changed.yaml.next");
    Files.writeString(next, yaml);
    Files.move(next, config, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
