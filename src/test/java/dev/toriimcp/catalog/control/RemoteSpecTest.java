package dev.toriimcp.catalog.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.toriimcp.catalog.entity.SpecLoadException;
import dev.toriimcp.catalog.entity.ToolCatalog;
import dev.toriimcp.configuration.entity.Policy;
import dev.toriimcp.testing.SpecCorpus;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Specs served over HTTP, including one split over several files with relative $refs. */
class RemoteSpecTest {

  private HttpServer server;
  private Path root;

  @BeforeEach
  void serveTheCorpus() throws Exception {
    root = SpecCorpus.directory();
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/cross/", exchange -> {
      // A spec whose body schema lives on another origin (localhost vs 127.0.0.1).
      String other = "http://localhost:" + server.getAddress().getPort() + "/petstore-v3.yaml";
      byte[] bytes = ("openapi: 3.0.3\ninfo: {title: x, version: '1'}\npaths:\n  /pets:\n    post:\n"
          + "      requestBody:\n        content:\n          application/json:\n            schema:\n"
          + "              $ref: '" + other + "#/components/schemas/Pet'\n"
          + "      responses:\n        '200': {description: ok}\n").getBytes();
      exchange.sendResponseHeaders(200, bytes.length);
      exchange.getResponseBody().write(bytes);
      exchange.close();
    });
    server.createContext("/", exchange -> {
      Path file = root.resolve(exchange.getRequestURI().getPath().substring(1)).normalize();
      if (!file.startsWith(root) || !Files.isRegularFile(file)) {
        exchange.sendResponseHeaders(404, -1);
      } else {
        byte[] bytes = Files.readAllBytes(file);
        exchange.sendResponseHeaders(200, bytes.length);
        exchange.getResponseBody().write(bytes);
      }
      exchange.close();
    });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private URI url(String path) {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/" + path);
  }

  @Test
  void loadsAMultiFileSpecOverHttp() throws Exception {
    ToolCatalog catalog = new SpecCompiler(SpecCompiler.Settings.DEFAULT).compile("remote",
        new SpecLoader().load(url("oai-v2-petstore-separate/spec/swagger.yaml")), Policy.ALLOW_ALL);

    assertThat(catalog.tools()).hasSize(4);
    assertThat(catalog.tool("addPet").orElseThrow().inputSchema().at("/properties/body/properties"))
        .isNotEmpty();
  }

  @Test
  void refusesAReferenceToAnotherOrigin() {
    assertThatThrownBy(() -> new SpecLoader().load(url("cross/spec.yaml")))
        .isInstanceOf(SpecLoadException.class)
        .hasMessageContaining("http://localhost:" + server.getAddress().getPort()
            + "/petstore-v3.yaml#/components/schemas/Pet")
        .hasMessageContaining("outside the spec's origin");
  }

  @Test
  void refusesRemoteReferencesFromAFileSpec() throws Exception {
    Path spec = Files.createTempFile("torii-remote-ref", ".yaml");
    Files.writeString(spec, "openapi: 3.0.3\ninfo: {title: x, version: '1'}\npaths:\n  /pets:\n"
        + "    get:\n      parameters:\n        - $ref: '" + url("petstore-v3.yaml") + "#/x'\n"
        + "      responses:\n        '200': {description: ok}\n");
    try {
      assertThatThrownBy(() -> new SpecLoader().load(spec.toUri()))
          .isInstanceOf(SpecLoadException.class)
          .hasMessageContaining("outside the spec's origin");
    } finally {
      Files.delete(spec);
    }
  }

  @Test
  void namesTheSpecAndTheReasonWhenItCannotBeLoaded() {
    assertThatThrownBy(() -> new SpecLoader().load(url("no-such-spec.yaml")))
        .isInstanceOf(SpecLoadException.class)
        .hasMessageStartingWith("spec " + url("no-such-spec.yaml") + " cannot be loaded: ");
  }
}
