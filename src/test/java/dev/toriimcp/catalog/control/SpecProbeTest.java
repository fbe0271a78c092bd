package dev.toriimcp.catalog.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Whether a spec changed, by file attributes and digest or by a conditional GET (ADR 0032). */
class SpecProbeTest {

  private final SpecProbe probe = new SpecProbe();

  @Test
  void aFileIsReadOnlyWhenItsSizeOrTimeMovedAndChangesOnlyWithItsBytes(@TempDir Path dir)
      throws Exception {
    Path spec = Files.writeString(dir.resolve("spec.yaml"), "openapi: 3.0.3\n");
    SpecProbe.Fingerprint first = probe.probe(spec.toUri(), null);

    assertThat(probe.probe(spec.toUri(), first)).as("nothing moved").isSameAs(first);
    Files.setLastModifiedTime(spec, FileTime.fromMillis(first.modified() + 5000));
    SpecProbe.Fingerprint touched = probe.probe(spec.toUri(), first);
    assertThat(touched).isNotSameAs(first);
    assertThat(first.changed(touched)).as("touched, same bytes").isFalse();
    Files.writeString(spec, "openapi: 3.1.0\n");
    Files.setLastModifiedTime(spec, FileTime.fromMillis(first.modified() + 10_000));
    assertThat(touched.changed(probe.probe(spec.toUri(), touched))).isTrue();
    assertThat(probe.probe(dir.resolve("gone.yaml").toUri(), touched)).isNull();
  }

  @Test
  void aUrlIsAskedConditionallyAndA304KeepsWhatWasSeen() throws Exception {
    AtomicReference<String> body = new AtomicReference<>("{\"openapi\": \"3.0.3\"}");
    List<String> conditions = new CopyOnWriteArrayList<>();
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/etag", exchange -> {
      String etag = "\"" + Integer.toHexString(body.get().hashCode()) + "\"";
      String asked = exchange.getRequestHeaders().getFirst("If-None-Match");
      conditions.add(String.valueOf(asked));
      exchange.getResponseHeaders().add("ETag", etag);
      if (etag.equals(asked)) {
        exchange.sendResponseHeaders(304, -1);
      } else {
        byte[] bytes = body.get().getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(200, bytes.length);
        exchange.getResponseBody().write(bytes);
      }
      exchange.close();
    });
    server.createContext("/plain", exchange -> {
      byte[] bytes = body.get().getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, bytes.length);
      exchange.getResponseBody().write(bytes);
      exchange.close();
    });
    server.start();
    try {
      URI etag = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/etag");
      URI plain = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/plain");
      SpecProbe.Fingerprint first = probe.probe(etag, null);
      SpecProbe.Fingerprint firstPlain = probe.probe(plain, null);

      assertThat(probe.probe(etag, first)).as("304").isSameAs(first);
      assertThat(first.changed(probe.probe(plain, firstPlain))).isFalse();
      body.set("{\"openapi\": \"3.1.0\"}");
      assertThat(first.changed(probe.probe(etag, first))).isTrue();
      assertThat(firstPlain.changed(probe.probe(plain, firstPlain))).as("by digest").isTrue();
      assertThat(conditions).containsExactly("null", first.etag(), first.etag());
    } finally {
      server.stop(0);
    }
  }
}
