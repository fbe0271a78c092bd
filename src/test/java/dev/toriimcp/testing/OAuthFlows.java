package dev.toriimcp.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;

/**
 * Obtains an access token from a running gateway the way a client and its user do: dynamic
 * registration, the authorization request with PKCE, the login-broker and consent pages (with a
 * cookie jar), and the code exchange. For tests whose subject is what comes after.
 */
public final class OAuthFlows {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String REDIRECT = "http://127.0.0.1/callback";

  private OAuthFlows() {}

  /** What the code exchange gave a public client: its id and the two tokens. */
  public record Issued(String clientId, String accessToken, String refreshToken) {}

  public static String accessToken(GatewayProcess gateway, String backend, String username,
      String password) throws Exception {
    return tokens(gateway, backend, username, password).accessToken();
  }

  public static Issued tokens(GatewayProcess gateway, String backend, String username,
      String password) throws Exception {
    return tokens(gateway.uri(""), gateway.uri(""), backend, username, password);
  }

  /**
   * The same flow sent to {@code via} (one node of several, or their load balancer) for a
   * gateway whose {@code public_url} is {@code publicUrl}: the resource is named by the public
   * URL, and every redirect to it is followed at {@code via} instead.
   */
  public static Issued tokens(URI via, URI publicUrl, String backend, String username,
      String password) throws Exception {
    java.util.function.Function<String, URI> at = path -> URI.create(via + path);
    HttpClient browser = HttpClient.newBuilder().cookieHandler(new CookieManager())
        .followRedirects(HttpClient.Redirect.NEVER).build();
    HttpResponse<String> registered = browser.send(HttpRequest.newBuilder(at.apply("/register"))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
            "{\"client_name\": \"Test\", \"redirect_uris\": [\"" + REDIRECT + "\"],"
                + " \"grant_types\": [\"authorization_code\", \"refresh_token\"],"
                + " \"token_endpoint_auth_method\": \"none\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
    String client = JSON.readTree(registered.body()).path("client_id").asText();
    String verifier = Base64.getUrlEncoder().withoutPadding().encodeToString(
        MessageDigest.getInstance("SHA-256").digest((client + username).getBytes(StandardCharsets.UTF_8)));
    String challenge = Base64.getUrlEncoder().withoutPadding().encodeToString(MessageDigest
        .getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
    URI authorize = at.apply("/authorize?response_type=code&client_id=" + Forms.enc(client)
        + "&redirect_uri=" + Forms.enc(REDIRECT) + "&code_challenge=" + challenge
        + "&code_challenge_method=S256&state=s&resource=" + Forms.enc(publicUrl + "/mcp/" + backend));
    String page = browser.send(HttpRequest.newBuilder(authorize).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    String request = Forms.hidden(page, "request");
    HttpResponse<String> login = browser.send(HttpRequest.newBuilder(at.apply("/authorize/login"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString("request=" + Forms.enc(request) + "&csrf="
            + Forms.enc(Forms.hidden(page, "csrf")) + "&username=" + Forms.enc(username) + "&password=" + Forms.enc(password)))
        .build(), HttpResponse.BodyHandlers.ofString());
    if (login.statusCode() != 303) {
      throw new AssertionError("login failed: HTTP " + login.statusCode());
    }
    String consent = browser.send(HttpRequest.newBuilder(
        rebase(URI.create(login.headers().firstValue("Location").orElseThrow()), publicUrl, via)).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    HttpResponse<String> approved = browser.send(HttpRequest.newBuilder(at.apply("/authorize/consent"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString("request=" + Forms.enc(request) + "&csrf="
            + Forms.enc(Forms.hidden(consent, "csrf")) + "&decision=approve")).build(),
        HttpResponse.BodyHandlers.ofString());
    String query = URI.create(approved.headers().firstValue("Location").orElseThrow()).getRawQuery();
    String code = null;
    for (String pair : query.split("&")) {
      if (pair.startsWith("code=")) {
        code = URLDecoder.decode(pair.substring(5), StandardCharsets.UTF_8);
      }
    }
    HttpResponse<String> tokens = browser.send(HttpRequest.newBuilder(at.apply("/token"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString("grant_type=authorization_code&code=" + Forms.enc(code)
            + "&code_verifier=" + verifier + "&client_id=" + Forms.enc(client))).build(),
        HttpResponse.BodyHandlers.ofString());
    var issued = JSON.readTree(tokens.body());
    return new Issued(client, issued.path("access_token").asText(), issued.path("refresh_token").asText(null));
  }

  /** The refresh grant for a public client: the token endpoint's status and body. */
  public static HttpResponse<String> refresh(GatewayProcess gateway, Issued issued) throws Exception {
    return refresh(gateway.uri(""), issued);
  }

  /** The refresh grant sent to {@code via}, a node or the load balancer in front of several. */
  public static HttpResponse<String> refresh(URI via, Issued issued) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(via + "/token"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString("grant_type=refresh_token&refresh_token="
            + Forms.enc(issued.refreshToken()) + "&client_id=" + Forms.enc(issued.clientId()))).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** RFC 7009 revocation of the access token by its public client, sent to {@code via}. */
  public static HttpResponse<String> revoke(URI via, Issued issued) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(via + "/revoke"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString("token=" + Forms.enc(issued.accessToken())
            + "&token_type_hint=access_token&client_id=" + Forms.enc(issued.clientId()))).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** {@code location} with the public URL's origin and base path replaced by {@code via}'s. */
  private static URI rebase(URI location, URI publicUrl, URI via) {
    String text = location.toString();
    return text.startsWith(publicUrl.toString())
        ? URI.create(via + text.substring(publicUrl.toString().length())) : location;
  }
}
