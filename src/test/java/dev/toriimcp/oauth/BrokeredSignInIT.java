package dev.toriimcp.oauth;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.SignedJWT;
import dev.toriimcp.testing.BrokeredSignIn;
import dev.toriimcp.testing.Forms;
import dev.toriimcp.testing.GatewayProcess;
import dev.toriimcp.testing.RecordingServer;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.OAuth2Config;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The sign-in of an {@code auth.type: oauth2} backend (issue 13, ADR 0020) on the deployed WAR
 * against a real OAuth 2 / OpenID Connect server in the test JVM (mock-oauth2-server, signing
 * the user in without a page): the gateway sends the browser there with its own PKCE verifier,
 * state and nonce, the callback redeems the code and validates the ID token, and after consent
 * and the MCP code exchange a tool call reaches the upstream with that user's IdP token.
 */
class BrokeredSignInIT {

  private static MockOAuth2Server idp;
  private static RecordingServer upstream;
  private static GatewayProcess gateway;
  private static String issuer;

  @BeforeAll
  static void start() throws Exception {
    idp = new MockOAuth2Server(new OAuth2Config(false, null, null, true));
    idp.start(InetAddress.getLoopbackAddress(), 0);
    issuer = idp.issuerUrl("idp").toString();
    BrokeredSignIn.warmUp(idp.wellKnownUrl("idp").uri(), idp.jwksUrl("idp").uri(),
        idp.wellKnownUrl("hub").uri());
    upstream = new RecordingServer();
    Path derby = Path.of("target/it-data/brokered-sign-in-" + System.nanoTime());
    Path config = BrokeredSignIn.config("brokered-sign-in", derby,
        new BrokeredSignIn.Backend("crm", upstream.uri() + "/api/v3",
            "{type: oauth2, issuer: \"" + issuer + "\", client_id: torii-gw,"
                + " client_secret: gw-secret-123, scopes: [openid, profile]}"),
        // The user named by a user-info ("me") endpoint's answer, as for GitHub (the test
        // provider insists on openid, so here the ID token is checked as well). An issuer of its
        // own, so that the provider's queued users of the two tests never mix.
        new BrokeredSignIn.Backend("hub", upstream.uri() + "/api/v3",
            "{type: oauth2, issuer: \"" + idp.issuerUrl("hub") + "\", client_id: torii-gw,"
                + " client_secret: gw-secret-123, token_endpoint_auth: client_secret_post,"
                + " scopes: [openid], user: {userinfo_url: \"" + idp.userInfoUrl("hub")
                + "\", pointer: /sub}}"));
    gateway = GatewayProcess.start("brokered-sign-in", config, Map.of());
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
    if (idp != null) {
      idp.shutdown();
    }
  }

  @Test
  void theUserSignsInAtTheProviderAndToolCallsCarryTheirProviderToken() throws Exception {
    idp.enqueueCallback(new DefaultOAuth2TokenCallback("idp", "alice"));
    BrokeredSignIn browser = new BrokeredSignIn(gateway).register();

    HttpResponse<String> toProvider = browser.authorize("crm");
    assertThat(toProvider.statusCode()).isEqualTo(303);
    URI authorization = BrokeredSignIn.location(toProvider);
    assertThat(authorization.toString()).startsWith(idp.authorizationEndpointUrl("idp").toString());
    Map<String, String> request = Forms.query(authorization);
    assertThat(request).containsEntry("response_type", "code")
        .containsEntry("client_id", "torii-gw")
        .containsEntry("redirect_uri", gateway.uri("/oauth/callback/crm").toString())
        .containsEntry("code_challenge_method", "S256")
        .containsEntry("scope", "openid profile")
        .containsKeys("code_challenge", "state", "nonce");
    assertThat(request.get("state")).hasSizeGreaterThanOrEqualTo(43).isNotEqualTo("client-state");
    assertThat(request.get("nonce")).hasSizeGreaterThanOrEqualTo(43);

    HttpResponse<String> toCallback = browser.follow(toProvider);
    URI callback = BrokeredSignIn.location(toCallback);
    assertThat(callback.toString()).startsWith(gateway.uri("/oauth/callback/crm?").toString());
    HttpResponse<String> toConsent = browser.get(callback);
    assertThat(toConsent.statusCode()).as(toConsent.body()).isEqualTo(303);
    HttpResponse<String> consent = browser.follow(toConsent);
    assertThat(consent.statusCode()).isEqualTo(200);
    assertThat(consent.body()).contains("Signed in to crm as <b>alice</b>");
    HttpResponse<String> toClient = browser.approve(consent);
    assertThat(BrokeredSignIn.location(toClient).toString()).startsWith(BrokeredSignIn.REDIRECT)
        .contains("state=client-state");
    String mcpToken = (String) browser.redeem(toClient).get("access_token");

    // The IdP was asked with the verifier of the challenge, by the gateway's credentials.
    RecordedRequest tokenRequest = tokenRequest("/idp/token");
    assertThat(tokenRequest.getBody().readUtf8()).contains("grant_type=authorization_code")
        .contains("code_verifier=");
    assertThat(tokenRequest.getHeader("Authorization")).startsWith("Basic ");

    HttpResponse<String> called = BrokeredSignIn.call(gateway, "crm", mcpToken, "getPetById",
        "{\"petId\": 7}");
    assertThat(called.statusCode()).as(called.body()).isEqualTo(200);
    RecordingServer.Received received = upstream.take();
    assertThat(received.rawPath()).isEqualTo("/api/v3/pet/7");
    String authorizationHeader = received.header("Authorization");
    assertThat(authorizationHeader).startsWith("Bearer ").doesNotContain(mcpToken);
    SignedJWT providerToken = SignedJWT.parse(authorizationHeader.substring("Bearer ".length()));
    RSAKey key = (RSAKey) JWKSet.load(idp.jwksUrl("idp").url()).getKeys().get(0);
    assertThat(providerToken.verify(new RSASSAVerifier(key))).isTrue();
    assertThat(providerToken.getJWTClaimsSet().getSubject()).isEqualTo("alice");
    assertThat(providerToken.getJWTClaimsSet().getIssuer()).isEqualTo(issuer);
    assertThat(called.body()).doesNotContain(authorizationHeader.substring(7));

    // The IdP login served this one authorization; the next one in this browser signs in again.
    HttpResponse<String> again = browser.authorize("crm");
    assertThat(again.statusCode()).isEqualTo(303);
    assertThat(BrokeredSignIn.location(again).toString())
        .startsWith(idp.authorizationEndpointUrl("idp").toString());
  }

  @Test
  void aUserInfoEndpointCanNameTheUser() throws Exception {
    idp.enqueueCallback(new DefaultOAuth2TokenCallback("hub", "dave"));
    BrokeredSignIn browser = new BrokeredSignIn(gateway).register();

    HttpResponse<String> toProvider = browser.authorize("hub");
    Map<String, String> request = Forms.query(BrokeredSignIn.location(toProvider));
    assertThat(request).containsEntry("scope", "openid").containsKey("nonce")
        .containsEntry("redirect_uri", gateway.uri("/oauth/callback/hub").toString());
    HttpResponse<String> toConsent = browser.follow(browser.follow(toProvider));
    assertThat(toConsent.statusCode()).as(toConsent.body()).isEqualTo(303);
    HttpResponse<String> consent = browser.follow(toConsent);
    assertThat(consent.body()).contains("Signed in to hub as <b>dave</b>");
    String mcpToken = (String) browser.redeem(browser.approve(consent)).get("access_token");

    assertThat(tokenRequest("/hub/token").getBody().readUtf8())
        .contains("client_secret=gw-secret-123");
    assertThat(BrokeredSignIn.call(gateway, "hub", mcpToken, "getPetById", "{\"petId\": 9}")
        .statusCode()).isEqualTo(200);
    String authorization = upstream.take().header("Authorization");
    assertThat(SignedJWT.parse(authorization.substring("Bearer ".length())).getJWTClaimsSet()
        .getSubject()).isEqualTo("dave");
  }

  /** The IdP's next token request (discovery and key requests are skipped). */
  private static RecordedRequest tokenRequest(String path) throws InterruptedException {
    for (int i = 0; i < 20; i++) {
      RecordedRequest next = idp.takeRequest(5, TimeUnit.SECONDS);
      if (next == null) {
        break;
      }
      if ("POST".equals(next.getMethod()) && next.getPath().startsWith(path)) {
        return next;
      }
    }
    throw new AssertionError("the identity provider received no token request");
  }
}
