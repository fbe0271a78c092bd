package dev.toriimcp.oauth;

import static dev.toriimcp.testing.Forms.*;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.toriimcp.testing.Browser;
import dev.toriimcp.testing.GatewayProcess;
import dev.toriimcp.testing.RecordingServer;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.junit.jupiter.api.Test;

/**
 * The authorization-code flow with PKCE as a user meets it, in a real Chromium: discovery and
 * registration by the "MCP client" (this test), then the login-broker page and the consent page
 * in the browser, the 303 back to the client's loopback callback (a real local HTTP server), and
 * the code exchange. Then, in the same browser: the session cookie's attributes, the same
 * loopback client asked again, and a client with a hostile name shown as text and denied.
 */
class BrowserAuthorizationIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void aUserSignsInAndConsentsInARealBrowser() throws Exception {
    try (GatewayProcess gateway = GatewayProcess.start("browser-authorization",
            Path.of("examples/mcp-proxy.yaml"), Map.of("TORII_DATA", "target/it-data/browser"));
        RecordingServer client = new RecordingServer()) {
      gateway.awaitReady(Duration.ofSeconds(300));
      String resource = gateway.uri("/mcp/demo").toString();

      // Discovery, as an MCP client does it: the challenge names the metadata.
      HttpResponse<String> challenge = http.send(HttpRequest.newBuilder(gateway.uri("/mcp/demo"))
          .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
      String metadataUrl = challenge.headers().firstValue("WWW-Authenticate").orElseThrow()
          .replaceAll(".*resource_metadata=\"([^\"]+)\".*", "$1");
      JsonNode metadata = JSON.readTree(http.send(HttpRequest.newBuilder(java.net.URI.create(metadataUrl))
          .build(), HttpResponse.BodyHandlers.ofString()).body());
      String issuer = metadata.path("authorization_servers").get(0).asText();
      JsonNode server = JSON.readTree(http.send(HttpRequest.newBuilder(java.net.URI.create(
          issuer + "/.well-known/oauth-authorization-server")).build(),
          HttpResponse.BodyHandlers.ofString()).body());

      JsonNode registration = JSON.readTree(http.send(HttpRequest.newBuilder(java.net.URI.create(
              server.path("registration_endpoint").asText()))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"client_name\": \"Browser Test Client\","
              + " \"redirect_uris\": [\"http://127.0.0.1/callback\"],"
              + " \"token_endpoint_auth_method\": \"none\"}")).build(),
          HttpResponse.BodyHandlers.ofString()).body());
      String clientId = registration.path("client_id").asText();

      String verifier = Base64.getUrlEncoder().withoutPadding().encodeToString(
          MessageDigest.getInstance("SHA-256").digest("browser-verifier".getBytes()));
      String challengeValue = Base64.getUrlEncoder().withoutPadding().encodeToString(
          MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
      String redirect = "http://127.0.0.1:" + client.uri().getPort() + "/callback";
      String authorize = server.path("authorization_endpoint").asText() + "?response_type=code"
          + "&client_id=" + enc(clientId) + "&redirect_uri=" + enc(redirect)
          + "&code_challenge=" + challengeValue + "&code_challenge_method=S256"
          + "&state=browser-state&resource=" + enc(resource) + "&scope=demo";

      ChromeDriver browser = Browser.start();
      try {
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
        browser.get(authorize);
        assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Sign in to demo");
        browser.findElement(By.id("username")).sendKeys("alice");
        browser.findElement(By.id("password")).sendKeys("not-the-password");
        browser.findElement(By.id("sign-in")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("[role=alert]")));
        assertThat(browser.findElement(By.cssSelector("[role=alert]")).getText())
            .isEqualTo("The username or password is not correct.");

        browser.findElement(By.id("password")).sendKeys("wonderland");
        browser.findElement(By.id("sign-in")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("approve")));
        assertThat(browser.findElement(By.id("client-name")).getText()).isEqualTo("Browser Test Client");
        assertThat(browser.findElement(By.id("redirect-host")).getText()).isEqualTo("127.0.0.1");
        // What Chromium keeps of the session (item 4; http public_url, so not Secure).
        Cookie session = browser.manage().getCookieNamed("torii-session");
        assertThat(session).as("session cookie " + browser.manage().getCookies()).isNotNull();
        assertThat(session.isHttpOnly()).isTrue();
        assertThat(session.getSameSite()).isEqualTo("Lax");
        assertThat(session.getPath()).isEqualTo("/");
        Path screenshots = Files.createDirectories(Path.of("target/it-logs"));
        Files.write(screenshots.resolve("consent-page.png"), browser.getScreenshotAs(OutputType.BYTES));
        browser.findElement(By.id("approve")).click();

        RecordingServer.Received callback = callback(client);
        Map<String, String> query = parse(callback.rawQuery());
        assertThat(query.get("state")).isEqualTo("browser-state");
        assertThat(query.get("iss")).isEqualTo(issuer);

        HttpResponse<String> token = http.send(HttpRequest.newBuilder(java.net.URI.create(
                server.path("token_endpoint").asText()))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString("grant_type=authorization_code&code="
                + enc(query.get("code")) + "&code_verifier=" + verifier + "&client_id="
                + enc(clientId) + "&redirect_uri=" + enc(redirect) + "&resource=" + enc(resource)))
            .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(token.statusCode()).as(token.body()).isEqualTo(200);
        assertThat(JSON.readTree(token.body()).path("token_type").asText()).isEqualTo("Bearer");

        // The same loopback client again: asked again, never silently approved (RFC 8252 §8.6).
        browser.get(authorize.replace("browser-state", "second-state"));
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("approve")));
        assertThat(browser.findElement(By.id("ask-every-time")).isDisplayed()).isTrue();

        // A hostile client name is text, not markup (AZ-24); denying an untrusted client shows a
        // page, and only the user's click goes back to it (AZ-17).
        String hostile = "<img src=x onerror=alert(1)><script>document.title='pwned'</script>\"'&";
        String stranger = JSON.readTree(http.send(HttpRequest.newBuilder(java.net.URI.create(
                server.path("registration_endpoint").asText()))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(JSON.createObjectNode()
                .put("client_name", hostile).put("token_endpoint_auth_method", "none")
                .set("redirect_uris", JSON.createArrayNode().add("http://127.0.0.1/callback"))
                .toString())).build(), HttpResponse.BodyHandlers.ofString()).body())
            .path("client_id").asText();
        browser.get(authorize.replace("client_id=" + enc(clientId), "client_id=" + enc(stranger))
            .replace("browser-state", "stranger-state"));
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("deny")));
        assertThat(browser.findElement(By.id("client-name")).getText()).isEqualTo(hostile);
        assertThat(browser.findElements(By.tagName("img"))).isEmpty();
        assertThat(browser.getTitle()).isNotEqualTo("pwned");
        browser.findElement(By.id("deny")).click();
        wait.until(ExpectedConditions.textToBe(By.tagName("h1"), "Access denied"));
        assertThat(browser.getCurrentUrl()).startsWith(gateway.uri("/authorize").toString());
        browser.findElement(By.id("return")).click();
        Map<String, String> denied = parse(callback(client).rawQuery());
        assertThat(denied).containsEntry("error", "access_denied")
            .containsEntry("state", "stranger-state").containsEntry("iss", issuer)
            .doesNotContainKey("code");
      } finally {
        browser.quit();
      }
      gateway.stop(Duration.ofSeconds(60));
    }
  }

  /** The next request to the client's callback (Chromium may also ask it for a favicon). */
  private static RecordingServer.Received callback(RecordingServer client) throws Exception {
    for (int i = 0; i < 5; i++) {
      RecordingServer.Received received = client.take();
      if (received.rawPath().equals("/callback")) {
        return received;
      }
    }
    throw new AssertionError("no request to /callback");
  }




}
