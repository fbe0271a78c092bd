package dev.toriimcp.oauth;

import static dev.toriimcp.testing.Forms.*;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.toriimcp.testing.GatewayProcess;
import dev.toriimcp.testing.SelfSignedTls;
import java.net.CookieManager;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code private_key_jwt} (RFC 7523; ADR 0023) against a running gateway: a client like ChatGPT,
 * whose client ID metadata document and JWK set are served over HTTPS by a real server on
 * loopback, signs in a user, redeems the code and refreshes with fresh assertions; replayed,
 * mis-addressed, expired and foreign-key assertions, secrets and missing assertions all get
 * {@code invalid_client}. A dynamically registered client with an inline JWK set does the same.
 */
class PrivateKeyJwtIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String REDIRECT = "https://client.example/cb";
  private static final String ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
  /** Documents by path, served over HTTPS on loopback. */
  private static final Map<String, String> DOCUMENTS = new ConcurrentHashMap<>();
  private static final Map<String, AtomicInteger> HITS = new ConcurrentHashMap<>();
  private static HttpsServer documents;
  private static GatewayProcess gateway;
  private static String issuer;

  @BeforeAll
  static void start() throws Exception {
    SelfSignedTls tls = SelfSignedTls.create();
    documents = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    documents.setHttpsConfigurator(new HttpsConfigurator(tls.context()));
    documents.createContext("/", exchange -> {
      String path = exchange.getRequestURI().getPath();
      HITS.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
      String document = DOCUMENTS.get(path);
      byte[] body = (document == null ? "{}" : document).getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.getResponseHeaders().add("Cache-Control", "max-age=300");
      exchange.sendResponseHeaders(document == null ? 404 : 200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    documents.start();
    gateway = GatewayProcess.start("private-key-jwt",
        Path.of("src/test/resources/it/two-backends.yaml"),
        Map.of("TORII_DATA", "target/it-data/private-key-jwt-" + System.nanoTime(),
            "JAVA_TOOL_OPTIONS", tls.trustOptions()));
    gateway.awaitReady(Duration.ofSeconds(300));
    issuer = gateway.uri("").toString();
  }

  @AfterAll
  static void stop() {
    gateway.close();
    documents.stop(0);
  }

  private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
      .build();

  @Test
  void theMetadataAdvertisesPrivateKeyJwtBesideNone() throws Exception {
    JsonNode metadata = JSON.readTree(gateway.get("/.well-known/oauth-authorization-server").body());
    for (String field : new String[] {"token_endpoint_auth_methods_supported",
        "revocation_endpoint_auth_methods_supported"}) {
      assertThat(metadata.path(field).toString()).as(field).contains("\"none\"")
          .contains("\"private_key_jwt\"");
    }
    assertThat(metadata.path("token_endpoint_auth_signing_alg_values_supported").toString())
        .contains("RS256").contains("ES256").doesNotContain("HS256").doesNotContain("none");
  }

  @Test
  void aMetadataDocumentClientWithAJwksUriSignsInAndRefreshes() throws Exception {
    String base = "https://localhost:" + documents.getAddress().getPort() + "/chatgpt";
    String clientId = base + "/client.json";
    RSAKey key = new RSAKeyGenerator(2048).keyID("chatgpt-1").generate();
    DOCUMENTS.put("/chatgpt/jwks.json", new JWKSet(key).toPublicJWKSet().toString());
    DOCUMENTS.put("/chatgpt/client.json", "{\"client_id\": \"" + clientId + "\","
        + " \"client_name\": \"ChatGPT-like\", \"redirect_uris\": [\"" + REDIRECT + "\"],"
        + " \"grant_types\": [\"authorization_code\", \"refresh_token\"],"
        + " \"token_endpoint_auth_method\": \"private_key_jwt\", \"jwks_uri\": \"" + base
        + "/jwks.json\"}");
    String token = issuer + "/token";
    String code = code(clientId, "pkjwt-cimd");

    String codeAssertion = assertion(key, clientId, token, Instant.now());
    JsonNode issued = tokens(form("grant_type", "authorization_code", "code", code,
        "code_verifier", verifier("pkjwt-cimd"), "client_id", clientId,
        "client_assertion_type", ASSERTION_TYPE, "client_assertion", codeAssertion));
    assertThat(issued.path("refresh_token").asText()).isNotEmpty();
    assertThat(mcp(issued.path("access_token").asText()).statusCode()).isEqualTo(200);
    String refresh = issued.path("refresh_token").asText();

    // Every way of not proving the key: invalid_client, and the refresh token is still good.
    assertInvalidClient(refreshForm(refresh, clientId, codeAssertion), "replayed assertion");
    assertInvalidClient(refreshForm(refresh, clientId,
        assertion(key, clientId, "https://elsewhere.example/token", Instant.now())), "wrong aud");
    assertInvalidClient(refreshForm(refresh, clientId,
        assertion(key, clientId, token, Instant.now().minus(Duration.ofMinutes(10)))), "expired");
    RSAKey stranger = new RSAKeyGenerator(2048).keyID("chatgpt-1").generate();
    assertInvalidClient(refreshForm(refresh, clientId, assertion(stranger, clientId, token,
        Instant.now())), "key not in the JWK set");
    assertInvalidClient(form("grant_type", "refresh_token", "refresh_token", refresh,
        "client_id", clientId), "no assertion");
    assertInvalidClient(form("grant_type", "refresh_token", "refresh_token", refresh,
        "client_id", clientId, "client_secret", "guess"), "a secret instead");

    // The client_id may be left out: the assertion names the client (RFC 7521 §4.2).
    JsonNode refreshed = tokens(form("grant_type", "refresh_token", "refresh_token", refresh,
        "client_assertion_type", ASSERTION_TYPE, "client_assertion",
        assertion(key, clientId, issuer, Instant.now())));
    assertThat(refreshed.path("refresh_token").asText()).isNotEqualTo(refresh);
    assertThat(mcp(refreshed.path("access_token").asText()).statusCode()).isEqualTo(200);
    assertThat(HITS.get("/chatgpt/jwks.json").get()).as("the JWK set is cached").isEqualTo(1);
  }

  @Test
  void aRegisteredClientWithAnInlineJwkSetAuthenticatesAtTokenAndRevoke() throws Exception {
    ECKey key = new ECKeyGenerator(Curve.P_256).keyID("dcr-1").generate();
    HttpResponse<String> registered = post("/register", "application/json", "{\"client_name\":"
        + " \"Keyed\", \"redirect_uris\": [\"" + REDIRECT + "\"], \"grant_types\":"
        + " [\"authorization_code\", \"refresh_token\"], \"token_endpoint_auth_method\":"
        + " \"private_key_jwt\", \"jwks\": " + new JWKSet(key).toPublicJWKSet() + "}");
    assertThat(registered.statusCode()).as(registered.body()).isEqualTo(201);
    JsonNode registration = JSON.readTree(registered.body());
    assertThat(registration.has("client_secret")).isFalse();
    assertThat(registration.path("token_endpoint_auth_method").asText()).isEqualTo("private_key_jwt");
    assertThat(registration.path("jwks").path("keys").get(0).path("kid").asText()).isEqualTo("dcr-1");
    assertThat(registration.path("jwks").toString()).doesNotContain("\"d\"");
    String clientId = registration.path("client_id").asText();

    JsonNode issued = tokens(form("grant_type", "authorization_code", "code",
        code(clientId, "pkjwt-dcr"), "code_verifier", verifier("pkjwt-dcr"), "client_id", clientId,
        "client_assertion_type", ASSERTION_TYPE, "client_assertion",
        assertion(key, clientId, issuer + "/token", Instant.now())));
    String access = issued.path("access_token").asText();
    assertThat(mcp(access).statusCode()).isEqualTo(200);

    HttpResponse<String> unauthenticated = post("/revoke", "application/x-www-form-urlencoded",
        form("token", access, "client_id", clientId));
    assertThat(unauthenticated.statusCode()).isEqualTo(401);
    HttpResponse<String> revoked = post("/revoke", "application/x-www-form-urlencoded",
        form("token", access, "client_assertion_type", ASSERTION_TYPE, "client_assertion",
            assertion(key, clientId, issuer + "/revoke", Instant.now())));
    assertThat(revoked.statusCode()).as(revoked.body()).isEqualTo(200);
    assertThat(mcp(access).statusCode()).isEqualTo(401);
  }

  @Test
  void aPublicClientPresentingAnAssertionIsRefused() throws Exception {
    HttpResponse<String> registered = post("/register", "application/json", "{\"redirect_uris\":"
        + " [\"" + REDIRECT + "\"], \"token_endpoint_auth_method\": \"none\"}");
    String clientId = JSON.readTree(registered.body()).path("client_id").asText();
    RSAKey key = new RSAKeyGenerator(2048).generate();
    assertInvalidClient(form("grant_type", "authorization_code", "code", "x", "code_verifier",
        verifier("x"), "client_id", clientId, "client_assertion_type", ASSERTION_TYPE,
        "client_assertion", assertion(key, clientId, issuer, Instant.now())), "none client");
  }

  @Test
  void registrationsWithoutUsableKeysAreRefused() throws Exception {
    RSAKey key = new RSAKeyGenerator(2048).generate();
    for (String keys : new String[] {"", ", \"jwks_uri\": \"http://client.example/jwks\"",
        ", \"jwks\": " + new JWKSet(key).toString(false)}) {
      HttpResponse<String> refused = post("/register", "application/json", "{\"redirect_uris\":"
          + " [\"" + REDIRECT + "\"], \"token_endpoint_auth_method\": \"private_key_jwt\"" + keys + "}");
      assertThat(refused.statusCode()).as(keys).isEqualTo(400);
      assertThat(JSON.readTree(refused.body()).path("error").asText()).as(keys)
          .isEqualTo("invalid_client_metadata");
    }
  }

  // --- helpers -----------------------------------------------------------------------------

  private static String assertion(JWK key, String clientId, String audience, Instant issued)
      throws Exception {
    JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(clientId).subject(clientId)
        .audience(audience).issueTime(Date.from(issued))
        .expirationTime(Date.from(issued.plusSeconds(60))).jwtID(UUID.randomUUID().toString())
        .build();
    SignedJWT jwt;
    if (key instanceof RSAKey rsa) {
      jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(rsa.getKeyID())
          .type(JOSEObjectType.JWT).build(), claims);
      jwt.sign(new RSASSASigner(rsa));
    } else {
      jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID()).build(),
          claims);
      jwt.sign(new ECDSASigner((ECKey) key));
    }
    return jwt.serialize();
  }

  private static String refreshForm(String refresh, String clientId, String assertion) {
    return form("grant_type", "refresh_token", "refresh_token", refresh, "client_id", clientId,
        "client_assertion_type", ASSERTION_TYPE, "client_assertion", assertion);
  }

  private void assertInvalidClient(String form, String what) throws Exception {
    HttpResponse<String> response = post("/token", "application/x-www-form-urlencoded", form);
    assertThat(response.statusCode()).as(what + ": " + response.body()).isEqualTo(401);
    JsonNode error = JSON.readTree(response.body());
    assertThat(error.path("error").asText()).as(what).isEqualTo("invalid_client");
    assertThat(error.path("error_description").asText()).as(what)
        .isEqualTo("client authentication failed");
  }

  /** Runs the browser part of the flow (user bob) with a fresh cookie jar; returns the code. */
  private String code(String client, String verifierSeed) throws Exception {
    HttpClient browser = HttpClient.newBuilder().cookieHandler(new CookieManager())
        .followRedirects(HttpClient.Redirect.NEVER).build();
    URI authorize = gateway.uri("/authorize?response_type=code&client_id=" + enc(client)
        + "&redirect_uri=" + enc(REDIRECT) + "&code_challenge=" + challenge(verifierSeed)
        + "&code_challenge_method=S256&state=s&resource=" + enc(issuer + "/mcp/demo"));
    HttpResponse<String> login = browser.send(HttpRequest.newBuilder(authorize).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
    HttpResponse<String> loggedIn = send(browser, "/authorize/login", form("request",
        hidden(login.body(), "request"), "csrf", hidden(login.body(), "csrf"), "username", "bob",
        "password", "builder"));
    assertThat(loggedIn.statusCode()).as(loggedIn.body()).isEqualTo(303);
    HttpResponse<String> consent = browser.send(HttpRequest.newBuilder(
        URI.create(loggedIn.headers().firstValue("Location").orElseThrow())).build(),
        HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> approved = send(browser, "/authorize/consent", form("request",
        hidden(consent.body(), "request"), "csrf", hidden(consent.body(), "csrf"),
        "decision", "approve"));
    assertThat(approved.statusCode()).as(approved.body()).isEqualTo(303);
    return query(URI.create(approved.headers().firstValue("Location").orElseThrow())).get("code");
  }

  private HttpResponse<String> send(HttpClient browser, String path, String form) throws Exception {
    return browser.send(HttpRequest.newBuilder(gateway.uri(path))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode tokens(String form) throws Exception {
    HttpResponse<String> response = post("/token", "application/x-www-form-urlencoded", form);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  private HttpResponse<String> mcp(String token) throws Exception {
    return http.send(HttpRequest.newBuilder(gateway.uri("/mcp/demo"))
        .header("Authorization", "Bearer " + token)
        .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": \"ping\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
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
