package dev.toriimcp.upstream.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.toriimcp.catalog.control.SpecCompiler;
import dev.toriimcp.catalog.control.SpecLoader;
import dev.toriimcp.catalog.entity.CompiledTool;
import dev.toriimcp.catalog.entity.ToolCatalog;
import dev.toriimcp.configuration.entity.Policy;
import dev.toriimcp.testing.RecordingServer;
import dev.toriimcp.testing.RecordingServer.Received;
import dev.toriimcp.testing.SpecCorpus;
import dev.toriimcp.upstream.entity.InvalidArgumentsException;
import dev.toriimcp.upstream.entity.UpstreamRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Tool arguments to HTTP requests, checked on the wire: each request is sent to a real local HTTP
 * server that records exactly what arrived.
 */
class UpstreamRequestBuilderTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static RecordingServer server;

  @BeforeAll
  static void start() throws Exception {
    server = new RecordingServer();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static ToolCatalog catalog(Path spec) throws Exception {
    return new SpecCompiler(SpecCompiler.Settings.DEFAULT)
        .compile("test", new SpecLoader().load(spec.toUri()), Policy.ALLOW_ALL);
  }

  private static ToolCatalog resource(String name) throws Exception {
    return catalog(Path.of(UpstreamRequestBuilderTest.class.getResource("/openapi/" + name).toURI()));
  }

  private static Received call(ToolCatalog catalog, String tool, String arguments) throws Exception {
    CompiledTool compiled = catalog.tool(tool).orElseThrow();
    UpstreamRequest request = new UpstreamRequestBuilder(server.uri(), URI.create("file:/spec.yaml"))
        .build(compiled, JSON.readTree(arguments.replace('\'', '"')));
    HttpRequest.Builder http = HttpRequest.newBuilder(request.uri());
    request.headers().forEach((name, values) -> values.forEach(v -> http.header(name, v)));
    http.method(request.method(), request.body() == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofByteArray(request.body()));
    HTTP.send(http.build(), HttpResponse.BodyHandlers.discarding());
    return server.take();
  }

  @Test
  void pathValuesCannotChangeThePath() throws Exception {
    ToolCatalog catalog = resource("styles-oas3.yaml");

    assertThat(call(catalog, "getItem", "{'path_id': 'admin?x=1#f'}").rawPath())
        .isEqualTo("/items/admin%3Fx%3D1%23f");
    assertThat(call(catalog, "getItem", "{'path_id': 'a b c%'}").rawPath()).isEqualTo("/items/a%20b%20c%25");
    assertThat(call(catalog, "getItem", "{'path_id': 'Zürich-東京'}").rawPath())
        .isEqualTo("/items/Z%C3%BCrich-%E6%9D%B1%E4%BA%AC");
    // Dots that are not a whole dot-segment are an ordinary value.
    assertThat(call(catalog, "getItem", "{'path_id': '...'}").rawPath()).isEqualTo("/items/%2E%2E%2E");
    assertThat(call(catalog, "getItem", "{'path_id': 'v1.2..3'}").rawPath()).isEqualTo("/items/v1.2..3");
    assertThat(call(catalog, "getItem", "{'path_id': '100%25'}").rawPath()).isEqualTo("/items/100%2525");
  }

  /** Issue 12 item 8: Tomcat and nginx decode these and walk out of the operation's path. */
  @Test
  void refusesDotSegmentsAndSlashesInPathValuesNamingTheParameter() throws Exception {
    ToolCatalog catalog = resource("styles-oas3.yaml");
    CompiledTool getItem = catalog.tool("getItem").orElseThrow();
    UpstreamRequestBuilder builder = new UpstreamRequestBuilder(server.uri(), URI.create("file:/spec.yaml"));

    for (String value : List.of(".", "..", "../admin", "..%2Fadmin", "%2e%2E", "%2E",
        "..;jsessionid=1", "a/b", "a\\b", "a%2fb", "a%2Fb", "a%5cb", "a%5Cb", "a%252Fb", "a%255Cb",
        "%25252F", "%252E%252E", "%2525252525252F")) {
      InvalidArgumentsException refused = catchThrowableOfType(() -> builder.build(getItem,
          JSON.createObjectNode().put("path_id", value)), InvalidArgumentsException.class);
      assertThat(refused).as("value %s", value).isNotNull();
      assertThat(refused.problems()).singleElement().asString()
          .startsWith("'path_id' is a path segment and must not");
    }
    CompiledTool labels = catalog.tool("labelsAndMatrix").orElseThrow();
    InvalidArgumentsException item = catchThrowableOfType(() -> builder.build(labels,
        JSON.readTree("{\"label\": [\"a\", \"..\"], \"coords\": {\"x\": 1}}")),
        InvalidArgumentsException.class);
    assertThat(item.problems()).containsExactly("'label' is a path segment and must not be '.' or '..'");
    InvalidArgumentsException key = catchThrowableOfType(() -> builder.build(labels,
        JSON.readTree("{\"label\": [\"a\"], \"coords\": {\"x/..\": 1}}")),
        InvalidArgumentsException.class);
    assertThat(key.getMessage()).contains("'coords' is a path segment and must not contain '/'");
  }

  @Test
  void namesClashingParametersByLocation() throws Exception {
    Received received = call(resource("styles-oas3.yaml"), "getItem",
        "{'path_id': 'p', 'query_id': 'q'}");

    assertThat(received.rawPath()).isEqualTo("/items/p");
    assertThat(received.rawQuery()).isEqualTo("id=q");
  }

  @Test
  void serialisesEveryQueryStyle() throws Exception {
    Received received = call(resource("styles-oas3.yaml"), "getItem", """
        {'path_id': '1', 'tags': ['a b', 'c&d'], 'ids': [1, 2], 'space': ['x', 'y'],
         'pipe': ['x', 'y'], 'filter': {'name': 'n', 'owner': {'id': 7}},
         'point': {'x': 1, 'y': 2}, 'raw': 'a/b?c'}""");

    assertThat(received.rawQuery()).isEqualTo("tags=a%20b&tags=c%26d&ids=1,2&space=x%20y&pipe=x%7Cy"
        + "&filter%5Bname%5D=n&filter%5Bowner%5D%5Bid%5D=7&x=1&y=2&raw=a/b?c");
  }

  @Test
  void serialisesLabelAndMatrixPathStyles() throws Exception {
    Received received = call(resource("styles-oas3.yaml"), "labelsAndMatrix",
        "{'label': ['a', 'b'], 'coords': {'x': 1, 'y': 2}}");

    assertThat(received.rawPath()).isEqualTo("/labels/.a,b/matrix;x=1;y=2");
  }

  @Test
  void sendsHeadersCookiesAndAccept() throws Exception {
    Received received = call(resource("styles-oas3.yaml"), "getItem",
        "{'path_id': '1', 'X-Trace': 't-1', 'X-List': ['a', 'b'], 'session': 's 1'}");

    assertThat(received.header("X-Trace")).isEqualTo("t-1");
    assertThat(received.header("X-List")).isEqualTo("a,b");
    assertThat(received.header("Cookie")).isEqualTo("session=s%201");
    assertThat(received.header("Accept")).isEqualTo("application/json");
  }

  @Test
  void refusesHeaderValuesWithLineBreaks() throws Exception {
    CompiledTool tool = resource("styles-oas3.yaml").tool("getItem").orElseThrow();
    InvalidArgumentsException failure = catchThrowableOfType(InvalidArgumentsException.class,
        () -> new UpstreamRequestBuilder(server.uri(), null)
            .build(tool, JSON.readTree("{\"path_id\": \"1\", \"X-Trace\": \"a\\r\\nHost: evil\"}")));

    assertThat(failure.problems()).containsExactly("'X-Trace' must not contain line breaks");
  }

  @Test
  void refusesHeaderValuesHttpCannotCarry() throws Exception {
    CompiledTool tool = resource("styles-oas3.yaml").tool("getItem").orElseThrow();
    for (String value : List.of("\\u732b", "a\\u0001b", "a\\u007fb")) {
      InvalidArgumentsException failure = catchThrowableOfType(InvalidArgumentsException.class,
          () -> new UpstreamRequestBuilder(server.uri(), null)
              .build(tool, JSON.readTree("{\"path_id\": \"1\", \"X-Trace\": \"" + value + "\"}")));

      assertThat(failure).as(value).isNotNull();
      assertThat(failure.problems()).containsExactly("'X-Trace' is sent as an HTTP header, which"
          + " cannot carry control characters or characters beyond Latin-1");
    }
    // Latin-1 text is fine (obs-text), and so is a tab.
    assertThat(new UpstreamRequestBuilder(server.uri(), null).build(tool,
        JSON.readTree("{\"path_id\": \"1\", \"X-Trace\": \"caf\\u00e9\\tx\"}")).headers().get("X-Trace"))
        .containsExactly("caf\u00e9\tx");
  }

  @Test
  void namesMissingRequiredArguments() throws Exception {
    CompiledTool tool = resource("styles-oas3.yaml").tool("createDocument").orElseThrow();
    InvalidArgumentsException failure = catchThrowableOfType(InvalidArgumentsException.class,
        () -> new UpstreamRequestBuilder(server.uri(), null).build(tool, JSON.readTree("{}")));

    assertThat(failure).hasMessage("Invalid arguments: 'body' is required");
  }

  @Test
  void sendsJsonFormMultipartAndBinaryBodies() throws Exception {
    ToolCatalog catalog = resource("styles-oas3.yaml");

    Received json = call(catalog, "createDocument", "{'body': {'title': 'T', 'tags': ['x']}}");
    assertThat(json.header("Content-Type")).isEqualTo("application/json");
    assertThat(JSON.readTree(json.body())).isEqualTo(JSON.readTree("{\"title\":\"T\",\"tags\":[\"x\"]}"));
    assertThat(json.header("Accept")).isEqualTo("application/json, text/plain");

    Received form = call(catalog, "submitForm", "{'body': {'name': 'a b&c', 'colours': ['red', 'blue']}}");
    assertThat(form.header("Content-Type")).isEqualTo("application/x-www-form-urlencoded");
    assertThat(form.bodyText()).isEqualTo("name=a+b%26c&colours=red&colours=blue");

    String png = Base64.getEncoder().encodeToString(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 1});
    Received multipart = call(catalog, "upload", "{'body': {'note': 'hi', 'meta': {'a': 1},"
        + " 'file': {'content': '" + png + "', 'filename': 'x.png', 'content_type': 'image/png'}}}");
    String contentType = multipart.header("Content-Type");
    assertThat(contentType).startsWith("multipart/form-data; boundary=");
    String boundary = contentType.substring(contentType.indexOf('=') + 1);
    String body = new String(multipart.body(), StandardCharsets.ISO_8859_1);
    assertThat(body).contains("--" + boundary + "\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhi\r\n")
        .contains("name=\"meta\"\r\nContent-Type: application/json\r\n\r\n{\"a\":1}\r\n")
        .contains("name=\"file\"; filename=\"x.png\"\r\nContent-Type: image/png\r\n\r\n\u0089PNG\u0000\u0001\r\n")
        .endsWith("--" + boundary + "--\r\n");

    Received blob = call(catalog, "putBlob", "{'body': '" + png + "'}");
    assertThat(blob.method()).isEqualTo("PUT");
    assertThat(blob.header("Content-Type")).isEqualTo("application/octet-stream");
    assertThat(blob.body()).containsExactly(0x89, 'P', 'N', 'G', 0, 1);
  }

  @Test
  void mapsSwagger2CollectionFormatsFormDataAndBodyParameters() throws Exception {
    ToolCatalog catalog = resource("styles-swagger2.yaml");

    Received get = call(catalog, "getPet", "{'petId': 'p1', 'csv': ['a', 'b'], 'ssv': ['a', 'b'],"
        + " 'pipes': ['a', 'b'], 'multi': ['a', 'b'], 'api_key': 'k'}");
    assertThat(get.rawPath()).isEqualTo("/pets/p1");
    assertThat(get.rawQuery()).isEqualTo("csv=a,b&ssv=a%20b&pipes=a%7Cb&multi=a&multi=b");
    assertThat(get.header("api_key")).isEqualTo("k");
    assertThat(get.header("Accept")).isEqualTo("application/json, application/xml");

    Received upload = call(catalog, "uploadPhoto", "{'petId': 5, 'body': {'caption': 'c',"
        + " 'photo': {'content': 'AAE=', 'filename': 'p.bin'}}}");
    assertThat(upload.rawPath()).isEqualTo("/pets/5/photo");
    assertThat(upload.header("Content-Type")).startsWith("multipart/form-data; boundary=");
    assertThat(new String(upload.body(), StandardCharsets.ISO_8859_1))
        .contains("name=\"caption\"\r\n\r\nc\r\n")
        .contains("filename=\"p.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n\u0000\u0001\r\n");

    Received add = call(catalog, "addPet", "{'body': {'name': 'Rex'}}");
    assertThat(add.bodyText()).isEqualTo("{\"name\":\"Rex\"}");
  }

  @Test
  void usesTheSpecServersWhenNoBaseUrlIsConfigured() throws Exception {
    CompiledTool tool = resource("styles-oas3.yaml").tool("getItem").orElseThrow();
    UpstreamRequest request = new UpstreamRequestBuilder(null, URI.create("https://api.example.com/specs/a.yaml"))
        .build(tool, JSON.readTree("{\"path_id\": \"1\"}"));

    assertThat(request.uri()).isEqualTo(URI.create("https://api.example.com/base/items/1"));
  }

  @Test
  void mapsTheRealPetstoreSpecs() throws Exception {
    ToolCatalog v3 = catalog(SpecCorpus.named("petstore-v3.yaml").root());
    Received find = call(v3, "findPetsByTags", "{'tags': ['a', 'b']}");
    assertThat(find.rawPath()).isEqualTo("/pet/findByTags");
    assertThat(find.rawQuery()).isEqualTo("tags=a&tags=b");
    Received delete = call(v3, "deletePet", "{'petId': 3, 'api_key': 'k'}");
    assertThat(delete.method()).isEqualTo("DELETE");
    assertThat(delete.header("api_key")).isEqualTo("k");
    Received form = call(v3, "updatePetWithForm", "{'petId': 3, 'name': 'n', 'status': 's'}");
    assertThat(form.rawQuery()).isEqualTo("name=n&status=s");

    ToolCatalog v2 = catalog(SpecCorpus.named("petstore-v2-classic.json").root());
    Received status = call(v2, "findPetsByStatus", "{'status': ['available', 'sold']}");
    assertThat(status.rawQuery()).isEqualTo("status=available&status=sold");
  }


  /**
   * Issue 12 item 7, at call time: a path the compiler would refuse, built anyway, must not pass
   * the origin check that comes before the credential.
   */
  @Test
  void aUrlThatLeavesTheConfiguredOriginIsRefusedBeforeTheCredential() throws Exception {
    URI base = URI.create("https://api.example.com");
    dev.toriimcp.catalog.entity.ParameterBinding p = new dev.toriimcp.catalog.entity.ParameterBinding(
        "p", "p", dev.toriimcp.catalog.entity.ParameterLocation.PATH, true, "simple", false, false);
    UpstreamOrigins origins = new UpstreamOrigins(base, List.of());
    for (String[] attack : new String[][] {{"{p}/x", ".evil.com"}, {"@evil.com/{p}", "x"},
        {"{p}/x", ":8443"}}) {
      CompiledTool tool = new CompiledTool("t", null, null, null, null, null,
          new dev.toriimcp.catalog.entity.OperationBinding("GET", attack[0], List.of(), List.of(p),
              null, List.of()), null);
      URI built = new UpstreamRequestBuilder(base, URI.create("file:/spec.yaml"))
          .build(tool, JSON.createObjectNode().put("p", attack[1])).uri();

      assertThat(origins.allows(built)).as("%s", built).isFalse();
      assertThat(origins.refusal("t", "demo", built)).startsWith("Tool 't' was not called: its URL"
          + " would leave the origin of backend 'demo'").doesNotContain("evil");
    }
    assertThat(origins.refusal("t", "demo", URI.create("https://API.example.com:443/x?y"))).isNull();
    assertThat(origins.allows(URI.create("http://api.example.com/x"))).isFalse();
    assertThat(origins.allows(URI.create("https://api.example.com:8443/x"))).isFalse();

    // Without base_url: the origins of the spec's top-level servers.
    UpstreamOrigins servers = new UpstreamOrigins(null, List.of(
        dev.toriimcp.catalog.entity.Origin.of(URI.create("https://a.example/v1")),
        dev.toriimcp.catalog.entity.Origin.of(URI.create("http://b.example:8080"))));
    assertThat(servers.allows(URI.create("https://a.example:443/v2/x"))).isTrue();
    assertThat(servers.allows(URI.create("http://b.example:8080/x"))).isTrue();
    assertThat(servers.allows(URI.create("http://a.example/x"))).isFalse();
    assertThat(servers.allows(URI.create("https://c.example/x"))).isFalse();
  }
}
