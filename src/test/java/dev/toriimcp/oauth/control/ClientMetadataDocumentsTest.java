package dev.toriimcp.oauth.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.toriimcp.oauth.entity.OAuthException;
import dev.toriimcp.oauth.entity.RegisteredClient;
import dev.toriimcp.testing.SelfSignedTls;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Client ID metadata documents (research §5.8 CM-1…CM-12), fetched from a real HTTPS server on
 * loopback with a certificate made for the test (keytool). Loopback is allowed only where a
 * test says so; everywhere else it is refused before any connection. The server also plays the
 * hostile host of issue 12: a body that trickles (slow loris), requests that hang, and a port
 * that closes every connection at once (ADR 0012).
 */
class ClientMetadataDocumentsTest {

  private static HttpsServer server;
  private static SSLContext tls;
  private static final Map<String, String[]> DOCUMENTS = new ConcurrentHashMap<>();
  private static final AtomicInteger REQUESTS = new AtomicInteger();
  private static final Map<String, AtomicInteger> HITS = new ConcurrentHashMap<>();
  private static final Map<String, String> HOSTS = new ConcurrentHashMap<>();
  private static final AtomicInteger TRICKLED = new AtomicInteger();
  private static final AtomicInteger HOLDING = new AtomicInteger();
  private static volatile CountDownLatch release = new CountDownLatch(0);

  @BeforeAll
  static void start() throws Exception {
    tls = SelfSignedTls.create("cimd.invalid").context();

    server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(tls));
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext("/trickle", ClientMetadataDocumentsTest::trickle);
    server.createContext("/hold", ClientMetadataDocumentsTest::hold);
    server.createContext("/", exchange -> {
      REQUESTS.incrementAndGet();
      HITS.computeIfAbsent(exchange.getRequestURI().getPath(), p -> new AtomicInteger())
          .incrementAndGet();
      HOSTS.put(exchange.getRequestURI().getPath(), exchange.getRequestHeaders().getFirst("Host"));
      if (exchange.getRequestURI().getPath().startsWith("/slow")) {
        pause(1000);
      }
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
    release.countDown();
    server.stop(0);
  }

  /** Slow loris: headers at once, then one byte of the body every half second for 30 s. */
  private static void trickle(HttpExchange exchange) throws IOException {
    REQUESTS.incrementAndGet();
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(200, 0);
    try (OutputStream body = exchange.getResponseBody()) {
      for (int i = 0; i < 60; i++) {
        body.write(' ');
        body.flush();
        TRICKLED.incrementAndGet();
        pause(500);
      }
    } catch (IOException closedByTheClient) {
      // the gateway gave up: what the test wants
    }
  }

  /** Holds the request until the test releases it: fetches in progress for the cap test. */
  private static void hold(HttpExchange exchange) throws IOException {
    REQUESTS.incrementAndGet();
    HOLDING.incrementAndGet();
    try {
      release.await(20, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    exchange.sendResponseHeaders(404, -1);
    exchange.close();
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String url(String path) {
    return "https://localhost:" + server.getAddress().getPort() + path;
  }

  private static ClientMetadataDocuments documents(boolean allowPrivate) {
    return new ClientMetadataDocuments(tls, allowPrivate, ClientMetadataDocuments.MAX_CONCURRENT);
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
  void acceptsPrivateKeyJwtOnlyWithKeys() {
    // ChatGPT's document (ADR 0023): private_key_jwt with a jwks_uri, fetched only when needed.
    String keyed = document("/keyed", ", \"jwks_uri\": \"https://keys.example/jwks.json\"")
        .replace("\"none\"", "\"private_key_jwt\"");
    DOCUMENTS.put("/keyed", new String[] {"200", "application/json", keyed});
    DOCUMENTS.put("/keyless", new String[] {"200", "application/json",
        document("/keyless", "").replace("\"none\"", "\"private_key_jwt\"")});
    DOCUMENTS.put("/keyed-http", new String[] {"200", "application/json",
        keyed.replace("/keyed\"", "/keyed-http\"").replace("https://keys", "http://keys")});
    ClientMetadataDocuments documents = documents(true);

    RegisteredClient client = documents.resolve(url("/keyed")).orElseThrow();

    assertThat(client.authMethod()).isEqualTo("private_key_jwt");
    assertThat(client.jwksUri()).isEqualTo("https://keys.example/jwks.json");
    assertThat(client.secretHash()).isNull();
    assertThat(documents.resolve(url("/keyless"))).as("no keys").isEmpty();
    assertThat(documents.resolve(url("/keyed-http"))).as("http jwks_uri").isEmpty();
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
        "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::127.0.0.1", "::10.0.0.1", "::",
        "64:ff9b::127.0.0.1", "64:ff9b::a9fe:a9fe", "64:ff9b:1::808:808", "2002:7f00:1::1",
        "2002:c0a8:101::1", "2001:0:4136:e378:8000:63bf:80ff:fffe", "fec0::1", "ff02::1",
        "2001:db8::1", "172.31.255.255", "192.0.0.8", "198.18.0.1", "224.0.0.1",
        "255.255.255.255")) {
      assertThat(SpecialAddresses.special(InetAddress.getByName(address))).as(address).isTrue();
    }
    for (String address : List.of("93.184.216.34", "8.8.8.8", "2606:4700::1111",
        "::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1", "172.32.0.1", "100.128.0.1",
        "2001:0:4136:e378:8000:63bf:f7f7:f7f7")) {
      assertThat(SpecialAddresses.special(InetAddress.getByName(address))).as(address).isFalse();
    }
  }

  @Test
  void aTricklingBodyEndsAtTheWholeFetchDeadlineAndIsRemembered() {
    ClientMetadataDocuments documents = documents(true);
    int before = REQUESTS.get();
    long start = System.nanoTime();

    assertThat(documents.resolve(url("/trickle"))).isEmpty();

    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertThat(TRICKLED.get()).as("the body had started to arrive").isGreaterThan(2);
    assertThat(took).as("headers and body share one deadline")
        .isBetween(ClientMetadataDocuments.TIMEOUT.minusMillis(500),
            ClientMetadataDocuments.TIMEOUT.plusSeconds(2));

    long again = System.nanoTime();
    assertThat(documents.resolve(url("/trickle"))).isEmpty();
    assertThat(Duration.ofNanos(System.nanoTime() - again)).as("answered from memory")
        .isLessThan(Duration.ofMillis(200));
    assertThat(REQUESTS.get() - before).as("one fetch for two look-ups").isEqualTo(1);
  }

  @Test
  void concurrentLookUpsOfOneUrlShareOneFetch() throws Exception {
    DOCUMENTS.put("/slow-shared", new String[] {"200", "application/json",
        document("/slow-shared", "")});
    ClientMetadataDocuments documents = documents(true);
    int callers = 6;
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService threads = Executors.newFixedThreadPool(callers);
    try {
      List<Future<Optional<RegisteredClient>>> answers = new ArrayList<>();
      for (int i = 0; i < callers; i++) {
        answers.add(threads.submit(() -> {
          go.await();
          return documents.resolve(url("/slow-shared"));
        }));
      }
      go.countDown();
      for (Future<Optional<RegisteredClient>> answer : answers) {
        assertThat(answer.get(10, TimeUnit.SECONDS)).isPresent();
      }
    } finally {
      threads.shutdownNow();
    }
    assertThat(HITS.get("/slow-shared").get()).as("upstream requests").isEqualTo(1);
  }

  @Test
  void aHostThatDoesNotAnswerIsRememberedBriefly() throws Exception {
    AtomicInteger connections = new AtomicInteger();
    try (ServerSocket refusing = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread acceptor = new Thread(() -> {
        while (!refusing.isClosed()) {
          try (Socket socket = refusing.accept()) {
            connections.incrementAndGet(); // closed at once: no TLS, no response
          } catch (IOException e) {
            return;
          }
        }
      });
      acceptor.start();
      ClientMetadataDocuments documents = documents(true);
      String id = "https://localhost:" + refusing.getLocalPort() + "/client";

      assertThat(documents.resolve(id)).isEmpty();
      assertThat(documents.resolve(id)).isEmpty();

      assertThat(connections.get()).as("connections for two look-ups").isEqualTo(1);
    }
  }

  @Test
  void fetchesBeyondTheLimitFailAtOnceWithTemporarilyUnavailable() throws Exception {
    release = new CountDownLatch(1);
    HOLDING.set(0);
    ClientMetadataDocuments documents = new ClientMetadataDocuments(tls, true, 2);
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try {
      threads.submit(() -> documents.resolve(url("/hold/1")));
      threads.submit(() -> documents.resolve(url("/hold/2")));
      long waited = System.nanoTime();
      while (HOLDING.get() < 2 && System.nanoTime() - waited < TimeUnit.SECONDS.toNanos(5)) {
        Thread.sleep(20);
      }
      assertThat(HOLDING.get()).as("two fetches in progress").isEqualTo(2);
      int before = REQUESTS.get();
      long start = System.nanoTime();

      assertThatThrownBy(() -> documents.resolve(url("/third")))
          .isInstanceOfSatisfying(OAuthException.class, e -> {
            assertThat(e.error().code()).isEqualTo("temporarily_unavailable");
            assertThat(e.error().status()).isEqualTo(503);
          });
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(500));
      assertThat(REQUESTS.get()).as("no request for the third").isEqualTo(before);
    } finally {
      release.countDown();
      threads.shutdown();
      threads.awaitTermination(10, TimeUnit.SECONDS);
    }
    DOCUMENTS.put("/after", new String[] {"200", "application/json", document("/after", "")});
    // A fetch thread returns to the pool just after its answer is handed over: give it a moment.
    Optional<RegisteredClient> after = Optional.empty();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    while (after.isEmpty()) {
      try {
        after = documents.resolve(url("/after"));
        break;
      } catch (OAuthException busy) {
        if (System.nanoTime() > deadline) {
          throw busy;
        }
        Thread.sleep(10);
      }
    }
    assertThat(after).as("slots are given back").isPresent();
  }

  @Test
  void requestsBeyondTheWaitingLimitFailAtOnce() throws Exception {
    release = new CountDownLatch(1);
    HOLDING.set(0);
    ClientMetadataDocuments documents = new ClientMetadataDocuments(tls, true, 1);
    int limit = ClientMetadataDocuments.WAITING_PER_FETCH;
    ExecutorService threads = Executors.newFixedThreadPool(limit);
    try {
      for (int i = 0; i < limit; i++) {
        threads.submit(() -> documents.resolve(url("/hold/shared")));
      }
      long waited = System.nanoTime();
      while ((documents.waiting() < limit || HOLDING.get() < 1)
          && System.nanoTime() - waited < TimeUnit.SECONDS.toNanos(4)) {
        Thread.sleep(20);
      }
      assertThat(documents.waiting()).as("requests waiting for the one fetch").isEqualTo(limit);
      assertThat(HOLDING.get()).as("one upstream request for all of them").isEqualTo(1);
      long start = System.nanoTime();

      assertThatThrownBy(() -> documents.resolve(url("/hold/shared")))
          .isInstanceOfSatisfying(OAuthException.class,
              e -> assertThat(e.error().code()).isEqualTo("temporarily_unavailable"));
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(500));
    } finally {
      release.countDown();
      threads.shutdown();
      threads.awaitTermination(10, TimeUnit.SECONDS);
    }
    assertThat(documents.waiting()).as("given back").isZero();
  }

  @Test
  void connectsToTheCheckedAddressWhileTlsAndHostUseTheName() throws Exception {
    DOCUMENTS.put("/pinned", new String[] {"200", "application/json", "{}"});
    DocumentFetcher fetcher = new DocumentFetcher(tls, 2);
    int port = server.getAddress().getPort();
    Instant deadline = Instant.now().plusSeconds(5);

    // cimd.invalid has no DNS entry: only a connection to the given address can answer.
    DocumentFetcher.Fetched fetched = fetcher.get(URI.create("https://cimd.invalid:" + port
        + "/pinned"), InetAddress.getLoopbackAddress(), 100, deadline);

    assertThat(fetched.status()).isEqualTo(200);
    assertThat(HOSTS.get("/pinned")).isEqualTo("cimd.invalid:" + port);
    assertThatThrownBy(() -> fetcher.get(URI.create("https://other.invalid:" + port + "/pinned"),
        InetAddress.getLoopbackAddress(), 100, deadline)).as("the certificate is checked by name")
        .isInstanceOf(SSLException.class);
  }

  @Test
  void refusesHostsWrittenAsNumbersInOtherForms() {
    // research CM-8: decimal, octal, hex and short forms, refused before any look-up.
    for (String host : List.of("2130706433", "0177.0.0.1", "0x7f.0.0.1", "0x7f000001", "127.1",
        "017700000001", "127.0.0.01", "0x7f.1", "1.2.3.4.5", "example.0x10")) {
      assertThatThrownBy(() -> ClientMetadataDocuments.checkedUrl("https://" + host + "/client"))
          .as(host).isInstanceOf(ClientMetadataDocuments.Refused.class);
    }
    for (String host : List.of("example.com", "93.184.216.34", "1password.com", "[2606:4700::1111]",
        "x.y2k")) {
      assertThatCode(() -> ClientMetadataDocuments.checkedUrl("https://" + host + "/client"))
          .as(host).doesNotThrowAnyException();
    }
  }

  @Test
  void refusesLoopbackLiteralsInEveryIpv6DisguiseWithoutConnecting() {
    ClientMetadataDocuments documents = documents(false);
    int before = REQUESTS.get();
    int port = server.getAddress().getPort();
    for (String host : List.of("127.0.0.1", "[::1]", "[::ffff:127.0.0.1]", "[::127.0.0.1]",
        "[64:ff9b::7f00:1]", "[2002:7f00:1::1]", "2130706433")) {
      assertThat(documents.resolve("https://" + host + ":" + port + "/private")).as(host).isEmpty();
    }
    assertThat(REQUESTS.get()).as("no request was made").isEqualTo(before);
  }
}
