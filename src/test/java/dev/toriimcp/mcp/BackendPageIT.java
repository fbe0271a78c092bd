package dev.toriimcp.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.toriimcp.testing.Browser;
import dev.toriimcp.testing.GatewayProcess;
import dev.toriimcp.testing.LargeApisGateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;

/**
 * The page a person gets at {@code /mcp/<backend>}, in a real Chromium: it renders, the copy
 * button puts the MCP URL on the clipboard, the tool filter filters, the console stays clean,
 * the Content-Security-Policy holds (an injected inline script does not run), and axe-core finds
 * no serious accessibility violation. Over plain HTTP: the sign-in pages' security headers, no
 * token needed, and MCP clients' requests answered exactly as before. A large backend (GitHub,
 * 771 tools) links each tool's schema instead of inlining it.
 */
class BackendPageIT {

  private static final Path AXE = Path.of("src/test/node/node_modules/axe-core/axe.min.js");
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static GatewayProcess gateway;

  @BeforeAll
  static void start() throws Exception {
    // Shared with DynamicExposureIT: petstore, GitHub and Kubernetes behind a login broker.
    gateway = LargeApisGateway.get().gateway();
  }

  @Test
  void aBrowserGetsThePageWithTheSignInPagesHeadersAndNoTokenNeeded() throws Exception {
    HttpResponse<String> page = get("/mcp/petstore", "text/html,application/xhtml+xml,*/*;q=0.8");

    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
    assertThat(page.headers().firstValue("Content-Security-Policy").orElse(""))
        .startsWith("default-src 'none'; script-src 'sha256-")
        .contains("frame-ancestors 'none'", "base-uri 'none'", "form-action 'none'")
        .doesNotContain("unsafe-inline", "unsafe-eval");
    assertThat(page.headers().firstValue("X-Frame-Options")).hasValue("DENY");
    assertThat(page.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    assertThat(page.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
    assertThat(page.headers().firstValue("Cache-Control")).hasValue("no-store");
    assertThat(page.body()).contains(gateway.uri("/mcp/petstore").toString(), "findPetsByStatus",
        "claude mcp add --transport http petstore", "code --add-mcp",
        "cursor://anysphere.cursor-deeplink/mcp/install?name=petstore&amp;config=")
        .doesNotContain("AAECAwQF", "127.0.0.1:9");
  }

  @Test
  void mcpClientsAreAnsweredAsBefore() throws Exception {
    HttpResponse<String> stream = get("/mcp/petstore", "text/event-stream");
    assertThat(stream.statusCode()).isEqualTo(401);
    assertThat(stream.headers().firstValue("WWW-Authenticate").orElse("")).startsWith("Bearer ");
    HttpResponse<String> post = HTTP.send(HttpRequest.newBuilder(gateway.uri("/mcp/petstore"))
        .header("Accept", "application/json, text/event-stream, text/html")
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\": \"2.0\", \"id\": 1,"
            + " \"method\": \"tools/list\"}")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(post.statusCode()).isEqualTo(401);
    assertThat(post.headers().firstValue("Content-Type").orElse("")).doesNotContain("html");
  }

  @Test
  void unknownBackendsAndToolsGetAnEscapedNotFoundPage() throws Exception {
    HttpResponse<String> backend = get("/mcp/%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E", "text/html");
    assertThat(backend.statusCode()).isEqualTo(404);
    assertThat(backend.body()).contains("No such backend").doesNotContain("<img");
    HttpResponse<String> tool = get("/mcp/petstore?tool=%3Cimg%20src%3Dx%3E", "text/html");
    assertThat(tool.statusCode()).isEqualTo(404);
    assertThat(tool.body()).contains("&lt;img src=x&gt;").doesNotContain("<img");
  }

  @Test
  void aLargeBackendLinksEachToolsSchemaToItsOwnView() throws Exception {
    HttpResponse<String> page = get("/mcp/github", "text/html");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("href=\"?tool=repos_get\"").doesNotContain("<details>")
        .as("served dynamically under the default exposure")
        .contains("<code>search_tools</code>, <code>describe_tool</code> and <code>call_tool</code>");
    assertThat(page.body().length()).as("the page of 771 tools without their schemas")
        .isLessThan(1_000_000);
    HttpResponse<String> tool = get("/mcp/github?tool=repos_get", "text/html");
    assertThat(tool.statusCode()).isEqualTo(200);
    assertThat(tool.body()).contains("<code>repos_get</code>", "&quot;owner&quot;", "/repos/{owner}/{repo}");
  }

  @Test
  void inARealChromiumThePageWorksHoldsItsPolicyAndPassesAxe() throws Exception {
    assertThat(AXE).as("axe-core from src/test/node (npm ci)").exists();
    ChromeDriver browser = Browser.start();
    try {
      browser.executeCdpCommand("Browser.grantPermissions", Map.of("permissions",
          List.of("clipboardReadWrite", "clipboardSanitizedWrite")));
      String url = gateway.uri("/mcp/petstore").toString();
      browser.get(url);
      assertThat(browser.getTitle()).contains("Swagger Petstore");
      assertThat(browser.findElement(By.tagName("h1")).getText()).contains("Swagger Petstore");
      assertThat(browser.findElement(By.id("mcp-url")).getText()).isEqualTo(url);

      WebElement copy = browser.findElement(By.cssSelector("button[data-copy=mcp-url]"));
      copy.click();
      Object clipboard = browser.executeAsyncScript(
          "const done = arguments[arguments.length - 1];"
              + " navigator.clipboard.readText().then(done, e => done('error: ' + e));");
      assertThat(clipboard).isEqualTo(url);
      assertThat(copy.getText()).isEqualTo("Copied");

      List<WebElement> tools = browser.findElements(By.cssSelector("ul.tools > li"));
      assertThat(tools).hasSize(19);
      browser.findElement(By.id("filter")).sendKeys("pet status");
      List<WebElement> shown = tools.stream().filter(WebElement::isDisplayed).toList();
      assertThat(shown).isNotEmpty().hasSizeLessThan(19)
          .allSatisfy(li -> assertThat(li.getAttribute("data-search")).contains("pet", "status"));
      assertThat(shown.stream().map(li -> li.findElement(By.tagName("code")).getText()))
          .contains("findPetsByStatus").doesNotContain("deleteUser");
      assertThat(browser.findElement(By.id("count")).getText())
          .isEqualTo(shown.size() + " of 19 tools");

      Files.createDirectories(Path.of("target/screenshots"));
      browser.findElement(By.id("filter")).clear();
      browser.navigate().refresh();
      browser.executeScript("window.scrollTo(0, 0)");
      Files.copy(browser.getScreenshotAs(OutputType.FILE).toPath(),
          Path.of("target/screenshots/backend-page.png"), StandardCopyOption.REPLACE_EXISTING);

      browser.executeScript(Files.readString(AXE));
      @SuppressWarnings("unchecked")
      List<Map<String, Object>> violations = (List<Map<String, Object>>) browser.executeAsyncScript(
          "const done = arguments[arguments.length - 1];"
              + " axe.run(document).then(r => done(r.violations.map(v => ({id: v.id, impact:"
              + " v.impact, nodes: v.nodes.length}))), e => done([{id: 'axe failed: ' + e,"
              + " impact: 'critical'}]));");
      assertThat(violations).as("axe-core violations").noneSatisfy(v ->
          assertThat(v.get("impact")).isIn("serious", "critical"));

      List<LogEntry> console = browser.manage().logs().get(LogType.BROWSER).getAll();
      assertThat(console).as("console errors").noneMatch(e -> e.getLevel().intValue()
          >= Level.SEVERE.intValue());

      // The policy holds: an inline script put into the page does not run, and says why.
      browser.executeScript("const s = document.createElement('script');"
          + " s.textContent = 'window.injected = 1'; document.body.appendChild(s);");
      assertThat(browser.executeScript("return window.injected === undefined")).isEqualTo(true);
      assertThat(browser.manage().logs().get(LogType.BROWSER).getAll())
          .anyMatch(e -> e.getMessage().contains("Content Security Policy"));
    } finally {
      browser.quit();
    }
  }

  private static HttpResponse<String> get(String path, String accept) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(gateway.uri("").toString() + path))
        .header("Accept", accept).GET().build(), HttpResponse.BodyHandlers.ofString());
  }
}
