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
import java.net.InetSocketAddress;
import java.net.Socket;
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
    // A configured client: its redirect URI was chosen by the operator, so errors go there.
    String client = "configured-app";
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
  void badRequestsFromAnUntrustedClientAreShownNotRedirected() throws Exception {
    // Open redirect (RFC 9700 §4.11.2, R-5, AZ-25): anyone can register a client, so a request
    // that only has to match its own registration must not bounce the browser to it.
    String client = register("{\"redirect_uris\": [\"" + REDIRECT + "\"], \"token_endpoint_auth_method\": \"none\"}");
    String base = gateway.uri("/authorize").toString() + "?client_id=" + enc(client)
        + "&redirect_uri=" + enc(REDIRECT) + "&state=s1";
    String pkce = "&code_challenge=" + challenge("v") + "&code_challenge_method=S256";
    String resource = "&resource=" + enc(issuer + "/mcp/demo");
    for (String bad : new String[] {"&response_type=code" + resource,
        "&response_type=token" + pkce + resource, "&response_type=code" + pkce,
        "&response_type=code" + pkce + "&resource=" + enc(issuer + "/mcp/nope"),
        "&response_type=code" + pkce + resource + "&state=again",
        "&response_type=code" + pkce + resource + "&scope=nonsense%20other"}) {
      HttpResponse<String> response = get(URI.create(base + bad));
      assertThat(response.statusCode()).as(bad).isEqualTo(400);
      assertThat(response.headers().firstValue("Location")).as(bad).isEmpty();
      assertThat(response.body()).as(bad).contains("Cannot continue");
    }
    assertThat(get(URI.create(base + "&response_type=code&code_challenge=short"
        + "&code_challenge_method=S256" + resource)).body()).contains("invalid_request");

    // Once the user signed in in this browser has approved the client, errors go back to it.
    HttpClient browser = HttpClient.newBuilder().cookieHandler(new CookieManager())
        .followRedirects(HttpClient.Redirect.NEVER).build();
    String request = approveIn(browser, client, "alice", "wonderland", "other");
    assertThat(request).isNotNull();
    HttpResponse<String> afterConsent = browser.send(HttpRequest.newBuilder(URI.create(base
        + "&response_type=token" + pkce + resource)).build(), HttpResponse.BodyHandlers.ofString());
    assertError(afterConsent, "unsupported_response_type");
  }

  @Test
  void aDeniedConsentGoesBackOnlyToATrustedClient() throws Exception {
    // AZ-17. A configured client: redirected with access_denied, state and iss.
    HttpClient browser = HttpClient.newBuilder().cookieHandler(new CookieManager())
        .followRedirects(HttpClient.Redirect.NEVER).build();
    HttpResponse<String> consent = loginIn(browser, "configured-app", REDIRECT, "alice", "wonderland",
        "other");
    assertThat(consent.statusCode()).as("alice never approved configured-app for other")
        .isEqualTo(200);
    HttpResponse<String> denied = send(browser, "/authorize/consent", form("request",
        hidden(consent.body(), "request"), "csrf", hidden(consent.body(), "csrf"), "decision", "deny"));
    assertError(denied, "access_denied");
    assertThat(query(URI.create(denied.headers().firstValue("Location").orElseThrow())))
        .containsEntry("state", "s").doesNotContainKey("code");

    // A client nobody trusts yet: a page, and the way back only by the user's own click.
    String client = register("{\"client_name\": \"Stranger\", \"redirect_uris\": [\"" + REDIRECT
        + "\"], \"token_endpoint_auth_method\": \"none\"}");
    HttpResponse<String> page = loginIn(browser, client, REDIRECT, "alice", "wonderland", "other");
    assertThat(page.statusCode()).isEqualTo(200);
    HttpResponse<String> refused = send(browser, "/authorize/consent", form("request",
        hidden(page.body(), "request"), "csrf", hidden(page.body(), "csrf"), "decision", "deny"));
    assertThat(refused.statusCode()).isEqualTo(200);
    assertThat(refused.headers().firstValue("Location")).isEmpty();
    assertThat(refused.body()).contains("Access denied").contains("Stranger")
        .doesNotContain("code=");
    String link = refused.body().replaceAll("(?s).*id=\"return\" href=\"([^\"]+)\".*", "$1")
        .replace("&amp;", "&");
    assertThat(link).startsWith(REDIRECT + "?error=access_denied&");
    assertThat(query(URI.create(link))).containsEntry("iss", issuer).containsEntry("state", "s");
  }

  @Test
  void consentFormsNeedTheirOwnSessionsFreshCsrfToken() throws Exception {
    // AZ-20 and item 4: the token is per session, renewed at login, and single-use per request.
    String client = register("{\"redirect_uris\": [\"" + REDIRECT + "\"], \"token_endpoint_auth_method\": \"none\"}");
    HttpClient browser = HttpClient.newBuilder().cookieHandler(new CookieManager())
        .followRedirects(HttpClient.Redirect.NEVER).build();
    HttpClient other = HttpClient.newBuilder().cookieHandler(new CookieManager())
        .followRedirects(HttpClient.Redirect.NEVER).build();
    HttpResponse<String> first = browser.send(HttpRequest.newBuilder(
        authorize(client, REDIRECT, challenge("c1"), "other")).build(), HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> second = browser.send(HttpRequest.newBuilder(
        authorize(client, REDIRECT, challenge("c2"), "other")).build(), HttpResponse.BodyHandlers.ofString());
    String request = hidden(first.body(), "request");
    String untouched = hidden(second.body(), "request");
    String beforeLogin = hidden(first.body(), "csrf");
    String foreign = hidden(other.send(HttpRequest.newBuilder(authorize(client, REDIRECT,
        challenge("c3"), "other")).build(), HttpResponse.BodyHandlers.ofString()).body(), "csrf");

    HttpResponse<String> login = send(browser, "/authorize/login", form("request", request,
        "csrf", beforeLogin, "username", "bob", "password", "builder"));
    assertThat(login.statusCode()).isEqualTo(303);
    HttpResponse<String> consent = browser.send(HttpRequest.newBuilder(
        URI.create(login.headers().firstValue("Location").orElseThrow())).build(),
        HttpResponse.BodyHandlers.ofString());
    String csrf = hidden(consent.body(), "csrf");
    assertThat(csrf).as("a new token at login").isNotEqualTo(beforeLogin);
    HttpResponse<String> dropped = browser.send(HttpRequest.newBuilder(gateway.uri(
        "/authorize/consent?request=" + enc(untouched))).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(dropped.statusCode()).as("requests the login was not for are dropped").isEqualTo(403);

    for (String[] forged : new String[][] {{"request", request, "decision", "approve"},
        {"request", request, "csrf", beforeLogin, "decision", "approve"},
        {"request", request, "csrf", foreign, "decision", "approve"}}) {
      HttpResponse<String> refused = send(browser, "/authorize/consent", form(forged));
      assertThat(refused.statusCode()).as(String.join(" ", forged)).isEqualTo(403);
      assertThat(refused.headers().firstValue("Location")).isEmpty();
    }
    String[] approve = {"request", request, "csrf", csrf, "decision", "approve"};
    HttpResponse<String> approved = send(browser, "/authorize/consent", form(approve));
    assertThat(approved.statusCode()).isEqualTo(303);
    assertThat(query(URI.create(approved.headers().firstValue("Location").orElseThrow())))
        .containsKey("code");
    HttpResponse<String> replayed = send(browser, "/authorize/consent", form(approve));
    assertThat(replayed.statusCode()).as("replayed").isEqualTo(403);
    assertThat(replayed.headers().firstValue("Location")).isEmpty();
  }

  @Test
  void aNewClientOfAConsentedUserGetsTheConsentPage() throws Exception {
    // AZ-23: consent is per client; an https client approved once is not asked again.
    String body = "{\"redirect_uris\": [\"" + REDIRECT + "\"], \"token_endpoint_auth_method\": \"none\"}";
    String x = register(body);
    HttpClient browser = HttpClient.newBuilder().cookieHandler(new CookieManager())
        .followRedirects(HttpClient.Redirect.NEVER).build();
    assertThat(approveIn(browser, x, "bob", "builder", "other")).isNotNull();
    HttpResponse<String> again = browser.send(HttpRequest.newBuilder(
        authorize(x, REDIRECT, challenge("x2"), "other")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(again.statusCode()).as("approved before").isEqualTo(303);
    assertThat(query(URI.create(again.headers().firstValue("Location").orElseThrow()))).containsKey("code");

    String y = register(body.replace("{", "{\"client_name\": \"Client Y\", "));
    HttpResponse<String> consent = browser.send(HttpRequest.newBuilder(
        authorize(y, REDIRECT, challenge("y1"), "other")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(consent.statusCode()).isEqualTo(200);
    assertThat(consent.body()).contains("<span id=\"client-name\">Client Y</span>")
        .contains("id=\"approve\"");
  }

  @Test
  void loopbackAndPrivateUseClientsAreAskedEveryTime() throws Exception {
    // RFC 8252 §8.6: any local process can claim these redirect URIs, so no silent re-approval.
    HttpClient browser = HttpClient.newBuilder().cookieHandler(new CookieManager())
        .followRedirects(HttpClient.Redirect.NEVER).build();
    for (String redirect : new String[] {"http://127.0.0.1/cb",
        "cursor://anysphere.cursor-mcp/oauth/callback"}) {
      String client = register("{\"client_name\": \"<b>Local</b> & \\\"co\\\"\", \"redirect_uris\": [\""
          + redirect + "\"], \"token_endpoint_auth_method\": \"none\"}");
      HttpResponse<String> consent = loginIn(browser, client, redirect, "bob", "builder", "other");
      assertThat(consent.statusCode()).as(redirect).isEqualTo(200);
      HttpResponse<String> approved = send(browser, "/authorize/consent", form("request",
          hidden(consent.body(), "request"), "csrf", hidden(consent.body(), "csrf"), "decision", "approve"));
      assertThat(approved.headers().firstValue("Location").orElseThrow()).as(redirect)
          .startsWith(redirect + "?code=");

      HttpResponse<String> again = browser.send(HttpRequest.newBuilder(
          authorize(client, redirect, challenge("again"), "other")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(again.statusCode()).as(redirect + ": asked again").isEqualTo(200);
      assertThat(again.headers().firstValue("Location")).isEmpty();
      // AZ-24: the name is shown escaped, with the warning, the backend and the scope.
      assertThat(again.body()).contains("id=\"ask-every-time\"")
          .contains("&lt;b&gt;Local&lt;/b&gt; &amp; &quot;co&quot;").doesNotContain("<b>Local</b>")
          .contains("to use other?").contains("scope <code>other</code>");
    }
  }

  @Test
  void anOversizedRegistrationIsRefusedWith413() throws Exception {
    // RG-11: the body is read only up to 16 KiB.
    HttpResponse<String> response = post("/register", "application/json", "{\"redirect_uris\": [\""
        + REDIRECT + "\"], \"client_name\": \"" + "x".repeat(17 * 1024) + "\"}");
    assertThat(response.statusCode()).isEqualTo(413);
    assertThat(JSON.readTree(response.body()).path("error").asText()).isEqualTo("invalid_client_metadata");
  }

  @Test
  void registrationsAndNewSessionsAreLimitedPerAddress() throws Exception {
    // RG-12 and item 11: each from its own loopback address, so the other tests are unaffected.
    String registration = "POST /register HTTP/1.1\r\nHost: localhost\r\nContent-Type:"
        + " application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}";
    for (int i = 0; i < 30; i++) {
      assertThat(raw("127.0.0.2", registration)).as("registration %d", i).startsWith("HTTP/1.1 400");
    }
    String limited = raw("127.0.0.2", registration);
    assertThat(limited).startsWith("HTTP/1.1 429").containsPattern("(?i)retry-after: [1-9]")
        .contains("\"error\":\"temporarily_unavailable\"");
    assertThat(post("/register", "application/json", "{}").statusCode())
        .as("another address still registers").isEqualTo(400);

    String authorize = "GET " + authorize("configured-app", REDIRECT, challenge("r"), "demo")
        .getRawPath() + "?" + authorize("configured-app", REDIRECT, challenge("r"), "demo").getRawQuery()
        + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    for (int i = 0; i < 30; i++) {
      assertThat(raw("127.0.0.3", authorize)).as("session %d", i).startsWith("HTTP/1.1 200")
          .containsIgnoringCase("Set-Cookie: ");
    }
    String tooMany = raw("127.0.0.3", authorize);
    assertThat(tooMany).startsWith("HTTP/1.1 429").containsPattern("(?i)retry-after: [1-9]")
        .contains("Too many sign-ins").doesNotContainPattern("(?i)set-cookie");
  }

  @Test
  void theSessionCookieIsHttpOnlyAndLax() throws Exception {
    // Item 4 on a plain-http public_url: no Secure (browsers would drop it), no HSTS.
    String client = register("{\"redirect_uris\": [\"" + REDIRECT + "\"], \"token_endpoint_auth_method\": \"none\"}");
    HttpResponse<String> page = get(authorize(client, REDIRECT, challenge("k"), "demo"));
    String cookie = page.headers().firstValue("Set-Cookie").orElseThrow();
    assertThat(cookie).startsWith("torii-session=").containsIgnoringCase("; HttpOnly")
        .containsIgnoringCase("; SameSite=Lax").containsIgnoringCase("; Path=/")
        .doesNotContainIgnoringCase("Secure").doesNotContainIgnoringCase("Domain");
    assertThat(page.headers().firstValue("Strict-Transport-Security")).isEmpty();
    assertThat(page.body()).doesNotContain(";jsessionid");
  }

  @Test
  void clientSuppliedTextCannotForgeLogLines() throws Exception {
    // Item 11 (CWE-117): a client_id with CR LF is logged escaped, on one line.
    String marker = "forged-" + System.nanoTime();
    HttpResponse<String> response = get(gateway.uri("/authorize?response_type=code&client_id="
        + enc("https://forged.invalid/x\r\nSEVERE: " + marker) + "&redirect_uri=" + enc(REDIRECT)));
    assertThat(response.statusCode()).isEqualTo(400);
    String escaped = "x\\r\\nSEVERE: " + marker;
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!gateway.output().contains(escaped) && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    assertThat(gateway.output()).contains(escaped);
    assertThat(gateway.output().lines()).noneMatch(line -> line.contains(marker) && !line.contains(escaped));
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
    LoginForm page = loginForm("demo", "t");
    String request = page.request();
    String csrf = page.csrf();
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

  /** The login page of a new public client's authorization request: its hidden fields. */
  private record LoginForm(String request, String csrf) {}

  private LoginForm loginForm(String backend, String challengeSeed) throws Exception {
    String client = register("{\"redirect_uris\": [\"" + REDIRECT + "\"], \"token_endpoint_auth_method\": \"none\"}");
    HttpResponse<String> page = get(authorize(client, REDIRECT, challenge(challengeSeed), backend));
    return new LoginForm(hidden(page.body(), "request"), hidden(page.body(), "csrf"));
  }

  private HttpResponse<String> revoke(String client, String token) throws Exception {
    return post("/revoke", "application/x-www-form-urlencoded", form("token", token,
        "client_id", client));
  }

  @Test
  void signInsTheBackendAnswersWithoutACredentialAreThrottledToo() throws Exception {
    LoginForm page = loginForm("missing-login", "t404");
    String request = page.request();
    String csrf = page.csrf();
    int[] statuses = new int[6];
    for (int i = 0; i < statuses.length; i++) {
      statuses[i] = signIn("203.0.113.40", request, csrf, "trudy", "guess-" + i);
    }
    // The backend's login answers 404: no guess may go unthrottled because of it.
    assertThat(statuses).containsExactly(503, 503, 503, 503, 503, 429);
  }

  @Test
  void behindATrustedProxyEachClientAddressHasItsOwnBudget() throws Exception {
    LoginForm page = loginForm("demo", "tp");
    String request = page.request();
    String csrf = page.csrf();
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

  /** Opens the authorization request in {@code browser} and signs in; returns the next page. */
  private HttpResponse<String> loginIn(HttpClient browser, String client, String redirect,
      String username, String password, String backend) throws Exception {
    HttpResponse<String> page = browser.send(HttpRequest.newBuilder(
        authorize(client, redirect, challenge(client), backend)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (!page.body().contains("id=\"sign-in\"")) {
      return page; // signed in already in this browser
    }
    HttpResponse<String> login = send(browser, "/authorize/login", form("request",
        hidden(page.body(), "request"), "csrf", hidden(page.body(), "csrf"), "username", username,
        "password", password));
    assertThat(login.statusCode()).as(login.body()).isEqualTo(303);
    return browser.send(HttpRequest.newBuilder(URI.create(login.headers().firstValue("Location")
        .orElseThrow())).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Signs in and approves in {@code browser}; returns the code. */
  private String approveIn(HttpClient browser, String client, String username, String password,
      String backend) throws Exception {
    HttpResponse<String> consent = loginIn(browser, client, REDIRECT, username, password, backend);
    assertThat(consent.statusCode()).isEqualTo(200);
    HttpResponse<String> approved = send(browser, "/authorize/consent", form("request",
        hidden(consent.body(), "request"), "csrf", hidden(consent.body(), "csrf"), "decision", "approve"));
    assertThat(approved.statusCode()).isEqualTo(303);
    return query(URI.create(approved.headers().firstValue("Location").orElseThrow())).get("code");
  }

  private HttpResponse<String> send(HttpClient browser, String path, String form) throws Exception {
    return browser.send(HttpRequest.newBuilder(gateway.uri(path))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /**
   * One HTTP/1.1 exchange over a socket bound to {@code localAddress} (another loopback address:
   * the per-address limits then count it apart from this class's other requests); the raw answer.
   */
  private String raw(String localAddress, String request) throws Exception {
    try (Socket socket = new Socket()) {
      socket.bind(new InetSocketAddress(localAddress, 0));
      socket.connect(new InetSocketAddress("127.0.0.1", gateway.uri("").getPort()), 5_000);
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
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
