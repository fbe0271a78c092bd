package dev.toriimcp.oauth;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.toriimcp.testing.BrokeredSignIn;
import dev.toriimcp.testing.Forms;
import dev.toriimcp.testing.GatewayProcess;
import dev.toriimcp.testing.RecordingServer;
import dev.toriimcp.testing.TokenEndpointStub;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.UUID;
import java.util.stream.Stream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Map;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.OAuth2Config;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the oauth2 sign-in refuses (issue 13 acceptance, ADR 0020), one case per test, each with
 * its exact answer: a callback whose {@code state} is missing, used, from another browser's
 * sign-in or for another backend; an {@code iss} that is not the provider's; the provider's
 * {@code access_denied}; a refused code redemption or client secret; a provider that is down at
 * the callback or cannot be discovered at {@code /authorize}; ID tokens with a bad signature,
 * another audience, another nonce, or expired; and the provider's tokens are nowhere in clear
 * (Derby files, pages, the gateway's log). The provider is mock-oauth2-server in
 * the test JVM; token answers it would not give are queued on a {@link TokenEndpointStub} in
 * front of its token endpoint.
 */
class BrokeredSignInNegativeIT {

  private static final String CLIENT = "torii-gw";
  private static MockOAuth2Server idp;
  private static RecordingServer upstream;
  private static GatewayProcess gateway;
  private static String issuer;
  private static TokenEndpointStub tokens;
  private static Path derby;

  @BeforeAll
  static void start() throws Exception {
    idp = new MockOAuth2Server(new OAuth2Config(false, null, null, true));
    idp.start(InetAddress.getLoopbackAddress(), 0);
    issuer = idp.issuerUrl("idp").toString();
    BrokeredSignIn.warmUp(idp.wellKnownUrl("idp").uri(), idp.jwksUrl("idp").uri());
    upstream = new RecordingServer();
    int closed;
    try (ServerSocket socket = new ServerSocket(0)) {
      closed = socket.getLocalPort();
    }
    String client = "client_id: " + CLIENT + ", client_secret: gw-secret-123";
    tokens = new TokenEndpointStub(URI.create(idp.tokenEndpointUrl("idp").toString()));
    derby = Path.of("target/it-data/brokered-sign-in-negative-" + System.nanoTime());
    Path config = BrokeredSignIn.config("brokered-sign-in-negative", derby,
        // crm's token endpoint is the stub in front of the provider's, so tests can queue answers.
        new BrokeredSignIn.Backend("crm", upstream.uri() + "/api/v3",
            "{type: oauth2, issuer: \"" + issuer + "\", authorization_endpoint: \""
                + idp.authorizationEndpointUrl("idp") + "\", token_endpoint: \"" + tokens.uri()
                + "\", jwks_uri: \"" + idp.jwksUrl("idp") + "\", " + client
                + ", scopes: [openid]}"),
        new BrokeredSignIn.Backend("other", upstream.uri() + "/api/v3",
            "{type: oauth2, issuer: \"" + idp.issuerUrl("idp2") + "\", " + client
                + ", scopes: [openid]}"),
        new BrokeredSignIn.Backend("down", upstream.uri() + "/api/v3",
            "{type: oauth2, issuer: \"" + issuer + "\", authorization_endpoint: \""
                + idp.authorizationEndpointUrl("idp") + "\", token_endpoint:"
                + " \"http://127.0.0.1:" + closed + "/token\", jwks_uri: \"" + idp.jwksUrl("idp")
                + "\", " + client + ", scopes: [openid]}"),
        // An identity provider that is not there at start nor later.
        new BrokeredSignIn.Backend("gone", upstream.uri() + "/api/v3",
            "{type: oauth2, issuer: \"http://127.0.0.1:" + closed + "/idp\", " + client
                + ", scopes: [openid]}"));
    gateway = GatewayProcess.start("brokered-sign-in-negative", config, Map.of());
    gateway.awaitReady(Duration.ofSeconds(600)); // a loaded 2-core machine boots slowly
  }

  @AfterAll
  static void stop() {
    if (gateway != null) {
      gateway.close();
    }
    if (upstream != null) {
      upstream.close();
    }
    if (tokens != null) {
      tokens.close();
    }
    if (idp != null) {
      idp.shutdown();
    }
  }

  /** A sign-in sent to the provider: the browser and the provider's authorization request. */
  private record Started(BrokeredSignIn browser, URI authorization) {
    Map<String, String> request() {
      return Forms.query(authorization);
    }

    String state() {
      return request().get("state");
    }

    HttpResponse<String> callback(String backend, String query) throws Exception {
      return browser.get(gateway.uri("/oauth/callback/" + backend + "?" + query));
    }
  }

  private static Started started(BrokeredSignIn browser, String backend) throws Exception {
    HttpResponse<String> toProvider = browser.authorize(backend);
    assertThat(toProvider.statusCode()).as(toProvider.body()).isEqualTo(303);
    return new Started(browser, BrokeredSignIn.location(toProvider));
  }

  private static Started started(String backend) throws Exception {
    return started(new BrokeredSignIn(gateway).register(), backend);
  }

  private static Started startedTrusted(String backend) throws Exception {
    return started(new BrokeredSignIn(gateway).configured(), backend);
  }

  @Test
  void aCallbackWithoutStateEndsOnAPage() throws Exception {
    started("crm");
    HttpResponse<String> answer = new BrokeredSignIn(gateway).get(
        gateway.uri("/oauth/callback/crm?code=abc"));

    assertThat(answer.statusCode()).isEqualTo(400);
    assertThat(answer.body()).contains("has no valid state");
    assertThat(answer.headers().firstValue("Location")).isEmpty();
  }

  @Test
  void aReplayedCallbackIsRefused() throws Exception {
    idp.enqueueCallback(new DefaultOAuth2TokenCallback("idp", "replayed-user"));
    BrokeredSignIn browser = new BrokeredSignIn(gateway).register();
    HttpResponse<String> toCallback = browser.follow(browser.authorize("crm"));
    URI callback = BrokeredSignIn.location(toCallback);
    assertThat(browser.get(callback).statusCode()).isEqualTo(303);

    HttpResponse<String> replayed = browser.get(callback);

    assertThat(replayed.statusCode()).isEqualTo(400);
    assertThat(replayed.body()).contains("This sign-in has expired")
        .contains("or it was used already");
  }

  @Test
  void aStateOfAnotherBrowsersSignInIsUnknownHere() throws Exception {
    Started victim = started("crm");
    Started attacker = started("crm");

    HttpResponse<String> planted = victim.callback("crm", "code=attackers-code&state="
        + Forms.enc(attacker.state()));

    assertThat(planted.statusCode()).isEqualTo(400);
    assertThat(planted.body()).contains("does not belong to a sign-in started in this browser");
    // The victim's own sign-in is untouched and still completes.
    idp.enqueueCallback(new DefaultOAuth2TokenCallback("idp", "victim"));
    HttpResponse<String> toCallback = victim.browser().get(victim.authorization());
    assertThat(victim.browser().follow(toCallback).statusCode()).isEqualTo(303);
  }

  @Test
  void aStateOfAnotherBackendEndsThatSignIn() throws Exception {
    Started started = started("crm");

    HttpResponse<String> wrongBackend = started.callback("other", "code=abc&state="
        + Forms.enc(started.state()));

    assertThat(wrongBackend.statusCode()).isEqualTo(400);
    assertThat(wrongBackend.body()).contains("does not belong to this sign-in")
        .contains("id=\"return\" href=\"http://127.0.0.1/callback?error=server_error");
    assertThat(started.callback("crm", "code=abc&state=" + Forms.enc(started.state()))
        .statusCode()).isEqualTo(400);
    assertThat(gateway.output()).contains("the answer came to the callback of backend 'other'");
  }

  @Test
  void anIssOfAnotherProviderIsRefused() throws Exception {
    Started started = startedTrusted("crm");

    HttpResponse<String> mixedUp = started.callback("crm", "code=abc&state="
        + Forms.enc(started.state()) + "&iss=" + Forms.enc("https://evil.example"));

    assertThat(mixedUp.statusCode()).isEqualTo(303);
    Map<String, String> error = Forms.query(BrokeredSignIn.location(mixedUp));
    assertThat(BrokeredSignIn.location(mixedUp).toString())
        .startsWith("https://client.example/cb?");
    assertThat(error).containsEntry("error", "server_error")
        .containsEntry("error_description",
            "the backend's identity provider answered for another sign-in")
        .containsEntry("state", "client-state");
    assertThat(gateway.output()).contains("iss is not the provider's issuer");
  }

  @Test
  void accessDeniedAtTheProviderPassesThroughToATrustedClient() throws Exception {
    Started started = startedTrusted("crm");

    HttpResponse<String> denied = started.callback("crm", "error=access_denied&state="
        + Forms.enc(started.state()) + "&error_description=" + Forms.enc("<script>x</script>"));

    assertThat(denied.statusCode()).isEqualTo(303);
    Map<String, String> error = Forms.query(BrokeredSignIn.location(denied));
    assertThat(error).containsEntry("error", "access_denied")
        .containsEntry("error_description",
            "the user did not sign in at the backend's identity provider")
        .containsEntry("state", "client-state").containsKey("iss");
  }

  @Test
  void accessDeniedAtTheProviderEndsOnAPageForAnUntrustedClient() throws Exception {
    Started started = started("crm");

    HttpResponse<String> denied = started.callback("crm", "error=access_denied&state="
        + Forms.enc(started.state()) + "&error_description=" + Forms.enc("<script>x</script>"));

    assertThat(denied.statusCode()).isEqualTo(403);
    assertThat(denied.body()).contains("You did not sign in")
        .contains("The sign-in at crm was cancelled or refused.")
        .contains("href=\"http://127.0.0.1/callback?error=access_denied&amp;")
        .doesNotContain("<script>");
    assertThat(denied.headers().firstValue("Location")).isEmpty();
  }

  @Test
  void aRefusedCodeRedemptionIsAServerErrorForTheClient() throws Exception {
    Started started = startedTrusted("crm");
    tokens.answerNext(400, "{\"error\": \"invalid_grant\","
        + " \"error_description\": \"<b>code expired</b>\"}");

    HttpResponse<String> refused = started.callback("crm", "code=abc&state="
        + Forms.enc(started.state()));

    assertThat(refused.statusCode()).isEqualTo(303);
    assertThat(Forms.query(BrokeredSignIn.location(refused)))
        .containsEntry("error", "server_error")
        .containsEntry("error_description",
            "the backend's identity provider did not complete the sign-in");
    assertThat(gateway.output()).contains("refused the code redemption with invalid_grant");
  }

  @Test
  void aBadClientSecretEndsOnAPageWithoutTheProvidersText() throws Exception {
    Started started = started("crm");
    tokens.answerNext(401, "{\"error\": \"invalid_client\","
        + " \"error_description\": \"<b>bad secret</b>\"}");

    HttpResponse<String> refused = started.callback("crm", "code=abc&state="
        + Forms.enc(started.state()));

    assertThat(refused.statusCode()).isEqualTo(502);
    assertThat(refused.body()).contains("The sign-in service of crm did not complete the sign-in.")
        .doesNotContain("bad secret").doesNotContain("invalid_client");
    assertThat(gateway.output()).contains("refused the code redemption with invalid_client");
  }

  @Test
  void aProviderThatIsDownAtTheCallbackIsTemporarilyUnavailable() throws Exception {
    Started trusted = startedTrusted("down");
    HttpResponse<String> redirected = trusted.callback("down", "code=abc&state="
        + Forms.enc(trusted.state()));
    Started untrusted = started("down");
    HttpResponse<String> page = untrusted.callback("down", "code=abc&state="
        + Forms.enc(untrusted.state()));

    assertThat(redirected.statusCode()).isEqualTo(303);
    assertThat(Forms.query(BrokeredSignIn.location(redirected)))
        .containsEntry("error", "temporarily_unavailable")
        .containsEntry("error_description", "the backend's identity provider cannot be reached");
    assertThat(page.statusCode()).isEqualTo(503);
    assertThat(page.body()).contains("The sign-in service of down cannot be reached.");
  }

  @Test
  void aProviderThatCannotBeDiscoveredStopsTheSignInAtAuthorize() throws Exception {
    HttpResponse<String> redirected = new BrokeredSignIn(gateway).configured().authorize("gone");
    HttpResponse<String> page = new BrokeredSignIn(gateway).register().authorize("gone");

    assertThat(redirected.statusCode()).isEqualTo(303);
    assertThat(Forms.query(BrokeredSignIn.location(redirected)))
        .containsEntry("error", "temporarily_unavailable")
        .containsEntry("error_description",
            "the identity provider of this backend cannot be reached")
        .containsEntry("state", "client-state");
    assertThat(page.statusCode()).isEqualTo(503);
    assertThat(page.body()).contains("The sign-in service of gone cannot be reached.");
  }

  @Test
  void anIdTokenWithABadSignatureIsRefused() throws Exception {
    Started started = started("crm");
    String kid = JWKSet.load(idp.jwksUrl("idp").url()).getKeys().get(0).getKeyID();
    SignedJWT forged = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(kid).build(),
        claims(started.request().get("nonce"), CLIENT, 3600));
    forged.sign(new RSASSASigner(new RSAKeyGenerator(2048).keyID(kid).generate()));

    assertRefusedIdToken(started, forged.serialize(), "Invalid signature");
  }

  @Test
  void anIdTokenForAnotherAudienceIsRefused() throws Exception {
    Started started = started("crm");
    assertRefusedIdToken(started, idToken(started.request().get("nonce"), "someone-else", 3600),
        "audience");
  }

  @Test
  void anIdTokenWithAnotherNonceIsRefused() throws Exception {
    Started started = started("crm");
    assertRefusedIdToken(started, idToken("not-the-nonce", CLIENT, 3600), "nonce");
  }

  @Test
  void anExpiredIdTokenIsRefused() throws Exception {
    Started started = started("crm");
    assertRefusedIdToken(started, idToken(started.request().get("nonce"), CLIENT, -600),
        "Expired JWT");
  }

  @Test
  void theProvidersTokensAreNowhereInClear() throws Exception {
    BrokeredSignIn browser = new BrokeredSignIn(gateway).register();
    HttpResponse<String> toProvider = browser.authorize("crm");
    String nonce = Forms.query(BrokeredSignIn.location(toProvider)).get("nonce");
    HttpResponse<String> toCallback = browser.follow(toProvider);
    String access = "idp-access-" + UUID.randomUUID();
    String refresh = "idp-refresh-" + UUID.randomUUID();
    String idToken = idp.issueToken("idp", "torii-gw", new DefaultOAuth2TokenCallback("idp", "bob",
        "JWT", List.of("torii-gw"), Map.of("nonce", nonce), 3600)).serialize();
    tokens.answerNext(200, "{\"access_token\": \"" + access + "\", \"token_type\": \"Bearer\","
            + " \"expires_in\": 3600, \"refresh_token\": \"" + refresh + "\", \"id_token\": \""
            + idToken + "\"}");

    List<HttpResponse<String>> answers = new ArrayList<>();
    answers.add(browser.follow(toCallback));
    answers.add(browser.follow(answers.get(0)));
    answers.add(browser.approve(answers.get(1)));
    String mcpToken = (String) browser.redeem(answers.get(2)).get("access_token");
    answers.add(BrokeredSignIn.call(gateway, "crm", mcpToken, "getPetById", "{\"petId\": 8}"));

    assertThat(upstream.take().header("Authorization")).isEqualTo("Bearer " + access);
    for (HttpResponse<String> answer : answers) {
      assertThat(answer.body() + answer.headers().map()).doesNotContain(access)
          .doesNotContain(refresh);
    }
    assertThat(gateway.output()).doesNotContain(access).doesNotContain(refresh)
        .doesNotContain(idToken);
    List<Path> files;
    try (Stream<Path> walk = Files.walk(derby)) {
      files = walk.filter(Files::isRegularFile).toList();
    }
    assertThat(files).isNotEmpty();
    long scanned = 0;
    for (Path file : files) {
      String bytes = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
      scanned += bytes.length();
      assertThat(bytes).as(file.toString()).doesNotContain(access).doesNotContain(refresh);
    }
    assertThat(scanned).isGreaterThan(100_000);
  }

  private static void assertRefusedIdToken(Started started, String idToken, String reason)
      throws Exception {
    tokens.answerNext(200, "{\"access_token\": \"at-" + System.nanoTime() + "\","
        + " \"token_type\": \"Bearer\", \"expires_in\": 3600, \"id_token\": \"" + idToken + "\"}");

    HttpResponse<String> refused = started.callback("crm", "code=abc&state="
        + Forms.enc(started.state()));

    assertThat(refused.statusCode()).isEqualTo(502);
    assertThat(refused.body()).contains("The answer of crm&#39;s sign-in service could not be"
        + " verified.");
    assertThat(gateway.output()).containsPattern("the ID token is not valid \\([^)]*" + reason);
  }

  /** An ID token signed by the provider's own key. */
  private static String idToken(String nonce, String audience, long lifetimeSeconds) {
    return idp.issueToken("idp", CLIENT, new DefaultOAuth2TokenCallback("idp", "alice", "JWT",
        List.of(audience), Map.of("nonce", nonce), lifetimeSeconds)).serialize();
  }

  private static JWTClaimsSet claims(String nonce, String audience, long lifetimeSeconds) {
    Date now = new Date();
    return new JWTClaimsSet.Builder().issuer(issuer).subject("alice").audience(audience)
        .issueTime(now).expirationTime(new Date(now.getTime() + lifetimeSeconds * 1000))
        .claim("nonce", nonce).build();
  }

}
