package dev.toriimcp.oauth;

import static dev.toriimcp.testing.Forms.*;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.toriimcp.testing.GatewayProcess;
import dev.toriimcp.testing.SelfSignedTls;
import java.net.InetAddress;
import java.net.InetSocketAddress;
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
import java.util.concurrent.ConcurrentHashMap;
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
  /** Client ID metadata documents by path, served over HTTPS on loopback (research §5.8). */
  private static final Map<String, String> DOCUMENTS = new ConcurrentHashMap<>();
  private static HttpsServer documents;

  @BeforeAll
  static void start() throws Exception {
    SelfSignedTls tls = SelfSignedTls.create();
    documents = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    documents.setHttpsConfigurator(new HttpsConfigurator(tls.context()));
    documents.createContext("/", exchange -> {
      String document = DOCUMENTS.get(exchange.getRequestURI().getPath());
      byte[] body = (document == null ? "{}" : document).getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.getResponseHeaders().add("Cache-Control", "max-age=0");
      exchange.sendResponseHeaders(document == null ? 404 : 200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    documents.start();
    // The configuration allows metadata documents on loopback; the JVM trusts only the test's
    // certificate (JAVA_TOOL_OPTIONS: no change to how the gateway is started).
    gateway = GatewayProcess.start("authorization-negative",
        Path.of("src/test/resources/it/two-backends.yaml"),
        Map.of("TORII_DATA", "target/it-data/authorization-negative-" + System.nanoTime(),
            "JAVA_TOOL_OPTIONS", tls.trustOptions()));
    gateway.awaitReady(Duration.ofSeconds(300)); // two WARs; minutes on a busy 2-core machine
    issuer = gateway.uri("").toString();
  }

  @AfterAll
  static void stop() {
    gateway.close();
    documents.stop(0);
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
    // Research RF-3: the same successor, not a second live refresh token (ADR 0017).
    assertThat(parallel.path("refresh_token").asText()).isEqualTo(refresh2);
    assertThat(mcp("demo", parallel.path("access_token").asText()).statusCode()).isEqualTo(200);

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
  void aRedirectUriAddedToAMetadataDocumentLaterNeedsConsentOfItsOwn() throws Exception {
    // research CM-13: a consent covers the redirect URIs the user saw, not those added since.
    String client = "https://localhost:" + documents.getAddress().getPort() + "/cm13/client.json";
    String other = "https://client.example/other";
    DOCUMENTS.put("/cm13/client.json", metadataDocument(client, REDIRECT));
    HttpClient browser = HttpClient.newBuilder().cookieHandler(new CookieManager())
        .followRedirects(HttpClient.Redirect.NEVER).build();

    HttpResponse<String> login = send(browser, authorize(client, REDIRECT, challenge("m"), "demo"));
    assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
    HttpResponse<String> loggedIn = send(browser, gateway.uri("/authorize/login"), form("request",
        hidden(login.body(), "request"), "csrf", hidden(login.body(), "csrf"), "username", "bob",
        "password", "builder"));
    HttpResponse<String> consent = send(browser,
        URI.create(loggedIn.headers().firstValue("Location").orElseThrow()));
    assertThat(consent.body()).contains("id=\"approve\"");
    assertThat(approve(browser, consent)).startsWith(REDIRECT + "?code=");
    HttpResponse<String> again = send(browser, authorize(client, REDIRECT, challenge("m"), "demo"));
    assertThat(again.statusCode()).as("the approved redirect URI needs no new consent")
        .isEqualTo(303);

    DOCUMENTS.put("/cm13/client.json", metadataDocument(client, REDIRECT, other));
    HttpResponse<String> added = send(browser, authorize(client, other, challenge("m"), "demo"));

    assertThat(added.statusCode()).as("a consent page, no code").isEqualTo(200);
    assertThat(added.headers().firstValue("Location")).isEmpty();
    assertThat(added.body()).contains("id=\"approve\"").contains("client.example");
    assertThat(approve(browser, added)).startsWith(other + "?code=");
    assertThat(send(browser, authorize(client, other, challenge("m"), "demo")).statusCode())
        .as("approved now").isEqualTo(303);
    assertThat(send(browser, authorize(client, REDIRECT, challenge("m"), "demo")).statusCode())
        .as("the first approval still stands").isEqualTo(303);
  }

  @Test
  void revocationEndsTheGrantOfItsOwnClientOnly() throws Exception {
    // Research RV-1, RV-2, RV-3 and RS-10 (via /revoke).
    String client = register("{\"redirect_uris\": [\"" + REDIRECT + "\"], \"token_endpoint_auth_method\":"
        + " \"none\", \"grant_types\": [\"authorization_code\", \"refresh_token\"]}");
    String other = register("{\"redirect_uris\": [\"" + REDIRECT + "\"], \"token_endpoint_auth_method\":"
        + " \"none\", \"grant_types\": [\"authorization_code\", \"refresh_token\"]}");
    JsonNode mine = tokens(form("grant_type", "authorization_code", "code",
        code(client, "verifier-rv", "demo"), "code_verifier", verifier("verifier-rv"),
        "client_id", client));
    JsonNode theirs = tokens(form("grant_type", "authorization_code", "code",
        code(other, "verifier-rv-other", "demo"), "code_verifier", verifier("verifier-rv-other"),
        "client_id", other));

    assertThat(revoke(client, "garbage-" + System.nanoTime()).statusCode()).as("RV-2").isEqualTo(200);
    assertThat(revoke(client, theirs.path("refresh_token").asText()).statusCode()).as("RV-3")
        .isEqualTo(200);
    assertThat(revoke(client, theirs.path("access_token").asText()).statusCode()).isEqualTo(200);
    HttpResponse<String> revoked = revoke(client, mine.path("refresh_token").asText());

    assertThat(revoked.statusCode()).as("RV-1").isEqualTo(200);
    assertThat(revoked.headers().firstValue("Cache-Control")).contains("no-store");
    assertThat(tokenError(form("grant_type", "refresh_token", "refresh_token",
        mine.path("refresh_token").asText(), "client_id", client))).isEqualTo("invalid_grant");
    HttpResponse<String> afterRevocation = mcp("demo", mine.path("access_token").asText());
    assertThat(afterRevocation.statusCode()).as("RS-10").isEqualTo(401);
    assertThat(afterRevocation.headers().firstValue("WWW-Authenticate").orElseThrow())
        .contains("invalid_token");
    assertThat(mcp("demo", theirs.path("access_token").asText()).statusCode())
        .as("another client's token is untouched").isEqualTo(200);
    assertThat(tokens(form("grant_type", "refresh_token", "refresh_token",
        theirs.path("refresh_token").asText(), "client_id", other)).path("access_token").asText())
        .isNotEmpty();
  }

  @Test
  void aReplayWithAWrongVerifierLeavesTheFirstTokensAlone() throws Exception {
    // Research TK-9.
    String client = register("{\"redirect_uris\": [\"" + REDIRECT + "\"], \"token_endpoint_auth_method\": \"none\"}");
    String code = code(client, "verifier-tk9", "demo");
    JsonNode first = tokens(form("grant_type", "authorization_code", "code", code,
        "code_verifier", verifier("verifier-tk9"), "client_id", client));

    assertThat(tokenError(form("grant_type", "authorization_code", "code", code, "code_verifier",
        verifier("not-the-verifier"), "client_id", client))).isEqualTo("invalid_grant");

    assertThat(mcp("demo", first.path("access_token").asText()).statusCode()).isEqualTo(200);
  }

  @Test
  void guessingCodesIsThrottled() throws Exception {
    // Research TK-19: 429 after the threshold (10 refused redemptions per client and address).
    String client = register("{\"redirect_uris\": [\"" + REDIRECT + "\"], \"token_endpoint_auth_method\": \"none\"}");
    int[] statuses = new int[11];
    for (int i = 0; i < statuses.length; i++) {
      statuses[i] = post("/token", "application/x-www-form-urlencoded", form("grant_type",
          "authorization_code", "code", "guess-" + i, "code_verifier", verifier("v"),
          "client_id", client)).statusCode();
    }
    assertThat(statuses).containsExactly(400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 429);
    String valid = code(client, "verifier-tk19", "demo");
    HttpResponse<String> refused = post("/token", "application/x-www-form-urlencoded", form(
        "grant_type", "authorization_code", "code", valid, "code_verifier",
        verifier("verifier-tk19"), "client_id", client));
    assertThat(refused.statusCode()).as("even a right code, until the window ends").isEqualTo(429);
    assertThat(refused.headers().firstValue("Cache-Control")).contains("no-store");
  }

  private HttpResponse<String> revoke(String client, String token) throws Exception {
    return post("/revoke", "application/x-www-form-urlencoded", form("token", token,
        "client_id", client));
  }

  // --- helpers -----------------------------------------------------------------------------

  private static String metadataDocument(String clientId, String... redirectUris) {
    return "{\"client_id\": \"" + clientId + "\", \"client_name\": \"Metadata App\","
        + " \"token_endpoint_auth_method\": \"none\", \"redirect_uris\": [\""
        + String.join("\", \"", redirectUris) + "\"]}";
  }

  /** Approves on the consent page; returns where the gateway sends the browser. */
  private String approve(HttpClient browser, HttpResponse<String> consentPage) throws Exception {
    HttpResponse<String> approved = send(browser, gateway.uri("/authorize/consent"), form(
        "request", hidden(consentPage.body(), "request"), "csrf", hidden(consentPage.body(), "csrf"),
        "decision", "approve"));
    assertThat(approved.statusCode()).as(approved.body()).isEqualTo(303);
    return approved.headers().firstValue("Location").orElseThrow();
  }

  private static HttpResponse<String> send(HttpClient browser, URI uri) throws Exception {
    return browser.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> send(HttpClient browser, URI uri, String form)
      throws Exception {
    return browser.send(HttpRequest.newBuilder(uri)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
  }

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

  private static String verifier(String seed) throws Exception {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(
        MessageDigest.getInstance("SHA-256").digest(seed.getBytes(StandardCharsets.UTF_8)));
  }

  private static String challenge(String seed) throws Exception {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(MessageDigest.getInstance("SHA-256")
        .digest(verifier(seed).getBytes(StandardCharsets.US_ASCII)));
  }








}
