package dev.toriimcp.oauth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * OAuth discovery against the deployed WAR: the 401 challenge of {@code /mcp/<backend>}, RFC 9728
 * and RFC 8414 documents, CORS where allowed and nowhere else (research §5.1 RS-1/2/5, §5.3).
 * The test configuration's public_url is {@code http://localhost:8080}.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class OAuthDiscoveryIT {

  private static final String ISSUER = "http://localhost:8080";
  private static final ObjectMapper JSON = new ObjectMapper();

  @Deployment(testable = false)
  static WebArchive gateway() {
    return ShrinkWrap.create(WebArchive.class, "ROOT.war")
        .merge(ShrinkWrap.createFromZipFile(WebArchive.class, new File("target/torii-mcp.war")));
  }

  @ArquillianResource URL base;

  private final HttpClient http = HttpClient.newHttpClient();

  private HttpResponse<String> send(String method, String path, String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(
        URI.create("http://localhost:" + base.getPort() + path));
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    request.method(method, method.equals("POST")
        ? HttpRequest.BodyPublishers.ofString("{}") : HttpRequest.BodyPublishers.noBody());
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void anUnauthenticatedMcpRequestGetsTheChallenge() throws Exception {
    HttpResponse<String> response = send("POST", "/mcp/demo", "Content-Type", "application/json");

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.headers().allValues("WWW-Authenticate")).containsExactly(
        "Bearer resource_metadata=\"" + ISSUER + "/.well-known/oauth-protected-resource/mcp/demo\","
            + " scope=\"demo\"");
    assertThat(response.headers().firstValue("Access-Control-Expose-Headers"))
        .contains("WWW-Authenticate");
  }

  @Test
  void anInvalidTokenIsInvalidAndAQueryTokenIsNoCredential() throws Exception {
    HttpResponse<String> garbage = send("POST", "/mcp/demo", "Authorization", "Bearer garbage");
    HttpResponse<String> query = send("POST", "/mcp/demo?access_token=anything");

    assertThat(garbage.statusCode()).isEqualTo(401);
    assertThat(garbage.headers().firstValue("WWW-Authenticate").orElseThrow())
        .endsWith(", error=\"invalid_token\"");
    assertThat(query.statusCode()).isEqualTo(401);
    assertThat(query.headers().firstValue("WWW-Authenticate").orElseThrow()).doesNotContain("error=");
  }

  @Test
  void servesProtectedResourceMetadataPerBackend() throws Exception {
    HttpResponse<String> response = send("GET", "/.well-known/oauth-protected-resource/mcp/demo");
    JsonNode document = JSON.readTree(response.body());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
        type -> assertThat(type).startsWith("application/json"));
    assertThat(document.path("resource").asText()).isEqualTo(ISSUER + "/mcp/demo");
    assertThat(document.path("authorization_servers").toString()).isEqualTo("[\"" + ISSUER + "\"]");
    assertThat(document.path("scopes_supported").toString()).isEqualTo("[\"demo\"]");
    assertThat(send("HEAD", "/.well-known/oauth-protected-resource/mcp/demo").statusCode()).isEqualTo(200);
  }

  @Test
  void unknownDiscoveryDocumentsAreJson404s() throws Exception {
    for (String path : new String[] {"/.well-known/oauth-protected-resource/mcp/nope",
        "/.well-known/oauth-protected-resource", "/.well-known/something-else"}) {
      HttpResponse<String> response = send("GET", path);
      assertThat(response.statusCode()).as(path).isEqualTo(404);
      assertThat(JSON.readTree(response.body()).path("error").asText()).as(path).isEqualTo("not_found");
    }
  }

  @Test
  void servesTheSameAuthorizationServerMetadataAtBothLocations() throws Exception {
    JsonNode oauth = JSON.readTree(send("GET", "/.well-known/oauth-authorization-server").body());
    JsonNode openid = JSON.readTree(send("GET", "/.well-known/openid-configuration",
        "MCP-Protocol-Version", "2025-11-25").body());

    assertThat(openid).isEqualTo(oauth);
    assertThat(oauth.path("issuer").asText()).isEqualTo(ISSUER);
    assertThat(oauth.path("authorization_endpoint").asText()).isEqualTo(ISSUER + "/authorize");
    assertThat(oauth.path("token_endpoint").asText()).isEqualTo(ISSUER + "/token");
    assertThat(oauth.path("registration_endpoint").asText()).isEqualTo(ISSUER + "/register");
    assertThat(oauth.path("code_challenge_methods_supported").toString()).isEqualTo("[\"S256\"]");
    assertThat(oauth.path("response_types_supported").toString()).isEqualTo("[\"code\"]");
    assertThat(oauth.path("client_id_metadata_document_supported").asBoolean()).isTrue();
    assertThat(oauth.path("token_endpoint_auth_methods_supported").toString()).contains("\"none\"");
    assertThat(oauth.path("authorization_response_iss_parameter_supported").asBoolean()).isTrue();
  }

  @Test
  void corsOnDiscoveryAndNeverOnAuthorize() throws Exception {
    HttpResponse<String> preflight = send("OPTIONS", "/.well-known/oauth-authorization-server",
        "Origin", "http://localhost:6274", "Access-Control-Request-Method", "GET");
    HttpResponse<String> get = send("GET", "/.well-known/oauth-protected-resource/mcp/demo",
        "Origin", "http://localhost:6274");
    HttpResponse<String> authorize = send("OPTIONS", "/authorize",
        "Origin", "http://localhost:6274", "Access-Control-Request-Method", "GET");

    assertThat(preflight.statusCode()).isEqualTo(204);
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).contains("*");
    assertThat(get.headers().firstValue("Access-Control-Allow-Origin")).contains("*");
    assertThat(authorize.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
  }
}
