package dev.toriimcp.oauth;

import static dev.toriimcp.testing.Forms.*;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.toriimcp.sealing.control.Keyring;
import dev.toriimcp.sealing.control.Sealer;
import dev.toriimcp.sealing.entity.SealingKey;
import dev.toriimcp.testing.GatewayProcess;
import java.io.IOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The authorization-code flow with PKCE through the real login-broker and consent pages, against
 * the gateway and the demo backend as the run command starts them: registration, login (wrong,
 * then right password), consent (with and without CSRF token), code, tokens, the bearer token at
 * /mcp/demo, code reuse, refresh rotation, revocation; then the Derby files are read byte by byte
 * for any token or credential in clear.
 */
class AuthorizationFlowIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path DATA = Path.of("target/it-data/authorization-flow");
  private static final String DEMO_KEY = "B9/G8MkV7EZQFl46xyCvv/eV7jgDmrWJsToJIyXA3Cs=";
  private static final String REDIRECT = "http://127.0.0.1/callback";

  private final HttpClient browser = HttpClient.newBuilder().cookieHandler(new CookieManager())
      .followRedirects(HttpClient.Redirect.NEVER).build();
  private final List<String> secrets = new ArrayList<>();

  @Test
  void fullFlowThroughLoginAndConsent() throws Exception {
    deleteRecursively(DATA);
    try (GatewayProcess gateway = GatewayProcess.start("authorization-flow",
        Path.of("examples/mcp-proxy.yaml"), Map.of("TORII_DATA", DATA.toString()))) {
      gateway.awaitReady(Duration.ofSeconds(300));
      String issuer = gateway.uri("").toString();
      String resource = issuer + "/mcp/demo";

      HttpResponse<String> registered = post(gateway.uri("/register"), "application/json",
          "{\"client_name\": \"Flow <Test>\", \"redirect_uris\": [\"" + REDIRECT + "\"],"
              + " \"token_endpoint_auth_method\": \"none\","
              + " \"grant_types\": [\"authorization_code\", \"refresh_token\"]}");
      assertThat(registered.statusCode()).isEqualTo(201);
      String clientId = JSON.readTree(registered.body()).path("client_id").asText();
      assertThat(JSON.readTree(registered.body()).has("client_secret")).isFalse();

      String verifier = "v".repeat(20) + Base64.getUrlEncoder().withoutPadding()
          .encodeToString(MessageDigest.getInstance("SHA-256").digest(clientId.getBytes()));
      String challenge = Base64.getUrlEncoder().withoutPadding().encodeToString(
          MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
      String redirectWithPort = "http://127.0.0.1:53682/callback";
      URI authorize = gateway.uri("/authorize?response_type=code&client_id=" + enc(clientId)
          + "&redirect_uri=" + enc(redirectWithPort) + "&code_challenge=" + challenge
          + "&code_challenge_method=S256&state=st%20%C3%A9&resource=" + enc(resource));

      HttpResponse<String> loginPage = get(authorize);
      assertThat(loginPage.statusCode()).isEqualTo(200);
      assertThat(loginPage.body()).contains("Sign in to demo");
      assertThat(loginPage.headers().firstValue("X-Frame-Options")).contains("DENY");
      assertThat(loginPage.headers().firstValue("Content-Security-Policy").orElseThrow())
          .contains("frame-ancestors 'none'");
      assertThat(loginPage.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
      String request = hidden(loginPage.body(), "request");
      String csrf = hidden(loginPage.body(), "csrf");

      HttpResponse<String> wrong = post(gateway.uri("/authorize/login"), FORM,
          form("request", request, "csrf", csrf, "username", "alice", "password", "nope"));
      assertThat(wrong.statusCode()).isEqualTo(401);
      assertThat(wrong.body()).contains("The username or password is not correct.")
          .doesNotContain("invalid username or password");

      HttpResponse<String> login = post(gateway.uri("/authorize/login"), FORM,
          form("request", request, "csrf", csrf, "username", "alice", "password", "wonderland"));
      assertThat(login.statusCode()).isEqualTo(303);
      HttpResponse<String> consent = get(URI.create(login.headers().firstValue("Location").orElseThrow()));
      assertThat(consent.statusCode()).isEqualTo(200);
      assertThat(consent.body()).contains("Flow &lt;Test&gt;").doesNotContain("Flow <Test>")
          .contains("<b id=\"redirect-host\">127.0.0.1</b>").contains("as <b>alice</b>");

      HttpResponse<String> forged = post(gateway.uri("/authorize/consent"), FORM,
          form("request", request, "csrf", "forged", "decision", "approve"));
      assertThat(forged.statusCode()).isEqualTo(403);

      HttpResponse<String> approved = post(gateway.uri("/authorize/consent"), FORM,
          form("request", request, "csrf", hidden(consent.body(), "csrf"), "decision", "approve"));
      assertThat(approved.statusCode()).isEqualTo(303);
      URI callback = URI.create(approved.headers().firstValue("Location").orElseThrow());
      assertThat(callback.toString()).startsWith(redirectWithPort + "?code=");
      Map<String, String> parameters = query(callback);
      assertThat(parameters.get("state")).isEqualTo("st é");
      assertThat(parameters.get("iss")).isEqualTo(issuer);
      String code = parameters.get("code");
      secrets.add(code);

      HttpResponse<String> tokenResponse = post(gateway.uri("/token"), FORM, form(
          "grant_type", "authorization_code", "code", code, "code_verifier", verifier,
          "client_id", clientId, "redirect_uri", redirectWithPort, "resource", resource));
      assertThat(tokenResponse.statusCode()).isEqualTo(200);
      assertThat(tokenResponse.headers().firstValue("Cache-Control")).contains("no-store");
      JsonNode tokens = JSON.readTree(tokenResponse.body());
      assertThat(tokens.path("token_type").asText()).isEqualTo("Bearer");
      assertThat(tokens.path("scope").asText()).isEqualTo("demo");
      String access = tokens.path("access_token").asText();
      String refresh = tokens.path("refresh_token").asText();
      secrets.add(access);
      secrets.add(refresh);

      assertThat(mcp(gateway, "Bearer " + access).statusCode()).as("authenticated").isEqualTo(200);
      assertThat(mcp(gateway, "bearer " + access).statusCode()).as("scheme is case-insensitive")
          .isEqualTo(200);

      HttpResponse<String> rotated = post(gateway.uri("/token"), FORM, form(
          "grant_type", "refresh_token", "refresh_token", refresh, "client_id", clientId));
      assertThat(rotated.statusCode()).isEqualTo(200);
      String refresh2 = JSON.readTree(rotated.body()).path("refresh_token").asText();
      secrets.add(JSON.readTree(rotated.body()).path("access_token").asText());
      secrets.add(refresh2);
      assertThat(refresh2).isNotEqualTo(refresh);

      HttpResponse<String> reused = post(gateway.uri("/token"), FORM, form(
          "grant_type", "authorization_code", "code", code, "code_verifier", verifier,
          "client_id", clientId));
      assertThat(JSON.readTree(reused.body()).path("error").asText()).isEqualTo("invalid_grant");
      assertThat(mcp(gateway, "Bearer " + access).statusCode()).as("revoked by code reuse")
          .isEqualTo(401);

      gateway.stop(Duration.ofSeconds(60));
    }
    assertNothingInClear();
  }

  /**
   * Item 4 behind a TLS-terminating proxy: {@code public_url} is https while the requests reach
   * the gateway as plain http. The session cookie is still Secure with the {@code __Host-}
   * prefix, HttpOnly, SameSite=Lax and Path=/ (R-37), before and after the login's new session
   * id, and every response carries HSTS.
   */
  @Test
  void behindATlsProxyTheSessionCookieIsSecureAndHstsIsSent() throws Exception {
    String publicUrl = "https://mcp.example.test";
    try (GatewayProcess gateway = GatewayProcess.start("authorization-flow-https",
        Path.of("examples/mcp-proxy.yaml"), Map.of("TORII_DATA", DATA + "-https-" + System.nanoTime(),
            "TORII_PUBLIC_URL", publicUrl))) {
      gateway.awaitReady(Duration.ofSeconds(300));
      HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
      HttpResponse<String> registered = http.send(HttpRequest.newBuilder(gateway.uri("/register"))
          .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
              "{\"redirect_uris\": [\"" + REDIRECT + "\"], \"token_endpoint_auth_method\": \"none\"}"))
          .build(), HttpResponse.BodyHandlers.ofString());
      assertThat(registered.statusCode()).isEqualTo(201);
      assertThat(registered.headers().firstValue("Strict-Transport-Security"))
          .contains("max-age=31536000");
      String clientId = JSON.readTree(registered.body()).path("client_id").asText();
      String challenge = Base64.getUrlEncoder().withoutPadding().encodeToString(
          MessageDigest.getInstance("SHA-256").digest("https-verifier".getBytes(StandardCharsets.US_ASCII)));

      HttpResponse<String> page = http.send(HttpRequest.newBuilder(gateway.uri(
          "/authorize?response_type=code&client_id=" + enc(clientId) + "&redirect_uri=" + enc(REDIRECT)
              + "&code_challenge=" + challenge + "&code_challenge_method=S256&state=s&resource="
              + enc(publicUrl + "/mcp/demo"))).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
      assertThat(page.headers().firstValue("Strict-Transport-Security")).contains("max-age=31536000");
      String cookie = assertHardened(page.headers().firstValue("Set-Cookie").orElseThrow());

      HttpResponse<String> login = http.send(HttpRequest.newBuilder(gateway.uri("/authorize/login"))
          .header("Content-Type", FORM).header("Cookie", cookie)
          .POST(HttpRequest.BodyPublishers.ofString(form("request", hidden(page.body(), "request"),
              "csrf", hidden(page.body(), "csrf"), "username", "alice", "password", "wonderland")))
          .build(), HttpResponse.BodyHandlers.ofString());
      assertThat(login.statusCode()).isEqualTo(303);
      URI consent = URI.create(login.headers().firstValue("Location").orElseThrow());
      assertThat(consent.toString()).startsWith(publicUrl + "/authorize/consent?request=");
      String renewed = assertHardened(login.headers().firstValue("Set-Cookie").orElseThrow());
      assertThat(renewed).as("a new session id at login").isNotEqualTo(cookie);

      HttpResponse<String> consentPage = http.send(HttpRequest.newBuilder(gateway.uri(
          consent.getRawPath() + "?" + consent.getRawQuery())).header("Cookie", renewed).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(consentPage.statusCode()).as("the renewed session is the user's").isEqualTo(200);
      assertThat(consentPage.body()).contains("as <b>alice</b>");
      assertThat(gateway.get("/.well-known/oauth-authorization-server").headers()
          .firstValue("Strict-Transport-Security")).contains("max-age=31536000");
      gateway.stop(Duration.ofSeconds(60));
    }
  }

  /** Checks one Set-Cookie header of the session; returns its name=value. */
  private static String assertHardened(String setCookie) {
    assertThat(setCookie).startsWith("__Host-torii-session=").containsIgnoringCase("; Secure")
        .containsIgnoringCase("; HttpOnly").containsIgnoringCase("; SameSite=Lax")
        .containsIgnoringCase("; Path=/").doesNotContainIgnoringCase("Domain=");
    return setCookie.split(";", 2)[0];
  }

  /** Reads every file of the Derby database: no token, code or upstream credential in clear. */
  private void assertNothingInClear() throws Exception {
    String upstreamToken;
    try (Connection db = DriverManager.getConnection(
        "jdbc:derby:" + DATA.toAbsolutePath().resolve("derby"));
        ResultSet row = db.createStatement().executeQuery(
            "SELECT subject, backend, sealed FROM upstream_credential")) {
      assertThat(row.next()).isTrue();
      String sealed = row.getString("sealed");
      assertThat(sealed.split("\\.")).hasSize(5);
      Sealer sealer = new Sealer(new Keyring(List.of(
          new SealingKey("demo-1", Base64.getDecoder().decode(DEMO_KEY))), null));
      upstreamToken = new String(sealer.open(sealed, row.getString("backend"),
          row.getString("subject")), StandardCharsets.UTF_8);
    } finally {
      try {
        DriverManager.getConnection("jdbc:derby:;shutdown=true");
      } catch (SQLException expected) {
        // XJ015: Derby shut down
      }
    }
    secrets.add(upstreamToken);
    secrets.add("wonderland");
    List<byte[]> files = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(DATA)) {
      for (Path file : walk.filter(Files::isRegularFile).toList()) {
        files.add(Files.readAllBytes(file));
      }
    }
    assertThat(files).isNotEmpty();
    for (String secret : secrets) {
      for (byte[] content : files) {
        assertThat(indexOf(content, secret.getBytes(StandardCharsets.UTF_8)))
            .as("a secret of %d characters found in clear", secret.length()).isEqualTo(-1);
        assertThat(indexOf(content, secret.getBytes(StandardCharsets.UTF_16BE)))
            .as("a secret found in clear (UTF-16)").isEqualTo(-1);
      }
    }
  }

  private static final String FORM = "application/x-www-form-urlencoded";

  private HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
    return browser.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(URI uri, String type, String body)
      throws IOException, InterruptedException {
    return browser.send(HttpRequest.newBuilder(uri).header("Content-Type", type)
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> mcp(GatewayProcess gateway, String authorization) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(gateway.uri("/mcp/demo"))
        .header("Authorization", authorization).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": \"ping\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
  }









  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private static void deleteRecursively(Path directory) throws IOException {
    if (Files.exists(directory)) {
      try (Stream<Path> files = Files.walk(directory)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
