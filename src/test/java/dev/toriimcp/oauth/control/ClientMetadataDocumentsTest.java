package dev.toriimcp.oauth.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.toriimcp.oauth.entity.RegisteredClient;
import java.io.FileInputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Client ID metadata documents (research §5.8 CM-1…CM-12), fetched from a real HTTPS server on
 * loopback with a certificate made for the test (keytool). Loopback is allowed only where a
 * test says so; everywhere else it is refused before any connection.
 */
class ClientMetadataDocumentsTest {

  private static HttpsServer server;
  private static SSLContext tls;
  private static final Map<String, String[]> DOCUMENTS = new ConcurrentHashMap<>();
  private static final AtomicInteger REQUESTS = new AtomicInteger();

  @BeforeAll
  static void start() throws Exception {
    Path keystore = Files.createTempDirectory("torii-cimd").resolve("tls.p12");
    Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool")
        .toString(), "-genkeypair", "-alias", "test", "-keyalg", "EC", "-groupname", "secp256r1",
        "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2",
        "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", "changeit",
        "-keypass", "changeit").redirectErrorStream(true).start();
    assertThat(keytool.waitFor()).as(new String(keytool.getInputStream().readAllBytes())).isZero();
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (FileInputStream in = new FileInputStream(keystore.toFile())) {
      store.load(in, "changeit".toCharArray());
    }
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keys.init(store, "changeit".toCharArray());
    TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(store);
    tls = SSLContext.getInstance("TLS");
    tls.init(keys.getKeyManagers(), trust.getTrustManagers(), null);

    server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(tls));
    server.createContext("/", exchange -> {
      REQUESTS.incrementAndGet();
      String[] answer = DOCUMENTS.getOrDefault(exchange.getRequestURI().getPath(),
          new String[] {"404", "text/plain", "missing"});
      byte[] body = answer[2].getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", answer[1]);
      if (answer.length > 3) {
        exchange.getResponseHeaders().add(answer[3], answer[4]);
      }
      exchange.sendResponseHeaders(Integer.parseInt(answer[0]), body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
  }

  @AfterAll
  static void stop() {
    server.stop(0);
  }

  private static String url(String path) {
    return "https://localhost:" + server.getAddress().getPort() + path;
  }

  private static ClientMetadataDocuments documents(boolean allowPrivate) {
    return new ClientMetadataDocuments(HttpClient.newBuilder().sslContext(tls)
        .followRedirects(HttpClient.Redirect.NEVER).build(), allowPrivate);
  }

  private static String document(String path, String extra) {
    return "{\"client_id\": \"" + url(path) + "\", \"client_name\": \"Claude\","
        + " \"redirect_uris\": [\"https://claude.ai/api/mcp/auth_callback\", \"http://127.0.0.1/callback\"],"
        + " \"grant_types\": [\"authorization_code\", \"refresh_token\"],"
        + " \"token_endpoint_auth_method\": \"none\"" + extra + "}";
  }

  @Test
  void acceptsAValidDocumentAndCachesIt() {
    DOCUMENTS.put("/ok", new String[] {"200", "application/json", document("/ok", ""),
        "Cache-Control", "max-age=86400000"});
    ClientMetadataDocuments documents = documents(true);
    int before = REQUESTS.get();

    RegisteredClient client = documents.resolve(url("/ok")).orElseThrow();
    documents.resolve(url("/ok")).orElseThrow();

    assertThat(client.clientName()).isEqualTo("Claude");
    assertThat(client.authMethod()).isEqualTo("none");
    assertThat(client.refreshAllowed()).isTrue();
    assertThat(client.redirectUris()).contains("http://127.0.0.1/callback");
    assertThat(REQUESTS.get() - before).as("second look-up served from the cache").isEqualTo(1);
  }

  @Test
  void refusesBadStatusesRedirectsSizeAndNonJson() {
    DOCUMENTS.put("/gone", new String[] {"500", "application/json", "{}"});
    DOCUMENTS.put("/moved", new String[] {"302", "application/json", "", "Location", url("/ok")});
    DOCUMENTS.put("/huge", new String[] {"200", "application/json",
        document("/huge", ", \"x\": \"" + "a".repeat(6000) + "\"")});
    DOCUMENTS.put("/html", new String[] {"200", "text/html", document("/html", "")});
    ClientMetadataDocuments documents = documents(true);

    for (String path : List.of("/missing", "/gone", "/moved", "/huge", "/html")) {
      assertThat(documents.resolve(url(path))).as(path).isEmpty();
    }
  }

  @Test
  void refusesDocumentsThatDoNotDescribeThemselvesOrCarrySecrets() {
    DOCUMENTS.put("/other-id", new String[] {"200", "application/json",
        document("/other-id", "").replace(url("/other-id"), url("/other-id/"))});
    DOCUMENTS.put("/secret", new String[] {"200", "application/json",
        document("/secret", ", \"client_secret\": \"s\"")});
    DOCUMENTS.put("/basic", new String[] {"200", "application/json",
        document("/basic", "").replace("\"none\"", "\"client_secret_basic\"")});
    DOCUMENTS.put("/no-name", new String[] {"200", "application/json",
        document("/no-name", "").replace("\"client_name\": \"Claude\",", "")});
    DOCUMENTS.put("/bad-redirect", new String[] {"200", "application/json",
        document("/bad-redirect", "").replace("http://127.0.0.1/callback", "http://evil.example/cb")});
    DOCUMENTS.put("/not-json", new String[] {"200", "application/json", "{not json"});
    ClientMetadataDocuments documents = documents(true);

    for (String path : List.of("/other-id", "/secret", "/basic", "/no-name", "/bad-redirect", "/not-json")) {
      assertThat(documents.resolve(url(path))).as(path).isEmpty();
    }
  }

  @Test
  void aFailureIsNotCached() {
    ClientMetadataDocuments documents = documents(true);
    assertThat(documents.resolve(url("/later"))).isEmpty();

    DOCUMENTS.put("/later", new String[] {"200", "application/json", document("/later", "")});

    assertThat(documents.resolve(url("/later"))).isPresent();
  }

  @Test
  void refusesLoopbackUnlessAllowedWithoutConnecting() {
    DOCUMENTS.put("/private", new String[] {"200", "application/json", document("/private", "")});
    int before = REQUESTS.get();

    assertThat(documents(false).resolve(url("/private"))).isEmpty();
    assertThat(REQUESTS.get()).as("no request was made").isEqualTo(before);
  }

  @Test
  void refusesMalformedClientIdUrls() {
    for (String id : List.of("http://example.com/client", "https://example.com",
        "https://example.com/", "https://example.com/c#f", "https://user@example.com/c",
        "https://example.com/a/../c", "https://example.com/./c", "https://example.com/c?x=1")) {
      assertThatThrownBy(() -> ClientMetadataDocuments.checkedUrl(id)).as(id)
          .isInstanceOf(ClientMetadataDocuments.Refused.class);
    }
  }

  @Test
  void classifiesSpecialAddresses() throws Exception {
    for (String address : List.of("127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1",
        "169.254.169.254", "0.0.0.0", "100.64.0.1", "::1", "fc00::1", "fe80::1",
        "::ffff:127.0.0.1", "::ffff:10.0.0.1")) {
      assertThat(ClientMetadataDocuments.special(InetAddress.getByName(address))).as(address).isTrue();
    }
    for (String address : List.of("93.184.216.34", "8.8.8.8", "2606:4700::1111")) {
      assertThat(ClientMetadataDocuments.special(InetAddress.getByName(address))).as(address).isFalse();
    }
  }
}
