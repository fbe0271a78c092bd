package dev.toriimcp.upstream;

import dev.toriimcp.testing.BrokeredSignIn;
import dev.toriimcp.testing.GatewayProcess;
import dev.toriimcp.testing.PostgresServer;
import dev.toriimcp.testing.SpecCorpus;
import dev.toriimcp.testing.TokenCheckingUpstream;
import java.net.InetAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.OAuth2Config;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import okhttp3.mockwebserver.RecordedRequest;

/**
 * The refresh storm benchmark (issue 13, ADR 0021; {@code exec:exec@refresh-bench}): 100
 * parallel tool calls of one user just after the user's upstream token expired, against a real
 * OAuth server (mock-oauth2-server, rotating refresh tokens) and an upstream that refuses
 * expired tokens, counting the refresh requests the provider receives. First one gateway on
 * embedded Derby, then two gateway processes on one PostgreSQL, the storm split between them.
 * Prints one line per round and a summary; exits non-zero if any round sent more than one
 * refresh or any call failed.
 */
public final class RefreshBenchmark {

  private static final int CALLS = Integer.getInteger("bench.calls", 100);
  private static final int ROUNDS = Integer.getInteger("bench.rounds", 3);
  /** Lifetime of the provider's access tokens; the storm starts just after one expires. */
  private static final int LIFETIME = Integer.getInteger("bench.lifetime", 8);
  private static final String MODES = System.getProperty("bench.modes", "derby,postgres");
  private static final HttpClient CLIENT = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1).build();

  private record Round(int calls, int ok, int refreshes, long wallMillis, long p50, long max) {}

  private RefreshBenchmark() {}

  public static void main(String[] args) throws Exception {
    boolean failed = false;
    System.out.printf("refresh storm: %d parallel tool calls of one user just after expiry,"
        + " %d rounds, %d s tokens, refresh_skew 1 s%n", CALLS, ROUNDS, LIFETIME);
    for (String mode : MODES.split(",")) {
      failed |= switch (mode.trim()) {
        case "derby" -> derby();
        case "postgres" -> postgres();
        default -> throw new IllegalArgumentException("bench.modes: derby, postgres");
      };
    }
    System.exit(failed ? 1 : 0);
  }

  private static boolean derby() throws Exception {
    MockOAuth2Server idp = idp();
    try (TokenCheckingUpstream upstream = new TokenCheckingUpstream()) {
      Path derby = Path.of("target/it-data/refresh-bench-" + System.nanoTime()).toAbsolutePath();
      Path config = config("refresh-bench-derby", idp, upstream,
          "storage: {derby_directory: " + derby + "}");
      try (GatewayProcess gateway = GatewayProcess.start("refresh-bench-derby", config, Map.of())) {
        gateway.awaitReady(Duration.ofSeconds(300));
        return storms("1 gateway, embedded Derby", idp, List.of(gateway, gateway));
      }
    } finally {
      idp.shutdown();
    }
  }

  private static boolean postgres() throws Exception {
    MockOAuth2Server idp = idp();
    try (PostgresServer postgres = PostgresServer.start();
        TokenCheckingUpstream upstream = new TokenCheckingUpstream()) {
      Path directory = Files.createDirectories(Path.of("target/it-config"));
      Path commands = Files.writeString(directory.resolve("refresh-bench-pool.asadmin"),
          String.join("\n", "create-jdbc-connection-pool --datasourceclassname"
              + " org.postgresql.ds.PGSimpleDataSource --restype javax.sql.DataSource --property"
              + " serverName=127.0.0.1:portNumber=" + postgres.port() + ":databaseName=postgres"
              + ":user=torii:password=unused-trust-auth torii-pool",
              "create-jdbc-resource --connectionpoolid torii-pool jdbc/torii", ""));
      Path config = config("refresh-bench-postgres", idp, upstream,
          "storage: {datasource: jdbc/torii}");
      String driver = Path.of(org.postgresql.Driver.class.getProtectionDomain().getCodeSource()
          .getLocation().toURI()).toString();
      List<String> options = List.of("--addlibs", driver, "--postbootcommandfile",
          commands.toString());
      // The first node migrates the schema alone; the second starts once it is ready.
      try (GatewayProcess first = GatewayProcess.start("refresh-bench-pg-1", config, Map.of(),
          options)) {
        first.awaitReady(Duration.ofSeconds(300));
        // Both nodes are one gateway: the same public URL (the tokens' resource), one database.
        String publicUrl = first.uri("").toString().replaceAll("/$", "");
        try (GatewayProcess second = GatewayProcess.start("refresh-bench-pg-2", config,
            Map.of("TORII_PUBLIC_URL", publicUrl), options)) {
          second.awaitReady(Duration.ofSeconds(300));
          return storms("2 gateways, one PostgreSQL", idp, List.of(first, second));
        }
      }
    } finally {
      idp.shutdown();
    }
  }

  private static MockOAuth2Server idp() {
    MockOAuth2Server idp = new MockOAuth2Server(new OAuth2Config(false, null, null, true));
    idp.start(InetAddress.getLoopbackAddress(), 0);
    return idp;
  }

  private static Path config(String name, MockOAuth2Server idp, TokenCheckingUpstream upstream,
      String storage) throws Exception {
    String spec = SpecCorpus.named("petstore-v3.yaml").root().toAbsolutePath().normalize()
        .toString();
    return Files.writeString(Files.createDirectories(Path.of("target/it-config"))
        .resolve(name + ".yaml"), String.join("\n",
            "public_url: ${TORII_PUBLIC_URL}",
            "backends:",
            "  - name: crm",
            "    spec_url: " + spec,
            "    base_url: " + upstream.uri() + "/api/v3",
            "    auth: {type: oauth2, issuer: \"" + idp.issuerUrl("idp") + "\","
                + " client_id: torii-gw, client_secret: gw-secret-123, scopes: [openid],"
                + " refresh_skew: 1}",
            storage,
            "sealing: {keys: [{id: k, secret: AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=}]}",
            // One user drives the whole storm: the per-user limits would refuse most of it.
            "limits: {user_calls_per_minute: 100000000, user_calls_in_flight: 1024}", ""));
  }

  /** Signs in once, then storms the nodes after each expiry; true if a round failed. */
  private static boolean storms(String setup, MockOAuth2Server idp, List<GatewayProcess> nodes)
      throws Exception {
    idp.enqueueCallback(new DefaultOAuth2TokenCallback("idp", "alice", "JWT", List.of("crm"),
        Map.of(), LIFETIME));
    String mcpToken = new BrokeredSignIn(nodes.get(0)).register().mcpToken("crm");
    long issued = System.nanoTime();
    for (GatewayProcess node : nodes) {
      check(BrokeredSignIn.call(node, "crm", mcpToken, "getPetById", "{\"petId\": 7}"));
    }
    boolean failed = false;
    for (int round = 1; round <= ROUNDS; round++) {
      long expiry = issued + TimeUnit.SECONDS.toNanos(LIFETIME);
      sleepUntil(expiry + TimeUnit.MILLISECONDS.toNanos(300));
      refreshGrants(idp);
      Round result = storm(mcpToken, nodes);
      issued = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(result.wallMillis());
      int refreshes = result.refreshes() + refreshGrants(idp);
      System.out.printf("%-28s round %d: %d/%d calls OK, %d refresh request(s) at the IdP,"
          + " storm %d ms (latency p50 %d ms, max %d ms)%n", setup, round, result.ok(),
          result.calls(), refreshes, result.wallMillis(), result.p50(), result.max());
      failed |= refreshes != 1 || result.ok() != result.calls();
    }
    return failed;
  }

  private static Round storm(String mcpToken, List<GatewayProcess> nodes) throws Exception {
    List<CompletableFuture<Long>> calls = new ArrayList<>();
    long start = System.nanoTime();
    for (int i = 0; i < CALLS; i++) {
      GatewayProcess node = nodes.get(i % nodes.size());
      long sent = System.nanoTime();
      calls.add(CLIENT.sendAsync(HttpRequest.newBuilder(node.uri("/mcp/crm"))
          .header("Authorization", "Bearer " + mcpToken).header("Content-Type", "application/json")
          .header("Accept", "application/json, text/event-stream")
          .header("MCP-Protocol-Version", "2025-11-25")
          .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\": \"2.0\", \"id\": " + i
              + ", \"method\": \"tools/call\", \"params\": {\"name\": \"getPetById\","
              + " \"arguments\": {\"petId\": 7}}}")).build(),
          HttpResponse.BodyHandlers.ofString()).thenApply(answer -> ok(answer)
              ? (System.nanoTime() - sent) / 1_000_000 : -1L));
    }
    List<Long> latencies = new ArrayList<>();
    int ok = 0;
    for (CompletableFuture<Long> call : calls) {
      long millis = call.get(120, TimeUnit.SECONDS);
      if (millis >= 0) {
        ok++;
        latencies.add(millis);
      }
    }
    long wall = (System.nanoTime() - start) / 1_000_000;
    Collections.sort(latencies);
    long p50 = latencies.isEmpty() ? -1 : latencies.get(latencies.size() / 2);
    long max = latencies.isEmpty() ? -1 : latencies.get(latencies.size() - 1);
    return new Round(CALLS, ok, 0, wall, p50, max);
  }

  private static boolean ok(HttpResponse<String> answer) {
    return answer.statusCode() == 200 && answer.body().contains("rex")
        && !answer.body().contains("\"isError\":true");
  }

  private static void check(HttpResponse<String> answer) {
    if (!ok(answer)) {
      throw new IllegalStateException("warm-up call: HTTP " + answer.statusCode() + " "
          + answer.body());
    }
  }

  private static void sleepUntil(long nanoTime) throws InterruptedException {
    long left = nanoTime - System.nanoTime();
    if (left > 0) {
      TimeUnit.NANOSECONDS.sleep(left);
    }
  }

  /** The refresh grants the provider received since the last look. */
  private static int refreshGrants(MockOAuth2Server idp) {
    int grants = 0;
    while (true) {
      RecordedRequest request;
      try {
        request = idp.takeRequest(300, TimeUnit.MILLISECONDS);
      } catch (RuntimeException none) {
        return grants;
      }
      if (request.getBody().readUtf8().contains("grant_type=refresh_token")) {
        grants++;
      }
    }
  }
}
