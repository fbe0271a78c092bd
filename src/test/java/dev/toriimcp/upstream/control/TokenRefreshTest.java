package dev.toriimcp.upstream.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import dev.toriimcp.configuration.entity.BackendDefinition;
import dev.toriimcp.configuration.entity.Policy;
import dev.toriimcp.configuration.entity.SealingSettings;
import dev.toriimcp.configuration.entity.UpstreamAuth;
import dev.toriimcp.platform.control.TestStorage;
import dev.toriimcp.sealing.control.Sealer;
import dev.toriimcp.testing.TestGateway;
import dev.toriimcp.upstream.entity.BrokeredTokens;
import dev.toriimcp.upstream.entity.Renewal;
import dev.toriimcp.upstream.entity.UpstreamCredential;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.OAuth2Config;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Silent refresh of {@code oauth2} credentials (ADR 0021) against a real OAuth server in this JVM
 * (mock-oauth2-server, rotating refresh tokens) and real storage (embedded Derby): a token within
 * the skew is refreshed once, a storm of opens on one node or on two "nodes" (two instances on
 * one database) sends one refresh grant, the rotated refresh token is the one stored,
 * {@code invalid_grant} deletes the credential, and an unreachable provider keeps it.
 */
class TokenRefreshTest {

  private static final String ISSUER_ID = "idp";
  private static final Duration SKEW = Duration.ofSeconds(60);
  private static final URI CALLBACK = URI.create("http://127.0.0.1:1/oauth/callback/api");
  private static final SealingSettings KEYS =
      new SealingSettings(List.of(TestGateway.key("k1", 7)), "k1");
  private static final HttpClient BROWSER = HttpClient.newBuilder()
      .followRedirects(HttpClient.Redirect.NEVER).build();

  private static TestStorage storage;
  private static MockOAuth2Server idp;
  private static BackendDefinition api;
  private static IdentityProviders providers;

  private final List<UpstreamCredentials> nodes = new ArrayList<>();

  @BeforeAll
  static void start() {
    storage = TestStorage.open("token-refresh");
    idp = new MockOAuth2Server(new OAuth2Config(false, null, null, true));
    idp.start(InetAddress.getLoopbackAddress(), 0);
    api = backend("api", URI.create(idp.issuerUrl(ISSUER_ID).toString()), null, null);
    providers = new IdentityProviders();
  }

  @AfterAll
  static void stop() {
    idp.shutdown();
    providers.close();
    storage.close();
  }

  @BeforeEach
  void empty() {
    storage.storage().inTransaction(em ->
        em.createQuery("DELETE FROM UpstreamCredential c").executeUpdate());
    drain();
  }

  @AfterEach
  void stopNodes() {
    nodes.forEach(UpstreamCredentials::stop);
  }

  private static BackendDefinition backend(String name, URI issuer, URI authorization,
      URI token) {
    return new BackendDefinition(name, URI.create("file:///spec.yaml"), null, Policy.ALLOW_ALL,
        new UpstreamAuth.OAuth2(issuer, authorization, token, null, "gateway", "secret",
            "client_secret_basic", List.of("openid"), Map.of(), "Authorization", "Bearer ",
            new UpstreamAuth.UserNaming.IdTokenClaim("sub"), SKEW), Map.of());
  }

  private UpstreamCredentials node() {
    UpstreamCredentials node = new UpstreamCredentials();
    node.storage = storage.storage();
    node.sealing = TestGateway.sealing(KEYS);
    node.providers = providers;
    nodes.add(node);
    return node;
  }

  /** A real sign-in at the provider: authorization request, code, redemption. */
  private static BrokeredTokens signIn(String subject) throws Exception {
    idp.enqueueCallback(new DefaultOAuth2TokenCallback(ISSUER_ID, subject, "JWT",
        List.of("api"), Map.of(), 300));
    UpstreamAuth.OAuth2 auth = (UpstreamAuth.OAuth2) api.auth();
    CodeVerifier verifier = new CodeVerifier();
    URI authorize = IdentityProviderClient.authorizationRedirect(auth, providers.provider(api),
        CALLBACK, "state-1", "nonce-1", verifier);
    HttpResponse<String> redirect = BROWSER.send(HttpRequest.newBuilder(authorize).build(),
        HttpResponse.BodyHandlers.ofString());
    String location = redirect.headers().firstValue("Location").orElseThrow();
    Matcher code = Pattern.compile("[?&]code=([^&]+)").matcher(location);
    assertThat(code.find()).as(location).isTrue();
    IdentityProviderClient.Issued issued = new IdentityProviderClient(providers.http()).redeem(
        auth, providers.provider(api), java.net.URLDecoder.decode(code.group(1),
            StandardCharsets.UTF_8), CALLBACK, verifier);
    assertThat(issued.refreshToken()).isNotNull();
    return new BrokeredTokens(issued.accessToken(), issued.refreshToken(), issued.expiresAt());
  }

  private static void store(String backend, String subject, BrokeredTokens tokens) {
    String sealed = TestGateway.sealing(KEYS).sealer().seal(tokens.toBytes(), backend, subject);
    storage.storage().inTransaction(em -> {
      em.persist(new UpstreamCredential(subject, backend, sealed,
          Sealer.keyId(sealed).orElseThrow(), tokens.expiresAt(), Instant.now()));
      return null;
    });
  }

  private static BrokeredTokens stored(String backend, String subject) {
    UpstreamCredential row = storage.storage().inTransaction(em ->
        em.find(UpstreamCredential.class, new UpstreamCredential.Key(subject, backend),
            TokenRefresh.FRESH)); // what the database holds, not what JPA's cache remembers
    return row == null ? null : BrokeredTokens.fromBytes(
        TestGateway.sealing(KEYS).sealer().open(row.sealed(), backend, subject));
  }

  private static BrokeredTokens expiringAt(BrokeredTokens tokens, Instant at) {
    return new BrokeredTokens(tokens.accessToken(), tokens.refreshToken(), at);
  }

  /** The refresh grants the provider received since the last call, and forgets the rest. */
  private static int refreshGrants() {
    int grants = 0;
    while (true) {
      RecordedRequest request;
      try {
        request = idp.takeRequest(200, TimeUnit.MILLISECONDS);
      } catch (RuntimeException none) {
        return grants; // mock-oauth2-server: "no request found in queue within timeout"
      }
      if (request.getBody().readUtf8().contains("grant_type=refresh_token")) {
        grants++;
      }
    }
  }

  private static void drain() {
    refreshGrants();
  }

  @Test
  void aTokenWithinTheSkewIsRefreshedOnceAndTheRotatedRefreshTokenIsStored() throws Exception {
    BrokeredTokens signedIn = signIn("alice");
    store("api", "alice", expiringAt(signedIn, Instant.now().plusSeconds(10)));
    drain();
    UpstreamCredentials node = node();

    Optional<String> first = node.open("alice", api);
    Optional<String> second = node.open("alice", api);

    assertThat(first).isPresent().isEqualTo(second);
    assertThat(first.get()).isNotEqualTo(signedIn.accessToken());
    assertThat(refreshGrants()).isEqualTo(1);
    BrokeredTokens row = stored("api", "alice");
    assertThat(row.accessToken()).isEqualTo(first.get());
    assertThat(row.refreshToken()).as("rotated").isNotEqualTo(signedIn.refreshToken());
    assertThat(row.expiresAt()).isAfter(Instant.now().plus(SKEW));
  }

  @Test
  void aTokenOutsideTheSkewIsUsedAsItIs() throws Exception {
    BrokeredTokens signedIn = signIn("alice");
    store("api", "alice", signedIn);
    drain();

    assertThat(node().open("alice", api)).contains(signedIn.accessToken());
    assertThat(refreshGrants()).isZero();
  }

  @Test
  void aHundredParallelOpensJustAfterExpirySendOneRefreshGrant() throws Exception {
    BrokeredTokens signedIn = signIn("bob");
    store("api", "bob", expiringAt(signedIn, Instant.now().minusSeconds(1)));
    drain();
    UpstreamCredentials node = node();

    Set<Optional<String>> tokens = storm(100, List.of(node), "bob");

    assertThat(tokens).hasSize(1);
    assertThat(tokens.iterator().next()).isPresent();
    assertThat(refreshGrants()).isEqualTo(1);
    assertThat(stored("api", "bob").accessToken()).isEqualTo(tokens.iterator().next().get());
  }

  @Test
  void twoNodesOnOneDatabaseShareOneRefreshThroughTheRowLock() throws Exception {
    BrokeredTokens signedIn = signIn("carol");
    store("api", "carol", expiringAt(signedIn, Instant.now().minusSeconds(1)));
    drain();

    Set<Optional<String>> tokens = storm(100, List.of(node(), node()), "carol");

    assertThat(tokens).hasSize(1);
    assertThat(refreshGrants()).isEqualTo(1);
    // The provider's answer was stored. Not checked by comparing refresh tokens: the mock
    // provider's are JWTs of whole seconds, so a refresh in the sign-in's second may repeat it.
    assertThat(stored("api", "carol").expiresAt()).as("the refreshed token set")
        .isAfter(Instant.now());
  }

  private static Set<Optional<String>> storm(int calls, List<UpstreamCredentials> onNodes,
      String subject) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(calls);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Optional<String>>> opened = new ArrayList<>();
      for (int i = 0; i < calls; i++) {
        UpstreamCredentials node = onNodes.get(i % onNodes.size());
        Callable<Optional<String>> open = () -> {
          go.await();
          return node.open(subject, api);
        };
        opened.add(pool.submit(open));
      }
      go.countDown();
      Set<Optional<String>> distinct = new java.util.HashSet<>();
      for (Future<Optional<String>> each : opened) {
        distinct.add(each.get(30, TimeUnit.SECONDS));
      }
      return distinct;
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aRefreshTokenTheProviderRefusesDeletesTheCredential() throws Exception {
    BrokeredTokens signedIn = signIn("dave");
    // A refresh token the provider does not know, as after its revocation there.
    store("api", "dave", new BrokeredTokens(signedIn.accessToken(), "revoked-at-the-idp",
        Instant.now().minusSeconds(1)));
    drain();

    assertThat(node().open("dave", api)).isEmpty();
    assertThat(refreshGrants()).isEqualTo(1);
    assertThat(stored("api", "dave")).as("deleted").isNull();
  }

  @Test
  void anUnreachableProviderKeepsTheCredentialAndSaysSo() throws Exception {
    URI closed = URI.create("http://127.0.0.1:" + closedPort());
    BackendDefinition down = backend("down", closed, closed.resolve("/authorize"),
        closed.resolve("/token"));
    store("down", "erin", new BrokeredTokens("expired-access", "refresh-1",
        Instant.now().minusSeconds(1)));

    assertThatThrownBy(() -> node().open("erin", down))
        .isInstanceOf(IdentityProviders.UnavailableException.class)
        .hasMessageContaining("cannot be reached")
        .hasMessageNotContaining("refresh-1");
    assertThat(stored("down", "erin")).as("kept").isNotNull();
  }

  @Test
  void anUnreachableProviderLeavesAStillValidTokenInUse() throws Exception {
    URI closed = URI.create("http://127.0.0.1:" + closedPort());
    BackendDefinition down = backend("down", closed, closed.resolve("/authorize"),
        closed.resolve("/token"));
    store("down", "erin", new BrokeredTokens("valid-access", "refresh-1",
        Instant.now().plusSeconds(30)));

    assertThat(node().open("erin", down)).contains("valid-access");
  }

  @Test
  void tokensWithoutRefreshTokenOrExpiryAreUsedAndNeverRefreshed() throws Exception {
    store("api", "frank", new BrokeredTokens("forever", null, null));
    store("api", "gina", new BrokeredTokens("soon", null, Instant.now().plusSeconds(5)));
    store("api", "hank", new BrokeredTokens("gone", null, Instant.now().minusSeconds(5)));
    UpstreamCredentials node = node();

    assertThat(node.open("frank", api)).contains("forever");
    assertThat(node.open("gina", api)).as("valid, nothing to renew it with").contains("soon");
    assertThat(node.open("hank", api)).as("expired: sign in again").isEmpty();
    assertThat(node.renewRefused("frank", api, "forever").get(10, TimeUnit.SECONDS))
        .as("a 401 without refresh token").isInstanceOf(Renewal.SignInAgain.class);
    assertThat(refreshGrants()).isZero();
  }

  @Test
  void aRefusedTokenIsRenewedOnceEvenWithoutExpiry() throws Exception {
    BrokeredTokens signedIn = signIn("ivy");
    store("api", "ivy", expiringAt(signedIn, null));
    drain();
    UpstreamCredentials node = node();
    assertThat(node.open("ivy", api)).as("cached now").contains(signedIn.accessToken());

    Renewal renewal = node.renewRefused("ivy", api, signedIn.accessToken())
        .get(10, TimeUnit.SECONDS);
    assertThat(renewal).isInstanceOf(Renewal.Renewed.class);
    String renewed = ((Renewal.Renewed) renewal).tokens().accessToken();
    assertThat(renewed).isNotEqualTo(signedIn.accessToken());
    // A second call that was refused the old token finds the new one: no second grant.
    Renewal again = node().renewRefused("ivy", api, signedIn.accessToken())
        .get(10, TimeUnit.SECONDS);
    assertThat(((Renewal.Renewed) again).tokens().accessToken()).isEqualTo(renewed);
    assertThat(node.open("ivy", api)).as("the cache holds the new token").contains(renewed);
    assertThat(refreshGrants()).isEqualTo(1);
  }

  @Test
  void aCachedTokenIsNotServedPastItsExpiry() throws Exception {
    store("api", "jane", new BrokeredTokens("short", null, Instant.now().plusMillis(1500)));
    UpstreamCredentials node = node();
    assertThat(node.open("jane", api)).contains("short");

    Thread.sleep(2_000); // within the 5 s the opened credential is cached

    assertThat(node.open("jane", api)).isEmpty();
  }

  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
