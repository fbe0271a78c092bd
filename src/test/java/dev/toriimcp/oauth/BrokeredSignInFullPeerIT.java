package dev.toriimcp.oauth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.SignedJWT;
import dev.toriimcp.testing.Browser;
import dev.toriimcp.testing.BrokeredSignIn;
import dev.toriimcp.testing.Forms;
import dev.toriimcp.testing.GatewayProcess;
import dev.toriimcp.testing.RecordingServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.Writer;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.OAuth2Config;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Issue 13's full-peer acceptance: the official TypeScript MCP SDK (discovery, registration,
 * PKCE, code exchange, then its MCP client) and a real Chromium (the identity provider's
 * interactive login page, then the gateway's consent page) run the whole flow of an
 * {@code oauth2} backend against mock-oauth2-server, and the tool call reaches a real upstream
 * with the IdP's access token of the user who typed their name, never the MCP token.
 */
class BrokeredSignInFullPeerIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path SCRIPT_DIR = Path.of("src/test/node");

  @Test
  void theTypeScriptSdkAndChromiumSignInAtTheProviderAndCallATool() throws Exception {
    assertThat(SCRIPT_DIR.resolve("node_modules/@modelcontextprotocol/sdk")).as(
        "npm packages of src/test/node (installed by .ci/prerequisites: npm ci)").isDirectory();
    MockOAuth2Server idp = new MockOAuth2Server(new OAuth2Config(true, null, null, true));
    idp.start(InetAddress.getLoopbackAddress(), 0);
    String issuer = idp.issuerUrl("idp").toString();
    BrokeredSignIn.warmUp(idp.wellKnownUrl("idp").uri(), idp.jwksUrl("idp").uri());
    try (RecordingServer upstream = new RecordingServer();
        RecordingServer client = new RecordingServer()) {
      Path config = BrokeredSignIn.config("brokered-full-peer",
          Path.of("target/it-data/brokered-full-peer-" + System.nanoTime()),
          new BrokeredSignIn.Backend("crm", upstream.uri() + "/api/v3",
              "{type: oauth2, issuer: \"" + issuer + "\", client_id: torii-gw,"
                  + " client_secret: gw-secret-123, scopes: [openid, profile]}"));
      try (GatewayProcess gateway = GatewayProcess.start("brokered-full-peer", config, Map.of())) {
        gateway.awaitReady(Duration.ofSeconds(600)); // a loaded 2-core machine boots slowly
        String server = gateway.uri("/mcp/crm").toString();
        String redirect = "http://127.0.0.1:" + client.uri().getPort() + "/callback";
        Process node = new ProcessBuilder("node", "brokered-flow.mjs", server, redirect,
            "getPetById", "{\"petId\": 42}").directory(SCRIPT_DIR.toFile())
            .redirectErrorStream(true).start();
        try {
          BufferedReader out = new BufferedReader(new InputStreamReader(node.getInputStream(),
              StandardCharsets.UTF_8));
          String authorizationUrl = JSON.readTree(firstJsonLine(out)).path("authorizationUrl")
              .asText();
          assertThat(authorizationUrl).startsWith(gateway.uri("/authorize?").toString());

          ChromeDriver browser = Browser.start();
          try {
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
            browser.get(authorizationUrl);
            // The identity provider's own sign-in page, reached through the gateway's redirect.
            wait.until(ExpectedConditions.presenceOfElementLocated(By.name("username")));
            assertThat(browser.getCurrentUrl()).startsWith(
                idp.authorizationEndpointUrl("idp").toString());
            browser.findElement(By.name("username")).sendKeys("carol");
            browser.findElement(By.cssSelector("input[type=submit]")).click();
            // Back at the gateway: its consent page, naming the user the IdP signed in.
            wait.until(ExpectedConditions.presenceOfElementLocated(By.id("approve")));
            assertThat(browser.getCurrentUrl()).startsWith(gateway.uri("/authorize/consent")
                .toString());
            assertThat(browser.getPageSource()).contains("Signed in to crm as <b>carol</b>");
            assertThat(browser.findElement(By.id("client-name")).getText())
                .isEqualTo("TypeScript SDK brokered test client");
            browser.findElement(By.id("approve")).click();
            // Quitting right after the click could end the navigation before the redirect
            // reaches the client's callback: wait until the browser is there.
            wait.until(ExpectedConditions.urlContains(redirect));
          } finally {
            browser.quit();
          }
          RecordingServer.Received callback = client.take();
          Map<String, String> query = Forms.parse(callback.rawQuery());
          assertThat(query).containsEntry("state", "ts-sdk-brokered-state")
              .containsEntry("iss", gateway.uri("").toString());
          try (Writer in = node.outputWriter(StandardCharsets.UTF_8)) {
            in.write(query.get("code") + "\n");
          }
          String rest = out.lines().reduce("", (a, b) -> a + b + "\n");
          assertThat(node.waitFor(60, TimeUnit.SECONDS)).isTrue();
          assertThat(node.exitValue()).as(rest).isZero();
          JsonNode result = JSON.readTree(rest.lines().filter(l -> l.startsWith("{"))
              .reduce((a, b) -> b).orElseThrow());
          assertThat(result.path("first").asText()).isEqualTo("REDIRECT");
          assertThat(result.path("second").asText()).isEqualTo("AUTHORIZED");
          assertThat(result.path("tools").toString()).contains("\"getPetById\"");
          assertThat(result.at("/result/isError").asBoolean()).as(rest).isFalse();
          String mcpToken = result.at("/tokens/access_token").asText();
          assertThat(mcpToken).isNotEmpty();

          RecordingServer.Received call = upstream.take();
          assertThat(call.rawPath()).isEqualTo("/api/v3/pet/42");
          String authorization = call.header("Authorization");
          assertThat(authorization).startsWith("Bearer ").doesNotContain(mcpToken);
          SignedJWT providerToken = SignedJWT.parse(authorization.substring("Bearer ".length()));
          RSAKey key = (RSAKey) JWKSet.load(idp.jwksUrl("idp").url()).getKeys().get(0);
          assertThat(providerToken.verify(new RSASSAVerifier(key))).isTrue();
          assertThat(providerToken.getJWTClaimsSet().getSubject()).isEqualTo("carol");
          assertThat(providerToken.getJWTClaimsSet().getIssuer()).isEqualTo(issuer);
          assertThat(rest).doesNotContain(authorization.substring("Bearer ".length()));
        } finally {
          node.destroyForcibly();
        }
      }
    } finally {
      idp.shutdown();
    }
  }

  private static String firstJsonLine(BufferedReader out) throws Exception {
    StringBuilder seen = new StringBuilder();
    for (String line = out.readLine(); line != null; line = out.readLine()) {
      if (line.startsWith("{")) {
        return line;
      }
      seen.append(line).append('\n');
    }
    throw new AssertionError("the SDK script printed no authorization URL:\n" + seen);
  }
}
