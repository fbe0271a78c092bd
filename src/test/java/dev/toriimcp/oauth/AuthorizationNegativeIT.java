package dev.toriimcp.oauth;

import static dev.toriimcp.testing.Forms.*;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.toriimcp.testing.GatewayProcess;
import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The negative cases of the research catalogue (§4 R-1…R-34, §5.4–5.7) against a running gateway
 * with two login-broker backends, a 2-second code lifetime and a 2-second refresh grace window.
 */
class AuthorizationNegativeIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String REDIRECT = "https://client.example/cb";
  private static GatewayProcess gateway;
  private static String issuer;

  @BeforeAll
  static void start() throws Exception {
    gateway = GatewayProcess.start("authorization-negative",
        Path.of("src/test/resources/it/two-backends.yaml"),
        Map.of("TORII_DATA", "target/it-data/authorization-negative-" + System.nanoTime()));
    gateway.awaitReady(Duration.ofSeconds(300)); // a loaded CI machine needs more than 2 minutes
    issuer = gateway.uri("").toString();
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  private final HttpClient http = HttpClient.newBuilder().cookieHandler(new CookieManager())
      .followRedirects(HttpClient.Redirect.NEVER).build();

  @Test
  void redirectUriVariantsAreRefusedWithoutRedirecting() throws Exception {
    String client = register("{\"redirect_uris\": [\"" + REDIRECT + "\", \"http://127.0.0.1/cb\"],"
        + " \"token_endpoint_auth_method\": \"none\"}");
    for (String variant : new String[] {REDIRECT + "/", "https://CLIENT.example/cb", REDIRECT + "?x=1",
        "https://client.example.evil/cb", "https://client.example:443/cb", "https://client.example/CB",
        "http://localhost:5000/cb", "https://evil.example/cb"}) {
      HttpResponse<String> response = get(authorize(client, variant, challenge("v"), "demo"));
      assertThat(response.statusCode()).as(variant).isEqualTo(400);
      assertThat(response.headers().firstValue("Location")).as(variant).isEmpty();
    }
    assertThat(get(authorize(client, "http://127.0.0.1:40123/cb", challenge("v"), "demo")).statusCode())
        .as("loopback port is free").isEqualTo(200);
    HttpResponse<String> unknownClient = get(authorize("torii-nobody", REDIRECT, challenge("v"), "demo"));
    assertThat(unknownClient.statusCode()).isEqualTo(400);
    assertThat(unknownClient.headers().firstValue("Location")).isEmpty();
  }

  @Test
  void badRequestsFromAKnownClientAreReportedToItsRedirectUri() throws Exception {
    String client = register("{\"redirect_uris\": [\"" + REDIRECT + "\"], \"token_endpoint_auth_method\": \"none\"}");
    String base = gateway.uri("/authorize").toString() + "?client_id=" + enc(client)
        + "&redirect_uri=" + enc(REDIRECT) + "&state=s1";
    String pkce = "&code_challenge=" + challenge("v") + "&code_challenge_method=S256";
    String resource = "&resource=" + enc(issuer + "/mcp/demo");

    assertError(get(URI.create(base + "&response_type=code" + resource)), "invalid_request");
    assertError(get(URI.create(base + "&response_type=code&code_challenge=" + challenge("v")
        + "&code_challenge_method=plain" + resource)), "invalid_request");
    assertError(get(URI.create(base + "&response_type=code&code_challenge=short"
        + "&code_challenge_method=S256" + resource)), "invalid_request");
    assertError(get(URI.create(base + "&response_type=token" + pkce + resource)),
        "unsupported_response_type");
    assertError(get(URI.create(base + "&response_type=code" + pkce
        + "&resource=" + enc(issuer + "/mcp/nope"))), "invalid_target");
    assertError(get(URI.create(base + "&response_type=code" + pkce
        + "&resource=" + enc(issuer + "/mcp/demo?utm=x"))), "invalid_target");
    assertError(get(URI.create(base + "&response_type=code" + pkce)), "invalid_target");
    assertError(get(URI.create(base + "&response_type=code" + pkce + resource + "&state=again")),
        "invalid_request");
  }

  @Test
  void registrationRefusesUnsafeRedirectUrisAndGrants() throws Exception {
    for (String body : new String[] {"{\"redirect_uris\": [\"http://example.com/cb\"]}",
        "{\"redirect_uris\": [\"javascript:alert(1)\"]}", "{\"redirect_uris\": []}", "{}"}) {
      HttpResponse<String> response = post("/register", "application/json", body);
      assertThat(response.statusCode()).as(body).isEqualTo(400);
      assertThat(JSON.readTree(response.body()).path("error").asText()).as(body)
          .isEqualTo("invalid_redirect_uri");
    }
    HttpResponse<String> implicit = post("/register", "application/json",
        "{\"redirect_uris\": [\"" + REDIRECT + "\"], \"grant_types\": [\"implicit\"]}");
    assertThat(JSON.readTree(implicit.body()).path("error").asText()).isEqualTo("invalid_client_metadata");
    HttpResponse<String> notJson = post("/register", "application/json", "not json");
    assertThat(JSON.readTree(notJson.body()).path("error").asText()).isEqualTo("invalid_client_metadata");
    HttpResponse<String> confidential = post("/register", "application/json",
        "{\"redirect_uris\": [\"" + REDIRECT + "\"]}");
    JsonNode registered = JSON.readTree(confidential.body());
    assertThat(registered.path("token_endpoint_auth_method").asText()).isEqualTo("client_secret_basic");
    assertThat(registered.path("client_secret").asText()).isNotEmpty();
    assertThat(registered.path("client_id").asText()).doesNotStartWith("https://");
  }

  @Test
  void codesAreBoundAndShortLivedAndTheVerifierIsEnforced() throws Exception {
    String client = register("{\"redirect_uris\": [\"" + REDIRECT + "\"], \"token_endpoint_auth_method\": \"none\"}");
    String other = register("{\"redirect_uris\": [\"" + REDIRECT + "\"], \"token_endpoint_auth_method\": \"none\"}");
    String code = code(client, "verifier-one", "demo");

    assertThat(tokenError(form("grant_type", "authorization_code", "code", code, "code_verifier",
        verifier("wrong"), "client_id", client))).isEqualTo("invalid_grant");
    assertThat(tokenError(form("grant_type", "authorization_code", "code", code, "code_verifier",
        verifier("verifier-one"), "client_id", other))).isEqualTo("invalid_grant");
    assertThat(tokenError(form("grant_type", "authorization_code", "code", code, "code_verifier",
        verifier("verifier-one"), "client_id", client, "redirect_uri", REDIRECT + "/x")))
        .isEqualTo("invalid_grant");
    assertThat(tokenError(form("grant_type", "authorization_code", "code", code, "code_verifier",
        verifier("verifier-one"), "client_id", client, "resource", issuer + "/mcp/other")))
        .isEqualTo("invalid_target");
    JsonNode tokens = tokens(form("grant_type", "authorization_code", "code", code,
        "code_verifier", verifier("verifier-one"), "client_id", client));
    assertThat(tokens.path("access_token").asText()).as("failed attempts did not consume the code")
        .isNotEmpty();

    String late = code(client, "verifier-two", "demo");
    Thread.sleep(3_000);
    assertThat(tokenError(form("grant_type", "authorization_code", "code", late, "code_verifier",
        verifier("verifier-two"), "client_id", client))).isEqualTo("invalid_grant");
  }

  @Test
  void aTokenWorksOnlyAtItsOwnBackend() throws Exception {
    String client = register("{\"redirect_uris\": [\"" + REDIRECT + "\"], \"token_endpoint_auth_method\": \"none\"}");
    JsonNode tokens = tokens(form("grant_type", "authorization_code", "code",
        code(client, "verifier-three", "demo"), "code_verifier", verifier("verifier-three"),
        "client_id", client));
    String access = tokens.path("access_token").asText();

    assertThat(mcp("demo", access).statusCode()).isEqualTo(200);
    HttpResponse<String> elsewhere = mcp("other", access);
    assertThat(elsewhere.statusCode()).isEqualTo(401);
    assertThat(elsewhere.headers().firstValue("WWW-Authenticate").orElseThrow())
        .contains("/.well-known/oauth-protected-resource/mcp/other").contains("invalid_token");
  }

  @Test
  void refreshTokensRotateWithAGraceWindowAndReuseRevokesTheFamily() throws Exception {
    String client = register("{\"redirect_uris\": [\"" + REDIRECT + "\"], \"token_endpoint_auth_method\":"
        + " \"none\", \"grant_types\": [\"authorization_code\", \"refresh_token\"]}");
    JsonNode first = tokens(form("grant_type", "authorization_code", "code",
        code(client, "verifier-four", "demo"), "code_verifier", verifier("verifier-four"),
        "client_id", client));
    String refresh1 = first.path("refresh_token").asText();

    assertThat(tokenError(form("grant_type", "refresh_token", "refresh_token", refresh1,
        "client_id", client, "resource", issuer + "/mcp/other"))).isEqualTo("invalid_target");
    assertThat(tokenError(form("grant_type", "refresh_token", "refresh_token", refresh1,
        "client_id", client, "scope", "demo other"))).isEqualTo("invalid_scope");
    JsonNode second = tokens(form("grant_type", "refresh_token", "refresh_token", refresh1,
        "client_id", client));
    String refresh2 = second.path("refresh_token").asText();
    assertThat(refresh2).isNotEqualTo(refresh1);
    JsonNode parallel = tokens(form("grant_type", "refresh_token", "refresh_token", refresh1,
        "client_id", client));
    assertThat(parallel.path("access_token").asText()).as("inside the grace window").isNotEmpty();

    Thread.sleep(3_000);
    assertThat(tokenError(form("grant_type", "refresh_token", "refresh_token", refresh1,
        "client_id", client))).isEqualTo("invalid_grant");
    assertThat(tokenError(form("grant_type", "refresh_token", "refresh_token", refresh2,
        "client_id", client))).as("the family is revoked").isEqualTo("invalid_grant");
    assertThat(mcp("demo", second.path("access_token").asText()).statusCode()).isEqualTo(401);
  }

  @Test
  void theTokenEndpointIsStrictAboutItsRequests() throws Exception {
    String client = register("{\"redirect_uris\": [\"" + REDIRECT + "\"], \"token_endpoint_auth_method\": \"none\"}");
    assertThat(http.send(HttpRequest.newBuilder(gateway.uri("/token")).GET().build(),
        HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(405);
    HttpResponse<String> json = post("/token", "application/json", "{\"grant_type\": \"authorization_code\"}");
    assertThat(json.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(json.body()).path("error").asText()).isEqualTo("invalid_request");
    assertThat(tokenError(form("grant_type", "password", "client_id", client, "username", "a",
        "password", "b"))).isEqualTo("unsupported_grant_type");
    assertThat(tokenError(form("grant_type", "authorization_code", "client_id", client) + "&code=a&code=b"))
        .isEqualTo("invalid_request");
    HttpResponse<String> unknown = post("/token", "application/x-www-form-urlencoded",
        form("grant_type", "authorization_code", "client_id", "torii-nobody", "code", "x"));
    assertThat(unknown.statusCode()).isEqualTo(401);
    assertThat(JSON.readTree(unknown.body()).path("error").asText()).isEqualTo("invalid_client");
  }

  @Test
  void aConfiguredConfidentialClientMustAuthenticate() throws Exception {
    String code = code("configured-app", "verifier-five", "demo");
    String basicWrong = "Basic " + Base64.getEncoder().encodeToString(
        "configured-app:wrong-secret".getBytes(StandardCharsets.UTF_8));
    HttpResponse<String> wrong = http.send(HttpRequest.newBuilder(gateway.uri("/token"))
        .header("Content-Type", "application/x-www-form-urlencoded").header("Authorization", basicWrong)
        .POST(HttpRequest.BodyPublishers.ofString(form("grant_type", "authorization_code", "code", code,
            "code_verifier", verifier("verifier-five")))).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(JSON.readTree(wrong.body()).path("error").asText()).isEqualTo("invalid_client");
    assertThat(wrong.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
        v -> assertThat(v).startsWith("Basic"));
    assertThat(tokenError(form("grant_type", "authorization_code", "code", code, "code_verifier",
        verifier("verifier-five"), "client_id", "configured-app", "client_secret", "wrong")))
        .isEqualTo("invalid_client");

    String basic = "Basic " + Base64.getEncoder().encodeToString(
        "configured-app:configured-secret-123456".getBytes(StandardCharsets.UTF_8));
    HttpResponse<String> right = http.send(HttpRequest.newBuilder(gateway.uri("/token"))
        .header("Content-Type", "application/x-www-form-urlencoded").header("Authorization", basic)
        .POST(HttpRequest.BodyPublishers.ofString(form("grant_type", "authorization_code", "code", code,
            "code_verifier", verifier("verifier-five")))).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(right.statusCode()).as(right.body()).isEqualTo(200);
  }

  @Test
  void repeatedFailedSignInsAreThrottled() throws Exception {
    String client = register("{\"redirect_uris\": [\"" + REDIRECT + "\"], \"token_endpoint_auth_method\": \"none\"}");
    HttpResponse<String> page = get(authorize(client, REDIRECT, challenge("t"), "demo"));
    String request = hidden(page.body(), "request");
    String csrf = hidden(page.body(), "csrf");
    int[] statuses = new int[6];
    for (int i = 0; i < statuses.length; i++) {
      statuses[i] = post("/authorize/login", "application/x-www-form-urlencoded", form("request",
          request, "csrf", csrf, "username", "mallory", "password", "guess-" + i)).statusCode();
    }
    assertThat(statuses).containsExactly(401, 401, 401, 401, 401, 429);
  }

  @Test
  void signInsTheBackendAnswersWithoutACredentialAreThrottledToo() throws Exception {
    String client = register("{\"redirect_uris\": [\"" + REDIRECT + "\"], \"token_endpoint_auth_method\": \"none\"}");
    HttpResponse<String> page = get(authorize(client, REDIRECT, challenge("t404"), "missing-login"));
    String request = hidden(page.body(), "request");
    String csrf = hidden(page.body(), "csrf");
    int[] statuses = new int[6];
    for (int i = 0; i < statuses.length; i++) {
      statuses[i] = signIn("203.0.113.40", request, csrf, "trudy", "guess-" + i);
    }
    // The backend's login answers 404: no guess may go unthrottled because of it.
    assertThat(statuses).containsExactly(503, 503, 503, 503, 503, 429);
  }

  @Test
  void behindATrustedProxyEachClientAddressHasItsOwnBudget() throws Exception {
    String client = register("{\"redirect_uris\": [\"" + REDIRECT + "\"], \"token_endpoint_auth_method\": \"none\"}");
    HttpResponse<String> page = get(authorize(client, REDIRECT, challenge("tp"), "demo"));
    String request = hidden(page.body(), "request");
    String csrf = hidden(page.body(), "csrf");
    for (int i = 0; i < 20; i++) {
      assertThat(signIn("198.51.100.20", request, csrf, "spray-" + i, "x")).isEqualTo(401);
      // One IPv6 subscriber rotating through its /64.
      assertThat(signIn("2001:db8:7:7::" + Integer.toHexString(i + 1), request, csrf,
          "rotate-" + i, "x")).isEqualTo(401);
    }
    assertThat(signIn("198.51.100.20", request, csrf, "spray-next", "x")).isEqualTo(429);
    assertThat(signIn("2001:db8:7:7:ffff::1", request, csrf, "rotate-next", "x")).isEqualTo(429);
    // Everyone else behind the same proxy still signs in, and a spoofed leftmost hop changes nothing.
    assertThat(signIn("198.51.100.21", request, csrf, "spray-next", "x")).isEqualTo(401);
    assertThat(signIn("198.51.100.21, 198.51.100.20", request, csrf, "spray-other", "x"))
        .isEqualTo(429);
  }

  // --- helpers -----------------------------------------------------------------------------

  private String register(String body) throws Exception {
    HttpResponse<String> response = post("/register", "application/json", body);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    return JSON.readTree(response.body()).path("client_id").asText();
  }

  /** Runs the browser part of the flow with a fresh cookie jar; returns the code. */
  private String code(String client, String verifierSeed, String backend) throws Exception {
    HttpClient browser = HttpClient.newBuilder().cookieHandler(new CookieManager())
        .followRedirects(HttpClient.Redirect.NEVER).build();
    HttpResponse<String> login = browser.send(HttpRequest.newBuilder(
        authorize(client, REDIRECT, challenge(verifierSeed), backend)).build(),
        HttpResponse.BodyHandlers.ofString());
    String request = hidden(login.body(), "request");
    String csrf = hidden(login.body(), "csrf");
    HttpResponse<String> loggedIn = browser.send(HttpRequest.newBuilder(gateway.uri("/authorize/login"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(form("request", request, "csrf", csrf,
            "username", "bob", "password", "builder"))).build(), HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> consent = browser.send(HttpRequest.newBuilder(
        URI.create(loggedIn.headers().firstValue("Location").orElseThrow())).build(),
        HttpResponse.BodyHandlers.ofString());
    if (consent.statusCode() == 303) {
      // Consent given before by this user to this client for this backend: no page again.
      return query(URI.create(consent.headers().firstValue("Location").orElseThrow())).get("code");
    }
    HttpResponse<String> approved = browser.send(HttpRequest.newBuilder(gateway.uri("/authorize/consent"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(form("request", request,
            "csrf", hidden(consent.body(), "csrf"), "decision", "approve"))).build(),
        HttpResponse.BodyHandlers.ofString());
    return query(URI.create(approved.headers().firstValue("Location").orElseThrow())).get("code");
  }

  private URI authorize(String client, String redirect, String challenge, String backend) {
    return gateway.uri("/authorize?response_type=code&client_id=" + enc(client) + "&redirect_uri="
        + enc(redirect) + "&code_challenge=" + challenge + "&code_challenge_method=S256&state=s"
        + "&resource=" + enc(issuer + "/mcp/" + backend));
  }

  private void assertError(HttpResponse<String> response, String error) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(303);
    URI location = URI.create(response.headers().firstValue("Location").orElseThrow());
    assertThat(location.toString()).startsWith(REDIRECT + "?");
    Map<String, String> query = query(location);
    assertThat(query.get("error")).isEqualTo(error);
    assertThat(query.get("iss")).isEqualTo(issuer);
  }

  private JsonNode tokens(String form) throws Exception {
    HttpResponse<String> response = post("/token", "application/x-www-form-urlencoded", form);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  private String tokenError(String form) throws Exception {
    HttpResponse<String> response = post("/token", "application/x-www-form-urlencoded", form);
    assertThat(response.statusCode()).as(response.body()).isIn(400, 401);
    assertThat(response.headers().firstValue("Cache-Control")).contains("no-store");
    return JSON.readTree(response.body()).path("error").asText();
  }

  private HttpResponse<String> mcp(String backend, String token) throws Exception {
    return http.send(HttpRequest.newBuilder(gateway.uri("/mcp/" + backend))
        .header("Authorization", "Bearer " + token)
        .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": \"ping\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(URI uri) throws Exception {
    return http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String path, String type, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(gateway.uri(path)).header("Content-Type", type)
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** One login attempt that reaches the gateway through a trusted proxy for {@code client}. */
  private int signIn(String forwardedFor, String request, String csrf, String user, String password)
      throws Exception {
    return http.send(HttpRequest.newBuilder(gateway.uri("/authorize/login"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("X-Forwarded-For", forwardedFor)
        .POST(HttpRequest.BodyPublishers.ofString(form("request", request, "csrf", csrf,
            "username", user, "password", password))).build(), HttpResponse.BodyHandlers.ofString())
        .statusCode();
  }

  private static String verifier(String seed) throws Exception {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(
        MessageDigest.getInstance("SHA-256").digest(seed.getBytes(StandardCharsets.UTF_8)));
  }

  private static String challenge(String seed) throws Exception {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(MessageDigest.getInstance("SHA-256")
        .digest(verifier(seed).getBytes(StandardCharsets.US_ASCII)));
  }








}
