package dev.toriimcp.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.toriimcp.testing.BrokeredSignIn;
import dev.toriimcp.testing.GatewayProcess;
import dev.toriimcp.testing.TokenCheckingUpstream;
import java.net.InetAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.OAuth2Config;
import no.nav.security.mock.oauth2.http.OAuth2HttpRequest;
import no.nav.security.mock.oauth2.http.OAuth2HttpResponse;
import no.nav.security.mock.oauth2.http.Route;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import okhttp3.Headers;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What silent refresh does when things go wrong, on the deployed WAR (issue 13, ADR 0021), each
 * backend with its own real OAuth server (mock-oauth2-server): an upstream 401 leads to one
 * refresh and one retry, and a second 401 to the MCP 401 challenge; a refresh refused with
 * {@code invalid_grant} answers the MCP 401 challenge and revokes the grant; an identity
 * provider that is down at refresh time is a tool error, audited, and the grant survives.
 */
class RefreshFailureIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final java.util.concurrent.atomic.AtomicBoolean REVOKED =
      new java.util.concurrent.atomic.AtomicBoolean();

  /**
   * Once {@link #REVOKED}, the provider answers every refresh grant as a provider does for a
   * revoked refresh token (RFC 6749 §5.2); until then mock-oauth2-server's own routes answer.
   */
  private static final class RevokedRefreshTokens implements Route {
    @Override
    public boolean match(OAuth2HttpRequest request) {
      return REVOKED.get() && request.getMethod().equals("POST")
          && request.getBody() != null && request.getBody().contains("grant_type=refresh_token");
    }

    @Override
    public OAuth2HttpResponse invoke(OAuth2HttpRequest request) {
      return new OAuth2HttpResponse(Headers.of("Content-Type", "application/json"), 400,
          "{\"error\": \"invalid_grant\", \"error_description\": \"revoked\"}", null);
    }
  }

  private static MockOAuth2Server flakyIdp;
  private static MockOAuth2Server revokingIdp;
  private static MockOAuth2Server downIdp;
  private static TokenCheckingUpstream upstream;
  private static GatewayProcess gateway;

  @BeforeAll
  static void start() throws Exception {
    flakyIdp = idp();
    revokingIdp = new MockOAuth2Server(new OAuth2Config(false, null, null, true),
        new RevokedRefreshTokens());
    revokingIdp.start(InetAddress.getLoopbackAddress(), 0);
    downIdp = idp();
    upstream = new TokenCheckingUpstream();
    Path derby = Path.of("target/it-data/refresh-failure-" + System.nanoTime()).toAbsolutePath();
    Path config = BrokeredSignIn.config("refresh-failure", derby,
        backend("flaky", flakyIdp), backend("revoking", revokingIdp), backend("down", downIdp));
    gateway = GatewayProcess.start("refresh-failure", config, Map.of());
    gateway.awaitReady(Duration.ofSeconds(300));
  }

  private static MockOAuth2Server idp() {
    MockOAuth2Server idp = new MockOAuth2Server(new OAuth2Config(false, null, null, true));
    idp.start(InetAddress.getLoopbackAddress(), 0);
    return idp;
  }

  private static BrokeredSignIn.Backend backend(String name, MockOAuth2Server idp) {
    return new BrokeredSignIn.Backend(name, upstream.uri() + "/" + name,
        "{type: oauth2, issuer: \"" + idp.issuerUrl("idp") + "\", client_id: torii-gw,"
            + " client_secret: gw-secret-123, scopes: [openid], refresh_skew: 1}");
  }

  @AfterAll
  static void stop() {
    if (gateway != null) {
      gateway.close();
    }
    if (upstream != null) {
      upstream.close();
    }
    for (MockOAuth2Server idp : new MockOAuth2Server[] {flakyIdp, revokingIdp, downIdp}) {
      if (idp != null) {
        idp.shutdown();
      }
    }
  }

  private static String signIn(MockOAuth2Server idp, String backend, String subject,
      long lifetimeSeconds) throws Exception {
    idp.enqueueCallback(new DefaultOAuth2TokenCallback("idp", subject, "JWT", List.of(backend),
        Map.of(), lifetimeSeconds));
    String mcpToken = new BrokeredSignIn(gateway).register().mcpToken(backend);
    refreshGrants(idp);
    return mcpToken;
  }

  private static HttpResponse<String> call(String backend, String mcpToken) throws Exception {
    return BrokeredSignIn.call(gateway, backend, mcpToken, "getPetById", "{\"petId\": 7}");
  }

  @Test
  void anUpstream401IsRefreshedAndRetriedOnceThenTheClientIsAskedToAuthorize() throws Exception {
    String mcpToken = signIn(flakyIdp, "flaky", "alice", 300);
    assertThat(call("flaky", mcpToken).statusCode()).isEqualTo(200);
    String first = upstream.seen().get(upstream.seen().size() - 1);
    upstream.refuse(first); // e.g. revoked at the provider before its expiry

    HttpResponse<String> retried = call("flaky", mcpToken);

    assertThat(retried.statusCode()).as(retried.body()).isEqualTo(200);
    assertThat(retried.body()).contains("rex");
    List<String> seen = upstream.seen();
    assertThat(seen.get(seen.size() - 2)).isEqualTo(first);
    assertThat(seen.get(seen.size() - 1)).isNotEqualTo(first);
    assertThat(refreshGrants(flakyIdp)).isEqualTo(1);

    upstream.refuseAll();
    int before = upstream.seen().size();
    HttpResponse<String> refused = call("flaky", mcpToken);
    assertThat(refused.statusCode()).isEqualTo(401);
    assertThat(refused.headers().firstValue("WWW-Authenticate").orElseThrow())
        .contains("resource_metadata=");
    assertThat(upstream.seen().size() - before).as("the call and one retry").isEqualTo(2);
    assertThat(refreshGrants(flakyIdp)).as("one refresh, not more").isEqualTo(1);
  }

  @Test
  void aRefreshRefusedWithInvalidGrantAnswersTheChallengeAndRevokesTheGrant() throws Exception {
    String mcpToken = signIn(revokingIdp, "revoking", "bob", 2);
    Thread.sleep(2_500);
    REVOKED.set(true); // the user revoked the gateway's access at the provider

    HttpResponse<String> refused = call("revoking", mcpToken);

    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(401);
    assertThat(refused.headers().firstValue("WWW-Authenticate").orElseThrow())
        .contains("resource_metadata=");
    assertThat(refreshGrants(revokingIdp)).isEqualTo(1);
    HttpResponse<String> again = call("revoking", mcpToken);
    assertThat(again.statusCode()).as("the MCP grant is revoked").isEqualTo(401);
    assertThat(refreshGrants(revokingIdp)).as("no credential left to refresh").isZero();
  }

  @Test
  void aProviderDownAtRefreshIsAToolErrorAndTheGrantSurvives() throws Exception {
    String mcpToken = signIn(downIdp, "down", "carol", 2);
    Thread.sleep(2_500);
    downIdp.shutdown();

    HttpResponse<String> failed = call("down", mcpToken);

    assertThat(failed.statusCode()).as(failed.body()).isEqualTo(200);
    JsonNode result = JSON.readTree(failed.body()).path("result");
    assertThat(result.path("isError").asBoolean()).isTrue();
    assertThat(result.at("/content/0/text").asText()).isEqualTo("Backend 'down': its sign-in"
        + " service (identity provider) is unavailable, so the user's sign-in could not be"
        + " renewed. Try again later.");
    assertThat(failed.body()).doesNotContain("Exception").doesNotContain("at dev.");
    HttpResponse<String> again = call("down", mcpToken);
    assertThat(again.statusCode()).as("the grant survives").isEqualTo(200);
    assertThat(again.body()).contains("sign-in service");
    awaitInLog("backend=down tool=getPetById user=carol", "upstream_status=idp-unavailable");
  }

  private static void awaitInLog(String... parts) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < end) {
      for (String line : gateway.output().split("\n")) {
        if (java.util.Arrays.stream(parts).allMatch(line::contains)) {
          return;
        }
      }
      Thread.sleep(200);
    }
    throw new AssertionError("no log line with " + String.join(" and ", parts));
  }

  /** The refresh grants {@code idp} received since the last look. */
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
