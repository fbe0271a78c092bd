package dev.toriimcp.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.toriimcp.configuration.entity.SealingSettings;
import dev.toriimcp.platform.control.TestStorage;
import dev.toriimcp.sealing.entity.SealingKey;
import dev.toriimcp.testing.BrokeredSignIn;
import dev.toriimcp.testing.GatewayProcess;
import dev.toriimcp.testing.TestGateway;
import dev.toriimcp.testing.TokenCheckingUpstream;
import dev.toriimcp.upstream.entity.BrokeredTokens;
import dev.toriimcp.upstream.entity.UpstreamCredential;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.OAuth2Config;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Silent refresh on the deployed WAR (issue 13, ADR 0021): with 5-second upstream tokens from a
 * real OAuth server (mock-oauth2-server, rotating refresh tokens) and an upstream that refuses
 * expired tokens, a session of tool calls over 30 seconds keeps working without any browser; the
 * provider received refresh grants; and the refresh token stored sealed in the gateway's Derby
 * database, opened here with the test configuration's key, is the last one the provider issued.
 */
class SilentRefreshIT {

  private static final String SECRET = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
  private static final Pattern REFRESH = Pattern.compile("refresh_token=([^&]+)");

  private static MockOAuth2Server idp;
  private static TokenCheckingUpstream upstream;
  private static GatewayProcess gateway;
  private static Path derby;

  @BeforeAll
  static void start() throws Exception {
    idp = new MockOAuth2Server(new OAuth2Config(false, null, null, true));
    idp.start(InetAddress.getLoopbackAddress(), 0);
    upstream = new TokenCheckingUpstream();
    derby = Path.of("target/it-data/silent-refresh-" + System.nanoTime()).toAbsolutePath();
    Path config = BrokeredSignIn.config("silent-refresh", derby,
        new BrokeredSignIn.Backend("crm", upstream.uri() + "/api/v3",
            "{type: oauth2, issuer: \"" + idp.issuerUrl("idp") + "\", client_id: torii-gw,"
                + " client_secret: gw-secret-123, scopes: [openid], refresh_skew: 1}"));
    gateway = GatewayProcess.start("silent-refresh", config, Map.of());
    gateway.awaitReady(Duration.ofSeconds(300));
  }

  @AfterAll
  static void stop() {
    if (gateway != null) {
      gateway.close();
    }
    if (upstream != null) {
      upstream.close();
    }
    if (idp != null) {
      idp.shutdown();
    }
  }

  @Test
  void aSessionOfCallsOverThirtySecondsKeepsWorkingOnRefreshedTokens() throws Exception {
    idp.enqueueCallback(new DefaultOAuth2TokenCallback("idp", "alice", "JWT", List.of("crm"),
        Map.of(), 5));
    String mcpToken = new BrokeredSignIn(gateway).register().mcpToken("crm");
    drainRequests();

    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    int calls = 0;
    while (System.nanoTime() < end) {
      HttpResponse<String> called = BrokeredSignIn.call(gateway, "crm", mcpToken, "getPetById",
          "{\"petId\": 7}");
      assertThat(called.statusCode()).as("call %d: %s", calls, called.body()).isEqualTo(200);
      assertThat(called.body()).as("call %d", calls).contains("rex")
          .doesNotContain("isError\":true");
      calls++;
      Thread.sleep(700);
    }

    List<String> spent = refreshTokensSpent();
    LinkedHashSet<String> accessTokens = new LinkedHashSet<>(upstream.seen());
    assertThat(calls).isGreaterThanOrEqualTo(25);
    assertThat(spent).as("refresh grants in 30 s of 5 s tokens").hasSizeBetween(5, 12);
    // One new access token per refresh (plus the first, unless the first call refreshed it).
    assertThat(accessTokens.size()).as("distinct access tokens upstream")
        .isBetween(spent.size(), spent.size() + 1);
    assertThat(new LinkedHashSet<>(spent)).as("each refresh token is used once (rotation)")
        .hasSameSizeAs(spent);

    gateway.stop(Duration.ofSeconds(60));
    BrokeredTokens stored = storedTokens("alice", "crm");
    assertThat(stored.accessToken()).isEqualTo(upstream.seen().get(upstream.seen().size() - 1));
    assertThat(spent).as("the stored refresh token is a new one").doesNotContain(
        stored.refreshToken());
    // ... and the one the provider issued last: it accepts it (it refuses every spent one).
    assertThat(refreshAtTheProvider(stored.refreshToken())).isEqualTo(200);
    assertThat(refreshAtTheProvider(spent.get(spent.size() - 1))).isEqualTo(400);
  }

  private static void drainRequests() {
    while (true) {
      try {
        idp.takeRequest(200, TimeUnit.MILLISECONDS);
      } catch (RuntimeException none) {
        return;
      }
    }
  }

  /** The refresh tokens of the refresh grants the provider received, in order. */
  private static List<String> refreshTokensSpent() {
    List<String> spent = new ArrayList<>();
    while (true) {
      RecordedRequest request;
      try {
        request = idp.takeRequest(200, TimeUnit.MILLISECONDS);
      } catch (RuntimeException none) {
        return spent;
      }
      String body = request.getBody().readUtf8();
      Matcher token = REFRESH.matcher(body);
      if (body.contains("grant_type=refresh_token") && token.find()) {
        spent.add(URLDecoder.decode(token.group(1), StandardCharsets.UTF_8));
      }
    }
  }

  private static BrokeredTokens storedTokens(String subject, String backend) {
    try (TestStorage database = TestStorage.existing(derby)) {
      UpstreamCredential row = database.storage().inTransaction(em ->
          em.find(UpstreamCredential.class, new UpstreamCredential.Key(subject, backend)));
      assertThat(row).as("the credential row").isNotNull();
      SealingSettings keys = new SealingSettings(
          List.of(new SealingKey("k", Base64.getDecoder().decode(SECRET))), "k");
      return BrokeredTokens.fromBytes(
          TestGateway.sealing(keys).sealer().open(row.sealed(), backend, subject));
    }
  }

  private static int refreshAtTheProvider(String refreshToken) throws Exception {
    URI token = URI.create(idp.tokenEndpointUrl("idp").toString());
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(token)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
            "torii-gw:gw-secret-123".getBytes(StandardCharsets.UTF_8)))
        .POST(HttpRequest.BodyPublishers.ofString("grant_type=refresh_token&refresh_token="
            + java.net.URLEncoder.encode(refreshToken, StandardCharsets.UTF_8))).build(),
        HttpResponse.BodyHandlers.ofString()).statusCode();
  }
}
