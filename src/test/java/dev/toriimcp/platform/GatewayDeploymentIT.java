package dev.toriimcp.platform;

import static org.assertj.core.api.Assertions.assertThat;

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
 * Deploys the real WAR, as built by {@code mvn package}, to a managed Payara Micro and checks over
 * HTTP that it comes up: configuration loaded, migrations applied, readiness UP.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class GatewayDeploymentIT {

  @Deployment(testable = false)
  static WebArchive gateway() {
    // Deployed at "/" (ROOT) as in production: the OAuth well-known URLs live at the host root.
    return ShrinkWrap.create(WebArchive.class, "ROOT.war")
        .merge(ShrinkWrap.createFromZipFile(WebArchive.class, new File("target/torii-mcp.war")));
  }

  @ArquillianResource URL base;

  private final HttpClient http = HttpClient.newHttpClient();

  /** The test configuration also has a backend whose spec does not exist: it must not matter. */
  @Test
  void healthIsUpOnceConfigurationAndMigrationsAreDone() throws Exception {
    HttpResponse<String> health = get("/health/ready");

    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.body())
        .contains("\"status\":\"UP\"")
        .contains("\"name\":\"torii-mcp\"")
        .contains("\"phase\":\"READY\"")
        .contains("embedded Derby at")
        .contains("it-data");
  }

  @Test
  void isDeployedAtTheHostRoot() throws Exception {
    // Nothing is mapped at "/" yet, but the answer must come from the gateway's JAX-RS
    // application (a JAX-RS 404), not from the server's default web module.
    HttpResponse<String> root = get("/");

    assertThat(base.getPath()).isEqualTo("/");
    assertThat(root.statusCode()).isEqualTo(404);
  }

  @Test
  void aBackendWhoseSpecFailsAnswers503AndOthersStillServe() throws Exception {
    HttpResponse<String> broken = post("/mcp/broken");
    HttpResponse<String> unknown = post("/mcp/nope");
    HttpResponse<String> demo = post("/mcp/demo");

    assertThat(broken.statusCode()).isEqualTo(503);
    assertThat(broken.headers().firstValue("Retry-After")).contains("300");
    assertThat(broken.body()).contains("backend 'broken' is unavailable: its API description could"
        + " not be loaded").doesNotContain("does-not-exist.yaml");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(demo.statusCode()).isNotIn(404, 503);
  }

  @Test
  void startIsRecordedInTheDatabase() throws Exception {
    HttpResponse<String> health = get("/health");

    assertThat(health.body()).containsPattern("\"startups\":\"[1-9][0-9]*\"");
  }

  private HttpResponse<String> post(String path) throws Exception {
    URI uri = URI.create("http://localhost:" + base.getPort() + path);
    return http.send(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(String path) throws Exception {
    // Payara reports a non-loopback address in base; tests speak to loopback only.
    URI uri = URI.create("http://localhost:" + base.getPort() + path);
    return http.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
  }
}
