package dev.toriimcp.upstream.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.toriimcp.configuration.entity.BackendDefinition;
import dev.toriimcp.configuration.entity.Policy;
import dev.toriimcp.configuration.entity.UpstreamAuth;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The login-broker's call, against a real local HTTP server playing the backend's login. */
class UpstreamLoginTest {

  private HttpServer server;
  private final AtomicReference<String> received = new AtomicReference<>();
  private final AtomicReference<String> receivedType = new AtomicReference<>();

  @BeforeEach
  void start() throws Exception {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/json", exchange -> {
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      received.set(body);
      receivedType.set(exchange.getRequestHeaders().getFirst("Content-Type"));
      boolean ok = body.contains("\"wonderland\"") || body.contains("pass=wonderland");
      byte[] answer = (ok ? "{\"data\": {\"token\": \"upstream-t0k3n\", \"ttl\": 600}}"
          : "{\"error\": \"raw upstream message\"}").getBytes();
      exchange.sendResponseHeaders(ok ? 200 : 401, answer.length);
      exchange.getResponseBody().write(answer);
      exchange.close();
    });
    server.createContext("/cookie", exchange -> {
      exchange.getRequestBody().readAllBytes();
      exchange.getResponseHeaders().add("Set-Cookie", "other=x; Path=/");
      exchange.getResponseHeaders().add("Set-Cookie", "SESSION=s3ss10n; Max-Age=300; HttpOnly");
      exchange.sendResponseHeaders(204, -1);
      exchange.close();
    });
    server.createContext("/broken", exchange -> {
      exchange.getRequestBody().readAllBytes();
      exchange.sendResponseHeaders(500, -1);
      exchange.close();
    });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private BackendDefinition backend(UpstreamAuth.LoginBroker broker) {
    return new BackendDefinition("b", URI.create("file:/b.yaml"), null, Policy.ALLOW_ALL, broker, Map.of());
  }

  private URI url(String path) {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
  }

  @Test
  void sendsJsonWithConfiguredFieldsAndReadsTheTokenAtItsPointer() throws Exception {
    UpstreamAuth.LoginBroker broker = new UpstreamAuth.LoginBroker(url("/json"), false, "login",
        "secret", "/data/token", null, "/data/ttl", "Authorization", "Bearer ");

    UpstreamLogin.Credential credential =
        new UpstreamLogin().login(backend(broker), "alice", "wonderland").orElseThrow();

    assertThat(received.get()).isEqualTo("{\"login\":\"alice\",\"secret\":\"wonderland\"}");
    assertThat(receivedType.get()).isEqualTo("application/json");
    assertThat(credential.token()).isEqualTo("upstream-t0k3n");
    assertThat(credential.expiresAt()).isBetween(Instant.now().plusSeconds(590), Instant.now().plusSeconds(610));
    assertThat(credential.toString()).doesNotContain("upstream-t0k3n");
  }

  @Test
  void sendsFormFieldsWhenConfigured() throws Exception {
    UpstreamAuth.LoginBroker broker = new UpstreamAuth.LoginBroker(url("/json"), true, "user",
        "pass", "/data/token", null, null, "Authorization", "Bearer ");

    assertThat(new UpstreamLogin().login(backend(broker), "a b", "wonderland")).isPresent();
    assertThat(received.get()).isEqualTo("user=a+b&pass=wonderland");
    assertThat(receivedType.get()).isEqualTo("application/x-www-form-urlencoded");
  }

  @Test
  void takesANamedSessionCookie() throws Exception {
    UpstreamAuth.LoginBroker broker = new UpstreamAuth.LoginBroker(url("/cookie"), false,
        "username", "password", "/access_token", "SESSION", null, null, "");

    UpstreamLogin.Credential credential =
        new UpstreamLogin().login(backend(broker), "alice", "wonderland").orElseThrow();

    assertThat(credential.token()).isEqualTo("s3ss10n");
    assertThat(credential.expiresAt()).isAfter(Instant.now().plusSeconds(290));
  }

  @Test
  void wrongCredentialsAreEmptyAndFailuresAreUnavailable() throws Exception {
    UpstreamLogin login = new UpstreamLogin();

    assertThat(login.login(backend(new UpstreamAuth.LoginBroker(url("/json"))), "alice", "x"))
        .isEmpty();
    assertThatThrownBy(() -> login.login(backend(new UpstreamAuth.LoginBroker(url("/broken"))), "a", "b"))
        .isInstanceOf(UpstreamLogin.UnavailableException.class).hasMessageContaining("HTTP 500")
        .hasMessageNotContaining("raw upstream message");
  }
}
