package dev.toriimcp.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The MCP authorization flow of an {@code auth.type: oauth2} backend driven by a plain HTTP
 * client with a cookie jar, one hop at a time (every redirect is followed by hand, so a test can
 * stop at or tamper with any of them): the gateway's {@code /authorize}, the identity provider's
 * authorization endpoint, the gateway's callback, the consent page, the code exchange. Also
 * writes the configuration of such gateways.
 */
public final class BrokeredSignIn {

  /** The MCP client's redirect URI of {@link #register}. */
  public static final String REDIRECT = "http://127.0.0.1/callback";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final GatewayProcess gateway;
  private final HttpClient browser = HttpClient.newBuilder().cookieHandler(new CookieManager())
      .followRedirects(HttpClient.Redirect.NEVER).build();
  private String clientId;
  private String verifier;

  public BrokeredSignIn(GatewayProcess gateway) {
    this.gateway = gateway;
  }

  /** One oauth2 backend of {@link #config}: its name, base URL and its {@code auth} mapping. */
  public record Backend(String name, String baseUrl, String auth) {}

  /**
   * A gateway configuration ({@code target/it-config/<name>.yaml}) whose backends are
   * petstore-v3 from the corpus, with its own Derby directory, a test sealing key, and the
   * pre-registered client {@code configured-app} (redirect {@code https://client.example/cb}).
   */
  public static Path config(String name, Path derby, Backend... backends) throws IOException {
    String spec = SpecCorpus.named("petstore-v3.yaml").root().toAbsolutePath().normalize()
        .toString();
    List<String> lines = new ArrayList<>(List.of("public_url: ${TORII_PUBLIC_URL}", "backends:"));
    for (Backend backend : backends) {
      lines.addAll(List.of("  - name: " + backend.name(), "    spec_url: " + spec,
          "    base_url: " + backend.baseUrl(), "    auth: " + backend.auth()));
    }
    lines.addAll(List.of(
        "storage: {derby_directory: " + derby + "}",
        "sealing: {keys: [{id: k, secret: AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=}]}",
        "clients:",
        "  - {client_id: configured-app, client_name: Configured App,"
            + " redirect_uris: [\"https://client.example/cb\"]}", ""));
    Path config = Files.createDirectories(Path.of("target/it-config")).resolve(name + ".yaml");
    Files.writeString(config, String.join("\n", lines));
    return config;
  }

  /**
   * Has the provider answer its metadata and keys once, so that its first answers (class
   * loading, templates) are not what a loaded machine's gateway waits for at start.
   */
  public static void warmUp(URI... documents) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    for (URI document : documents) {
      HttpResponse<String> answer = http.send(HttpRequest.newBuilder(document).build(),
          HttpResponse.BodyHandlers.ofString());
      if (answer.statusCode() != 200) {
        throw new AssertionError(document + ": HTTP " + answer.statusCode());
      }
    }
  }

  /** Registers a public client with {@link #REDIRECT} (dynamic registration). */
  public BrokeredSignIn register() throws Exception {
    HttpResponse<String> registered = browser.send(HttpRequest.newBuilder(gateway.uri("/register"))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
            "{\"client_name\": \"Test\", \"redirect_uris\": [\"" + REDIRECT + "\"],"
                + " \"grant_types\": [\"authorization_code\", \"refresh_token\"],"
                + " \"token_endpoint_auth_method\": \"none\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
    clientId = JSON.readTree(registered.body()).path("client_id").asText();
    return this;
  }

  /** Uses the configured client {@code configured-app} instead (trusted redirect URI). */
  public BrokeredSignIn configured() {
    clientId = "configured-app";
    return this;
  }

  public String clientId() {
    return clientId;
  }

  /** The gateway's answer to a valid authorization request for the backend. */
  public HttpResponse<String> authorize(String backend) throws Exception {
    verifier = Base64.getUrlEncoder().withoutPadding().encodeToString(
        MessageDigest.getInstance("SHA-256").digest(String.valueOf(System.nanoTime())
            .getBytes(StandardCharsets.UTF_8)));
    String challenge = Base64.getUrlEncoder().withoutPadding().encodeToString(MessageDigest
        .getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
    String redirect = clientId.equals("configured-app") ? "https://client.example/cb" : REDIRECT;
    return get(gateway.uri("/authorize?response_type=code&client_id=" + Forms.enc(clientId)
        + "&redirect_uri=" + Forms.enc(redirect) + "&code_challenge=" + challenge
        + "&code_challenge_method=S256&state=client-state&resource="
        + Forms.enc(gateway.uri("/mcp/" + backend).toString())));
  }

  /** A GET with this browser's cookies. */
  public HttpResponse<String> get(URI uri) throws Exception {
    return browser.send(HttpRequest.newBuilder(uri).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Follows the {@code Location} of a redirect. */
  public HttpResponse<String> follow(HttpResponse<String> redirect) throws Exception {
    return get(location(redirect));
  }

  public static URI location(HttpResponse<String> redirect) {
    return URI.create(redirect.headers().firstValue("Location").orElseThrow(
        () -> new AssertionError("no redirect: HTTP " + redirect.statusCode() + " "
            + redirect.body())));
  }

  /** Approves on the consent page; the answer is the redirect to the MCP client. */
  public HttpResponse<String> approve(HttpResponse<String> consentPage) throws Exception {
    String page = consentPage.body();
    return browser.send(HttpRequest.newBuilder(gateway.uri("/authorize/consent"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString("request="
            + Forms.enc(Forms.hidden(page, "request")) + "&csrf="
            + Forms.enc(Forms.hidden(page, "csrf")) + "&decision=approve")).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Redeems the MCP code of the redirect to the client; the token endpoint's JSON. */
  public Map<String, Object> redeem(HttpResponse<String> toClient) throws Exception {
    String code = Forms.query(location(toClient)).get("code");
    HttpResponse<String> tokens = browser.send(HttpRequest.newBuilder(gateway.uri("/token"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString("grant_type=authorization_code&code="
            + Forms.enc(code) + "&code_verifier=" + verifier + "&client_id="
            + Forms.enc(clientId))).build(), HttpResponse.BodyHandlers.ofString());
    if (tokens.statusCode() != 200) {
      throw new AssertionError("token endpoint: HTTP " + tokens.statusCode() + " " + tokens.body());
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> issued = JSON.readValue(tokens.body(), Map.class);
    return issued;
  }

  /**
   * The whole flow against an identity provider that signs the user in without a page
   * (mock-oauth2-server with {@code interactiveLogin=false}): the MCP access token.
   */
  public String mcpToken(String backend) throws Exception {
    HttpResponse<String> toProvider = authorize(backend);
    HttpResponse<String> toCallback = follow(toProvider);
    HttpResponse<String> toConsent = follow(toCallback);
    if (toConsent.statusCode() != 303) {
      throw new AssertionError("callback: HTTP " + toConsent.statusCode() + " " + toConsent.body());
    }
    HttpResponse<String> toClient = approve(follow(toConsent));
    return (String) redeem(toClient).get("access_token");
  }

  /** A {@code tools/call} on the backend with the MCP token. */
  public static HttpResponse<String> call(GatewayProcess gateway, String backend, String mcpToken,
      String tool, String arguments) throws Exception {
    return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(
        HttpRequest.newBuilder(gateway.uri("/mcp/" + backend))
            .header("Authorization", "Bearer " + mcpToken).header("Content-Type", "application/json")
            .header("Accept", "application/json, text/event-stream")
            .header("MCP-Protocol-Version", "2025-11-25")
            .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\":"
                + " \"tools/call\", \"params\": {\"name\": \"" + tool + "\", \"arguments\": "
                + arguments + "}}")).build(), HttpResponse.BodyHandlers.ofString());
  }
}
