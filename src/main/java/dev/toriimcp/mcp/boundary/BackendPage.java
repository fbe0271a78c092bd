package dev.toriimcp.mcp.boundary;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.toriimcp.catalog.control.CatalogCompilation;
import dev.toriimcp.catalog.entity.BackendCatalog;
import dev.toriimcp.catalog.entity.CatalogSummary;
import dev.toriimcp.catalog.entity.CompiledTool;
import dev.toriimcp.catalog.entity.ToolCatalog;
import dev.toriimcp.platform.boundary.Html;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The page a person gets when a browser opens {@code /mcp/<backend>}: what the backend is, its
 * MCP URL with a copy button, how to add it to the common MCP clients, and its tools with their
 * descriptions and input schemas, filterable, with the context cost of the whole list. It needs
 * no token and shows nothing that {@code tools/list} does not already give any signed-in user.
 *
 * <p>The page is static per catalog, so it is rendered once per catalog and then served from
 * memory; its one script and one style sheet are inline and allowed by their hashes in the
 * Content-Security-Policy, which otherwise allows nothing (no requests, no frames, no forms).
 */
final class BackendPage {

  /** Above this size of {@code tools/list}, schemas are on each tool's own view, not inline. */
  static final long INLINE_SCHEMAS_UP_TO = 512 * 1024;
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final String STYLE = """
      body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;\
      color:#1b1b1b;line-height:1.45}\
      h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem}\
      h3{font-size:1rem;margin:1rem 0 .3rem}\
      code,pre{font-family:ui-monospace,monospace;font-size:.88rem}\
      pre{background:#f3f3f3;padding:.6rem;overflow:auto;max-height:24rem}\
      .url{display:flex;gap:.5rem;align-items:center;flex-wrap:wrap}\
      .url code{background:#f3f3f3;padding:.4rem .6rem;font-size:1rem}\
      button{padding:.35rem .8rem;font:inherit}\
      .muted{color:#4a4a4a}\
      ul.tools{list-style:none;padding:0}ul.tools>li{border-top:1px solid #ddd;padding:.6rem 0}\
      .method{display:inline-block;min-width:4.2rem;font-weight:600}\
      label{font-weight:600;margin-right:.5rem}input[type=search]{padding:.35rem;width:20rem;\
      max-width:100%}\
      a{color:#0b57d0}""";

  private static final String SCRIPT = """
      for (const button of document.querySelectorAll('button[data-copy]')) {
        button.addEventListener('click', async () => {
          const text = document.getElementById(button.dataset.copy).textContent;
          try {
            await navigator.clipboard.writeText(text);
            button.textContent = 'Copied';
          } catch (e) {
            button.textContent = 'Select and copy by hand';
          }
          setTimeout(() => { button.textContent = 'Copy'; }, 2500);
        });
      }
      const filter = document.getElementById('filter');
      if (filter) {
        const items = Array.from(document.querySelectorAll('ul.tools > li'));
        const count = document.getElementById('count');
        filter.addEventListener('input', () => {
          const terms = filter.value.toLowerCase().split(/\\s+/).filter(Boolean);
          let shown = 0;
          for (const item of items) {
            const match = terms.every(term => item.dataset.search.includes(term));
            item.hidden = !match;
            if (match) shown++;
          }
          count.textContent = shown + ' of ' + items.length + ' tools';
        });
      }
      """;

  static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src '"
      + sha256(SCRIPT) + "'; style-src '" + sha256(STYLE) + "'; frame-ancestors 'none';"
      + " base-uri 'none'; form-action 'none'";

  private record Rendered(ToolCatalog catalog, byte[] html) {}

  private final Map<String, Rendered> rendered = new ConcurrentHashMap<>();

  /** A browser asking for a page: GET, HTML accepted, and not an MCP client's event stream. */
  static boolean wanted(HttpServletRequest request) {
    String accept = request.getHeader("Accept");
    if (!"GET".equals(request.getMethod()) || accept == null) {
      return false;
    }
    String lower = accept.toLowerCase(Locale.ROOT);
    return lower.contains("text/html") && !lower.contains("text/event-stream");
  }

  /** Answers the page for {@code backend} (null when there is no such backend). */
  void serve(HttpServletRequest request, HttpServletResponse response, String backend,
      BackendCatalog catalog, URI mcpUrl) throws IOException {
    if (catalog == null) {
      write(response, 404, page("No such backend", "<h1>No such backend</h1><p>This gateway"
          + " has no backend named <code>" + escape(backend) + "</code>.</p>"));
      return;
    }
    if (!(catalog instanceof BackendCatalog.Ready ready)) {
      response.setHeader("Retry-After", "60");
      write(response, 503, page(backend + " is unavailable", "<h1>" + escape(backend)
          + " is unavailable</h1><p>Its API description could not be loaded; the gateway's"
          + " log names the problem. Try again later.</p>"));
      return;
    }
    String tool = request.getParameter("tool");
    if (tool != null) {
      CompiledTool found = ready.catalog().tool(tool).orElse(null);
      if (found == null) {
        write(response, 404, page("No such tool", "<h1>No such tool</h1><p>" + escape(backend)
            + " has no tool named <code>" + escape(tool) + "</code>. <a href=\"" + escape(
                mcpUrl.getRawPath()) + "\">All tools</a></p>"));
      } else {
        write(response, 200, toolPage(ready.catalog(), found, mcpUrl));
      }
      return;
    }
    Rendered page = rendered.compute(backend, (name, previous) ->
        previous != null && previous.catalog() == ready.catalog() ? previous
            : new Rendered(ready.catalog(), backendPage(ready.catalog(), mcpUrl)
                .getBytes(StandardCharsets.UTF_8)));
    write(response, 200, page.html());
  }

  private static String backendPage(ToolCatalog catalog, URI mcpUrl) {
    CatalogSummary summary = CatalogCompilation.summary(new BackendCatalog.Ready(catalog));
    String name = catalog.backend();
    String url = mcpUrl.toString();
    String title = catalog.title() == null ? name : catalog.title();
    boolean inline = summary.toolsListBytes() <= INLINE_SCHEMAS_UP_TO;
    StringBuilder body = new StringBuilder(8192);
    body.append("<header><h1>").append(escape(title)).append("</h1><p class=\"muted\">")
        .append("An MCP server of this torii-mcp gateway: backend <code>").append(escape(name))
        .append("</code>, ").append(catalog.tools().size()).append(" tools. Connect an AI"
            + " assistant to it with the URL below; it asks you to sign in to the API when you"
            + " connect, and calls the API as you.</p></header><main>");
    body.append("<h2 id=\"url-heading\">MCP URL</h2><div class=\"url\"><code id=\"mcp-url\">")
        .append(escape(url)).append("</code><button type=\"button\" data-copy=\"mcp-url\""
            + " aria-describedby=\"url-heading\">Copy</button></div>");
    body.append("<h2>Add it to your assistant</h2>");
    body.append("<h3>Claude (claude.ai and Claude Desktop)</h3><p>Settings › Connectors ›"
        + " <em>Add custom connector</em>, paste the URL, then <em>Connect</em> and sign in.</p>");
    String claudeCode = "claude mcp add --transport http " + name + " " + url;
    body.append("<h3>Claude Code</h3>").append(command("claude-code", claudeCode));
    body.append("<h3>ChatGPT</h3><p>Settings › Apps &amp; Connectors › Advanced settings:"
        + " turn on <em>Developer mode</em>; then <em>Create</em> a connector with the URL and"
        + " OAuth authentication, and sign in.</p>");
    String cursorConfig = "{\"url\":\"" + jsonString(url) + "\"}";
    String cursorLink = "cursor://anysphere.cursor-deeplink/mcp/install?name="
        + URLEncoder.encode(name, StandardCharsets.UTF_8) + "&config="
        + URLEncoder.encode(Base64.getEncoder().encodeToString(
            cursorConfig.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
    body.append("<h3>Cursor</h3><p><a href=\"").append(escape(cursorLink))
        .append("\">Add to Cursor</a>, or in <code>~/.cursor/mcp.json</code>:</p>")
        .append(command("cursor-json", "{\"mcpServers\": {\"" + jsonString(name) + "\": "
            + cursorConfig + "}}"));
    String vsCodeConfig = "{\"name\":\"" + jsonString(name) + "\",\"type\":\"http\",\"url\":\""
        + jsonString(url) + "\"}";
    String vsCodeLink = "vscode:mcp/install?" + URLEncoder.encode(vsCodeConfig,
        StandardCharsets.UTF_8).replace("+", "%20");
    body.append("<h3>VS Code</h3><p><a href=\"").append(escape(vsCodeLink))
        .append("\">Add to VS Code</a>, or:</p>")
        .append(command("vscode", "code --add-mcp '" + vsCodeConfig + "'"));

    body.append("<h2>Tools</h2><p>The whole tool list costs about <strong>")
        .append(String.format(Locale.ROOT, "%,d", summary.estimatedTokens()))
        .append(" tokens</strong> of the assistant's context (")
        .append(String.format(Locale.ROOT, "%,d", summary.toolsListBytes()))
        .append(" bytes of <code>tools/list</code>).");
    if (catalog.dynamic()) {
      body.append(" Too much to show an assistant at once, so it is shown three tools instead,"
          + " <code>search_tools</code>, <code>describe_tool</code> and <code>call_tool</code>,"
          + " and searches for the one a task needs.");
    }
    body.append("</p>");
    body.append("<p><label for=\"filter\">Filter tools</label><input id=\"filter\""
        + " type=\"search\" autocomplete=\"off\" placeholder=\"e.g. pet status\"> <span"
        + " id=\"count\" role=\"status\" aria-live=\"polite\">").append(catalog.tools().size())
        .append(" of ").append(catalog.tools().size()).append(" tools</span></p>");
    body.append("<ul class=\"tools\">");
    for (CompiledTool tool : catalog.tools()) {
      String summaryLine = firstLine(tool.title() != null ? tool.title() : tool.description());
      String search = (tool.name() + " " + tool.binding().reference() + " " + summaryLine + " "
          + (tool.description() == null ? "" : tool.description())).toLowerCase(Locale.ROOT);
      body.append("<li data-search=\"").append(escape(search)).append("\"><h3><code>")
          .append(escape(tool.name())).append("</code></h3><p><span class=\"method\">")
          .append(escape(tool.binding().method())).append("</span><code>")
          .append(escape(tool.binding().pathTemplate())).append("</code></p>");
      if (!summaryLine.isEmpty()) {
        body.append("<p>").append(escape(summaryLine)).append("</p>");
      }
      if (inline) {
        body.append("<details><summary>Description and input schema</summary>")
            .append(toolDetails(tool)).append("</details>");
      } else {
        body.append("<p><a href=\"?tool=").append(escape(URLEncoder.encode(tool.name(),
            StandardCharsets.UTF_8))).append("\">Description and input schema</a></p>");
      }
      body.append("</li>");
    }
    body.append("</ul></main>");
    return page(title + " — MCP", body.toString());
  }

  private static String toolPage(ToolCatalog catalog, CompiledTool tool, URI mcpUrl) {
    String title = catalog.title() == null ? catalog.backend() : catalog.title();
    return page(tool.name() + " — " + title, "<p><a href=\"" + escape(mcpUrl.getRawPath())
        + "\">" + escape(title) + "</a></p><main><h1><code>" + escape(tool.name())
        + "</code></h1><p><span class=\"method\">" + escape(tool.binding().method())
        + "</span><code>" + escape(tool.binding().pathTemplate()) + "</code></p>"
        + toolDetails(tool) + "</main>");
  }

  private static String toolDetails(CompiledTool tool) {
    String schema;
    try {
      schema = JSON.writerWithDefaultPrettyPrinter().writeValueAsString(tool.inputSchema());
    } catch (JsonProcessingException e) {
      schema = String.valueOf(tool.inputSchema());
    }
    return (tool.description() == null ? "" : "<p>" + escape(tool.description()) + "</p>")
        + "<pre>" + escape(schema) + "</pre>";
  }

  private static String command(String id, String text) {
    return "<div class=\"url\"><pre id=\"" + id + "\">" + escape(text) + "</pre><button"
        + " type=\"button\" data-copy=\"" + id + "\">Copy</button></div>";
  }

  private static String page(String title, String body) {
    return "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta"
        + " name=\"viewport\" content=\"width=device-width, initial-scale=1\"><meta"
        + " name=\"referrer\" content=\"no-referrer\"><title>" + escape(title)
        + "</title><style>" + STYLE + "</style></head><body>" + body + "<script>" + SCRIPT
        + "</script></body></html>";
  }

  private static void write(HttpServletResponse response, int status, String html)
      throws IOException {
    write(response, status, html.getBytes(StandardCharsets.UTF_8));
  }

  /** The sign-in pages' headers (oauth/boundary/Pages), with this page's own script policy. */
  private static void write(HttpServletResponse response, int status, byte[] html)
      throws IOException {
    response.setStatus(status);
    response.setContentType("text/html;charset=utf-8");
    Html.HEADERS.forEach(response::setHeader);
    response.setHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    response.setHeader("Vary", "Accept");
    response.setContentLength(html.length);
    response.getOutputStream().write(html);
  }

  private static String firstLine(String text) {
    if (text == null) {
      return "";
    }
    String line = text.strip().lines().findFirst().orElse("");
    return line.length() > 200 ? line.substring(0, 199) + "…" : line;
  }

  private static String jsonString(String text) {
    try {
      String quoted = JSON.writeValueAsString(text);
      return quoted.substring(1, quoted.length() - 1);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String escape(String text) {
    return Html.escape(text);
  }

  private static String sha256(String text) {
    try {
      return "sha256-" + Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256")
          .digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
