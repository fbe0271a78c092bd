package dev.toriimcp.platform;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.toriimcp.testing.Browser;
import dev.toriimcp.testing.BrokeredSignIn;
import dev.toriimcp.testing.Forms;
import dev.toriimcp.testing.GatewayProcess;
import dev.toriimcp.testing.OAuthFlows;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The two demo backends of the README's run command (examples/mcp-proxy.yaml, ADR 0022), as a new
 * user meets them: {@code demo} behind its own password login and {@code demo-oauth} behind the
 * demo WAR's OpenID Connect provider, which starts with it and needs nothing installed. The
 * provider's interactive sign-in page is filled in by a plain HTTP client, and once by a real
 * Chromium, as a user would.
 */
class DemoBackendsIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .followRedirects(HttpClient.Redirect.NEVER).build();

  private static GatewayProcess gateway;

  @BeforeAll
  static void start() throws Exception {
    Path data = Path.of("target/it-data/demo-backends-" + System.nanoTime());
    gateway = GatewayProcess.start("demo-backends", Path.of("examples/mcp-proxy.yaml"),
        Map.of("TORII_DATA", data.toString()));
    gateway.awaitReady(Duration.ofSeconds(300));
  }

  @AfterAll
  static void stop() {
    if (gateway != null) {
      gateway.close();
    }
  }

  @Test
  void theDemoProviderServesItsDiscoveryDocumentAndTheGatewayFoundIt() throws Exception {
    URI issuer = gateway.demoIdpIssuer();
    HttpResponse<String> discovery = send(HttpRequest.newBuilder(
        URI.create(issuer + "/.well-known/openid-configuration")));
    assertThat(discovery.statusCode()).isEqualTo(200);
    JsonNode metadata = JSON.readTree(discovery.body());
    assertThat(metadata.path("issuer").asText()).isEqualTo(issuer.toString());
    assertThat(metadata.path("authorization_endpoint").asText()).startsWith(issuer + "/");
    assertThat(metadata.path("jwks_uri").asText()).startsWith(issuer + "/");

    assertThat(gateway.output())
        .contains("demo identity provider (any username signs in) at " + issuer)
        .contains("backend 'demo': 5 tools").contains("backend 'demo-oauth': 5 tools")
        .contains("backend 'demo-oauth': identity provider discovered at " + issuer)
        .contains("demo: " + gateway.uri("/mcp/demo"))
        .contains("demo-oauth: " + gateway.uri("/mcp/demo-oauth"));
  }

  @Test
  void theOAuthDemoApiTakesOnlyTheProvidersAccessTokens() throws Exception {
    String user = "erin-" + System.nanoTime();
    JsonNode tokens = providerTokens(user);
    String accessToken = tokens.path("access_token").asText();

    HttpResponse<String> me = api("/demo/api/oauth/me", accessToken);
    assertThat(me.statusCode()).as(me.body()).isEqualTo(200);
    assertThat(JSON.readTree(me.body()).path("username").asText()).isEqualTo(user);

    HttpResponse<String> none = send(HttpRequest.newBuilder(gateway.uri("/demo/api/oauth/notes")));
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"demo-oauth\"");

    // A changed signature, an ID token (its audience is the client), the demo's own login token.
    String[] parts = accessToken.split("\\.");
    String forged = parts[0] + "." + parts[1] + "." + new StringBuilder(parts[2]).reverse();
    assertThat(api("/demo/api/oauth/me", forged).headers().firstValue("WWW-Authenticate"))
        .hasValueSatisfying(v -> assertThat(v).contains("error=\"invalid_token\"")
            .contains("signature"));
    HttpResponse<String> idToken = api("/demo/api/oauth/me", tokens.path("id_token").asText());
    assertThat(idToken.statusCode()).isEqualTo(401);
    assertThat(idToken.body()).contains("aud");
    String passwordToken = JSON.readTree(gateway.postJson("/demo/api/login",
        "{\"username\":\"alice\",\"password\":\"wonderland\"}").body()).path("access_token").asText();
    assertThat(api("/demo/api/oauth/me", passwordToken).statusCode()).isEqualTo(401);
    assertThat(api("/demo/api/me", accessToken).statusCode()).isEqualTo(401);

    // Signed by the provider, but expired, or naming another issuer (its sign-in form takes
    // claims that override the token's own).
    String expired = providerTokens(user, "{\"exp\": 1000000000}").path("access_token").asText();
    assertThat(api("/demo/api/oauth/me", expired).body()).contains("invalid_token")
        .contains("Expired");
    String otherIssuer = providerTokens(user, "{\"iss\": \"https://idp.example.com\"}")
        .path("access_token").asText();
    assertThat(api("/demo/api/oauth/me", otherIssuer).body()).contains("invalid_token")
        .contains("iss");
  }

  @Test
  void bothBackendsListToolsAndTheOAuthOneAnswersAsTheUserWhoSignedInAtTheProvider()
      throws Exception {
    String password = OAuthFlows.accessToken(gateway, "demo", "alice", "wonderland");
    assertThat(toolNames(mcp("demo", password, "tools/list", "{}")))
        .containsExactlyInAnyOrder("whoAmI", "listNotes", "createNote", "getNote", "deleteNote");

    String carol = "carol-" + System.nanoTime();
    String carolToken = signInAtTheDemoProvider(carol);
    assertThat(toolNames(mcp("demo-oauth", carolToken, "tools/list", "{}")))
        .containsExactlyInAnyOrder("whoAmI", "listNotes", "createNote", "getNote", "deleteNote");

    JsonNode whoAmI = mcp("demo-oauth", carolToken, "tools/call",
        "{\"name\": \"whoAmI\", \"arguments\": {}}");
    assertThat(whoAmI.at("/result/isError").asBoolean()).as(whoAmI.toString()).isFalse();
    assertThat(whoAmI.at("/result/structuredContent/username").asText()).isEqualTo(carol);
    assertThat(whoAmI.at("/result/structuredContent/issuer").asText())
        .isEqualTo(gateway.demoIdpIssuer().toString());
    assertThat(whoAmI.at("/result/structuredContent/client").asText()).isEqualTo("torii-demo");

    JsonNode created = mcp("demo-oauth", carolToken, "tools/call",
        "{\"name\": \"createNote\", \"arguments\": {\"body\": {\"title\": \"from carol\"}}}");
    assertThat(created.at("/result/isError").asBoolean()).as(created.toString()).isFalse();
    assertThat(notes(carolToken)).containsExactly("from carol");

    // Another user of the provider has notes of their own; the MCP token itself opens nothing.
    String dave = signInAtTheDemoProvider("dave-" + System.nanoTime());
    assertThat(notes(dave)).isEmpty();
    assertThat(api("/demo/api/oauth/me", carolToken).statusCode()).isEqualTo(401);
  }

  @Test
  void aRealBrowserSignsInAtTheDemoProvidersPage() throws Exception {
    String redirect = "http://127.0.0.1/callback";
    String client = JSON.readTree(send(HttpRequest.newBuilder(gateway.uri("/register"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"client_name\": \"Demo Browser\","
            + " \"redirect_uris\": [\"" + redirect + "\"], \"token_endpoint_auth_method\":"
            + " \"none\"}"))).body()).path("client_id").asText();
    String verifier = Base64.getUrlEncoder().withoutPadding().encodeToString(
        MessageDigest.getInstance("SHA-256").digest(client.getBytes(StandardCharsets.UTF_8)));
    String challenge = Base64.getUrlEncoder().withoutPadding().encodeToString(MessageDigest
        .getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
    String user = "frank-" + System.nanoTime();

    ChromeDriver browser = Browser.start();
    String arrived;
    try {
      WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
      browser.get(gateway.uri("/authorize?" + Forms.form("response_type", "code",
          "client_id", client, "redirect_uri", redirect, "code_challenge", challenge,
          "code_challenge_method", "S256", "state", "browser",
          "resource", gateway.uri("/mcp/demo-oauth").toString())).toString());
      // The demo provider's own page: any username, the claims box left empty.
      assertThat(browser.getCurrentUrl()).startsWith(gateway.demoIdpIssuer() + "/authorize?");
      assertThat(browser.findElement(By.tagName("h2")).getText())
          .isEqualTo("Mock OAuth2 Server Sign-in");
      Files.write(Files.createDirectories(Path.of("target/it-logs"))
          .resolve("demo-idp-sign-in.png"), browser.getScreenshotAs(OutputType.BYTES));
      browser.findElement(By.name("username")).sendKeys(user);
      browser.findElement(By.cssSelector("input[type=submit]")).click();
      wait.until(ExpectedConditions.presenceOfElementLocated(By.id("approve")));
      assertThat(browser.getPageSource()).contains(user);
      browser.findElement(By.id("approve")).click();
      wait.until(ExpectedConditions.urlContains("code="));
      arrived = browser.getCurrentUrl();
    } finally {
      browser.quit();
    }
    Map<String, String> answer = Forms.query(URI.create(arrived));
    assertThat(arrived).startsWith(redirect + "?");
    assertThat(answer).containsEntry("state", "browser");
    HttpResponse<String> token = send(HttpRequest.newBuilder(gateway.uri("/token"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(Forms.form("grant_type", "authorization_code",
            "code", answer.get("code"), "code_verifier", verifier, "client_id", client,
            "redirect_uri", redirect))));
    assertThat(token.statusCode()).as(token.body()).isEqualTo(200);
    JsonNode whoAmI = mcp("demo-oauth", JSON.readTree(token.body()).path("access_token").asText(),
        "tools/call", "{\"name\": \"whoAmI\", \"arguments\": {}}");
    assertThat(whoAmI.at("/result/structuredContent/username").asText()).isEqualTo(user);
  }

  /**
   * The MCP authorization flow for demo-oauth: the gateway sends the browser to the demo
   * provider, whose sign-in page is posted with the username, and back through the gateway's
   * callback and consent page; the MCP access token.
   */
  private static String signInAtTheDemoProvider(String username) throws Exception {
    BrokeredSignIn browser = new BrokeredSignIn(gateway).register();
    HttpResponse<String> toProvider = browser.authorize("demo-oauth");
    URI signInPage = BrokeredSignIn.location(toProvider);
    assertThat(signInPage.toString()).startsWith(gateway.demoIdpIssuer() + "/authorize?");
    assertThat(Forms.query(signInPage)).containsEntry("client_id", "torii-demo")
        .containsEntry("redirect_uri", gateway.uri("/oauth/callback/demo-oauth").toString());
    HttpResponse<String> page = browser.get(signInPage);
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("Mock OAuth2 Server Sign-in").contains("name=\"username\"");
    HttpResponse<String> toCallback = send(HttpRequest.newBuilder(signInPage)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(Forms.form("username", username))));
    URI callback = BrokeredSignIn.location(toCallback);
    assertThat(callback.toString()).startsWith(gateway.uri("/oauth/callback/demo-oauth?").toString());
    HttpResponse<String> toConsent = browser.get(callback);
    assertThat(toConsent.statusCode()).as(toConsent.body()).isEqualTo(303);
    HttpResponse<String> consent = browser.follow(toConsent);
    assertThat(consent.body()).contains(username);
    return (String) browser.redeem(browser.approve(consent)).get("access_token");
  }

  /** Tokens straight from the demo provider (its sign-in page and token endpoint). */
  private static JsonNode providerTokens(String username) throws Exception {
    return providerTokens(username, "");
  }

  private static JsonNode providerTokens(String username, String claims) throws Exception {
    String redirect = "http://127.0.0.1/cb";
    URI authorize = URI.create(gateway.demoIdpIssuer() + "/authorize?" + Forms.form(
        "response_type", "code", "client_id", "torii-demo", "redirect_uri", redirect,
        "scope", "openid", "state", "s", "nonce", "n"));
    HttpResponse<String> signedIn = send(HttpRequest.newBuilder(authorize)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(
            Forms.form("username", username, "claims", claims))));
    String code = Forms.query(BrokeredSignIn.location(signedIn)).get("code");
    HttpResponse<String> token = send(HttpRequest.newBuilder(
            URI.create(gateway.demoIdpIssuer() + "/token"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(Forms.form("grant_type", "authorization_code",
            "code", code, "redirect_uri", redirect, "client_id", "torii-demo"))));
    assertThat(token.statusCode()).as(token.body()).isEqualTo(200);
    return JSON.readTree(token.body());
  }

  private static List<String> notes(String mcpToken) throws Exception {
    JsonNode listed = mcp("demo-oauth", mcpToken, "tools/call",
        "{\"name\": \"listNotes\", \"arguments\": {}}");
    assertThat(listed.at("/result/isError").asBoolean()).as(listed.toString()).isFalse();
    List<String> titles = new ArrayList<>();
    listed.at("/result/structuredContent/notes").forEach(n -> titles.add(n.path("title").asText()));
    return titles;
  }

  private static List<String> toolNames(JsonNode listed) {
    List<String> names = new ArrayList<>();
    listed.at("/result/tools").forEach(t -> names.add(t.path("name").asText()));
    assertThat(names).as(listed.toString()).isNotEmpty();
    return names;
  }

  private static JsonNode mcp(String backend, String token, String method, String params)
      throws Exception {
    HttpResponse<String> response = send(HttpRequest.newBuilder(gateway.uri("/mcp/" + backend))
        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
        .header("Accept", "application/json, text/event-stream")
        .header("MCP-Protocol-Version", "2025-11-25")
        .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": \""
            + method + "\", \"params\": " + params + "}")));
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  private static HttpResponse<String> api(String path, String bearer) throws Exception {
    return send(HttpRequest.newBuilder(gateway.uri(path)).header("Authorization", "Bearer " + bearer));
  }

  private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return HTTP.send(request.timeout(Duration.ofSeconds(20)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
