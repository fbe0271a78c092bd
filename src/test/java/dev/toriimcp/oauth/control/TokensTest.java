package dev.toriimcp.oauth.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.toriimcp.configuration.entity.OAuthSettings;
import dev.toriimcp.configuration.entity.SealingSettings;
import dev.toriimcp.oauth.entity.OAuthException;
import dev.toriimcp.oauth.entity.RefreshToken;
import dev.toriimcp.oauth.entity.RegisteredClient;
import dev.toriimcp.oauth.entity.TokenResponse;
import dev.toriimcp.platform.control.Storage;
import dev.toriimcp.platform.control.TestStorage;
import dev.toriimcp.testing.PostgresServer;
import dev.toriimcp.testing.TestGateway;
import dev.toriimcp.upstream.entity.UpstreamCredential;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Codes and tokens against real storage (embedded Derby, the gateway's changelogs and JPA unit):
 * rotation with its grace window, lifetimes, revocation and store failures (research §5.5,
 * §5.6, §5.9; ADR 0017).
 */
class TokensTest {

  private static final String VERIFIER = "a-verifier-of-enough-length-0123456789-abcdefghij";
  private static final SealingSettings KEYS = new SealingSettings(
      List.of(TestGateway.key("k1", 1), TestGateway.key("k2", 2)), "k2");
  private static final OAuthSettings SHORT = new OAuthSettings(Duration.ofSeconds(1),
      Duration.ofDays(30), Duration.ofDays(7), Duration.ofMinutes(2), Duration.ofSeconds(60), false);

  private static final String CHALLENGE = challenge(VERIFIER);

  private static TestStorage storage;
  private static RegisteredClient client;
  private static RegisteredClient otherClient;

  @BeforeAll
  static void open() {
    storage = TestStorage.open("tokens");
    client = client("torii-client-a");
    otherClient = client("torii-client-b");
  }

  @AfterAll
  static void close() {
    storage.close();
  }

  private static RegisteredClient client(String id) {
    RegisteredClient registered = new RegisteredClient(id, RegisteredClient.Kind.DYNAMIC, "Test",
        List.of("http://127.0.0.1/cb"), "none", null, true, Instant.now());
    storage.storage().inTransaction(em -> {
      em.persist(registered);
      return null;
    });
    return registered;
  }

  private static Tokens tokens(OAuthSettings oauth) {
    return tokens(oauth, storage.storage());
  }

  private static Tokens tokens(OAuthSettings oauth, Storage on) {
    Tokens tokens = new Tokens();
    tokens.storage = on;
    tokens.live = TestGateway.live(TestGateway.configuration(oauth, KEYS));
    tokens.sealing = TestGateway.sealing(KEYS);
    return tokens;
  }

  private static int users;

  /** A fresh user's first token pair at backend {@code open}. */
  private static TokenResponse grant(Tokens tokens) {
    return grant(tokens, "open", "user-" + (++users));
  }

  private static TokenResponse grant(Tokens tokens, String backend, String subject) {
    String code = tokens.issueCode(client.clientId(), "http://127.0.0.1/cb",
        CHALLENGE, subject, backend, backend);
    return tokens.redeem(client, code, null, VERIFIER, null);
  }

  private static RefreshToken row(String refreshToken) {
    return storage.storage().inTransaction(em ->
        em.find(RefreshToken.class, Secrets.hash(refreshToken)));
  }

  private static long liveRefreshTokens(String refreshToken) {
    String grant = row(refreshToken).grantId();
    return storage.storage().inTransaction(em -> em.createQuery("SELECT COUNT(t) FROM RefreshToken t"
        + " WHERE t.grantId = :grant AND t.revoked = FALSE AND t.rotatedAt IS NULL", Long.class)
        .setParameter("grant", grant).getSingleResult());
  }

  private static String errorOf(Runnable call) {
    try {
      call.run();
    } catch (OAuthException e) {
      return e.error().code();
    }
    throw new AssertionError("no OAuth error");
  }

  @Test
  void aRetryInsideTheGraceWindowGetsTheSameSuccessorAndAWorkingAccessToken() {
    Tokens tokens = tokens(OAuthSettings.DEFAULT);
    TokenResponse first = grant(tokens);

    TokenResponse rotated = tokens.refresh(client, first.refreshToken(), null, null);
    TokenResponse retried = tokens.refresh(client, first.refreshToken(), null, null);

    assertThat(rotated.refreshToken()).isNotEqualTo(first.refreshToken());
    assertThat(retried.refreshToken()).as("the same successor").isEqualTo(rotated.refreshToken());
    assertThat(retried.accessToken()).isNotEqualTo(rotated.accessToken());
    assertThat(tokens.validate(retried.accessToken(), "open")).isPresent();
    assertThat(tokens.validate(rotated.accessToken(), "open")).isPresent();
    assertThat(liveRefreshTokens(first.refreshToken())).as("one live refresh token").isEqualTo(1);
    assertThat(tokens.refresh(client, retried.refreshToken(), null, null).refreshToken())
        .as("the successor works").isNotEqualTo(retried.refreshToken());
  }

  @Test
  void aRetryAfterTheChainMovedOnGetsTheGrantsLiveRefreshToken() {
    Tokens tokens = tokens(OAuthSettings.DEFAULT);
    TokenResponse first = grant(tokens);
    TokenResponse second = tokens.refresh(client, first.refreshToken(), null, null);
    TokenResponse third = tokens.refresh(client, second.refreshToken(), null, null);

    TokenResponse retried = tokens.refresh(client, first.refreshToken(), null, null);

    assertThat(retried.refreshToken()).isEqualTo(third.refreshToken());
    assertThat(liveRefreshTokens(first.refreshToken())).isEqualTo(1);
  }

  @Test
  void parallelRefreshesOfOneTokenAllGetTheOneSuccessor() throws Exception {
    Tokens tokens = tokens(OAuthSettings.DEFAULT);
    TokenResponse first = grant(tokens);
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
    try {
      List<java.util.concurrent.Future<TokenResponse>> calls = new java.util.ArrayList<>();
      for (int i = 0; i < 8; i++) {
        calls.add(pool.submit(() -> tokens.refresh(client, first.refreshToken(), null, null)));
      }
      java.util.Set<String> successors = new java.util.HashSet<>();
      for (java.util.concurrent.Future<TokenResponse> call : calls) {
        successors.add(call.get().refreshToken());
      }
      assertThat(successors).hasSize(1);
    } finally {
      pool.shutdownNow();
    }
    assertThat(liveRefreshTokens(first.refreshToken())).isEqualTo(1);
  }

  @Test
  void rotationCarriesTheGrantsAbsoluteExpiryForward() throws Exception {
    Tokens tokens = tokens(OAuthSettings.DEFAULT);
    TokenResponse first = grant(tokens);
    Thread.sleep(20);
    TokenResponse second = tokens.refresh(client, first.refreshToken(), null, null);
    Thread.sleep(20);
    TokenResponse third = tokens.refresh(client, second.refreshToken(), null, null);

    Instant expiry = row(first.refreshToken()).expiresAt();
    assertThat(row(second.refreshToken()).expiresAt()).isEqualTo(expiry);
    assertThat(row(third.refreshToken()).expiresAt()).isEqualTo(expiry);
    assertThat(row(third.refreshToken()).idleExpiresAt())
        .as("the idle limit does restart").isAfter(row(first.refreshToken()).idleExpiresAt());
  }

  @Test
  void theAbsoluteRefreshLifetimeEndsTheGrantWhateverTheRotations() throws Exception {
    Tokens tokens = tokens(new OAuthSettings(Duration.ofHours(1), Duration.ofMillis(1500),
        Duration.ofDays(7), Duration.ofMinutes(2), Duration.ofSeconds(60), false));
    TokenResponse first = grant(tokens);
    Thread.sleep(900);
    TokenResponse second = tokens.refresh(client, first.refreshToken(), null, null);
    Thread.sleep(900);

    assertThat(errorOf(() -> tokens.refresh(client, second.refreshToken(), null, null)))
        .isEqualTo("invalid_grant");
  }

  @Test
  void anIdleRefreshTokenExpires() throws Exception {
    // Research RF-10.
    Tokens tokens = tokens(new OAuthSettings(Duration.ofHours(1), Duration.ofDays(30),
        Duration.ofMillis(500), Duration.ofMinutes(2), Duration.ofSeconds(60), false));
    TokenResponse first = grant(tokens);
    Thread.sleep(700);

    assertThat(errorOf(() -> tokens.refresh(client, first.refreshToken(), null, null)))
        .isEqualTo("invalid_grant");
  }

  @Test
  void anExpiredAccessTokenIsInvalid() throws Exception {
    // Research RS-6.
    Tokens tokens = tokens(SHORT);
    TokenResponse issued = grant(tokens);
    assertThat(tokens.validate(issued.accessToken(), "open")).isPresent();
    Thread.sleep(1_200);

    assertThat(tokens.validate(issued.accessToken(), "open")).isEmpty();
  }

  @Test
  void aStoreFailureMidRefreshIs503AndConsumesNothing() {
    // Research RF-11.
    TokenResponse first = grant(tokens(OAuthSettings.DEFAULT));
    Tokens failing = tokens(OAuthSettings.DEFAULT, failingOnRefreshTokenInsert(storage.storage()));

    assertThatThrownBy(() -> failing.refresh(client, first.refreshToken(), null, null))
        .isInstanceOfSatisfying(OAuthException.class, e -> {
          assertThat(e.error().status()).isEqualTo(503);
          assertThat(e.error().code()).isEqualTo("temporarily_unavailable");
        });
    assertThat(row(first.refreshToken()).rotatedAt()).as("not consumed").isNull();
    assertThat(tokens(OAuthSettings.DEFAULT).refresh(client, first.refreshToken(), null, null)
        .refreshToken()).isNotNull();
  }

  @Test
  void aRefreshWithoutTheUsersUpstreamCredentialEndsTheGrant() {
    // Research RF-9: the upstream link deleted, or sealed under a key no longer configured.
    Tokens tokens = tokens(OAuthSettings.DEFAULT);
    TokenResponse withCredential = grant(tokens, "linked", "rf9-kept");
    storeCredential("rf9-kept", "k2");
    assertThat(tokens.refresh(client, withCredential.refreshToken(), null, null).refreshToken())
        .isNotNull();

    TokenResponse without = grant(tokens, "linked", "rf9-none");
    assertThat(errorOf(() -> tokens.refresh(client, without.refreshToken(), null, null)))
        .isEqualTo("invalid_grant");
    assertThat(tokens.validate(without.accessToken(), "linked")).as("grant revoked").isEmpty();

    TokenResponse retired = grant(tokens, "linked", "rf9-retired");
    storeCredential("rf9-retired", "k0");
    assertThat(errorOf(() -> tokens.refresh(client, retired.refreshToken(), null, null)))
        .isEqualTo("invalid_grant");
  }

  private static void storeCredential(String subject, String keyId) {
    storage.storage().inTransaction(em -> {
      em.persist(new UpstreamCredential(subject, "linked", "sealed-value", keyId, null,
          Instant.now()));
      return null;
    });
  }

  @Test
  void aReplayWithAWrongVerifierLeavesTheFirstTokensAlone() {
    // Research TK-9 (and TK-8 for the replay with the right verifier).
    Tokens tokens = tokens(OAuthSettings.DEFAULT);
    String code = tokens.issueCode(client.clientId(), "http://127.0.0.1/cb",
        CHALLENGE, "tk9", "open", "open");
    TokenResponse first = tokens.redeem(client, code, null, VERIFIER, null);

    assertThat(errorOf(() -> tokens.redeem(client, code, null, VERIFIER + "x", null)))
        .isEqualTo("invalid_grant");
    assertThat(tokens.validate(first.accessToken(), "open")).isPresent();
    assertThat(tokens.refresh(client, first.refreshToken(), null, null).accessToken()).isNotNull();

    assertThat(errorOf(() -> tokens.redeem(client, code, null, VERIFIER, null)))
        .isEqualTo("invalid_grant");
    assertThat(tokens.validate(first.accessToken(), "open")).as("TK-8 revokes").isEmpty();
  }

  @Test
  void revocationEndsTheGrantOfItsOwnClientOnly() {
    // Research RV-1, RV-2, RV-3.
    Tokens tokens = tokens(OAuthSettings.DEFAULT);
    TokenResponse mine = grant(tokens);
    TokenResponse kept = grant(tokens);

    tokens.revoke(client, "garbage");
    tokens.revoke(otherClient, kept.refreshToken());
    tokens.revoke(otherClient, kept.accessToken());
    tokens.revoke(client, mine.refreshToken());

    assertThat(errorOf(() -> tokens.refresh(client, mine.refreshToken(), null, null)))
        .isEqualTo("invalid_grant");
    assertThat(tokens.validate(mine.accessToken(), "open")).isEmpty();
    assertThat(tokens.validate(kept.accessToken(), "open")).isPresent();
    assertThat(tokens.refresh(client, kept.refreshToken(), null, null).accessToken()).isNotNull();
  }

  private static String challenge(String verifier) {
    try {
      return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
          java.security.MessageDigest.getInstance("SHA-256").digest(
              verifier.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Storage whose entity managers fail when a refresh token is inserted. */
  private static Storage failingOnRefreshTokenInsert(Storage real) {
    return new Storage() {
      @Override
      public <T> T inTransaction(Function<EntityManager, T> work) {
        return real.inTransaction(em -> work.apply((EntityManager) Proxy.newProxyInstance(
            EntityManager.class.getClassLoader(), new Class<?>[] {EntityManager.class},
            (proxy, method, args) -> {
              if (method.getName().equals("persist") && args[0] instanceof RefreshToken) {
                throw new PersistenceException("simulated store failure");
              }
              try {
                return method.invoke(em, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            })));
      }
    };
  }

  @Test
  void aTokenRevokedOnOneNodeIsRefusedAtOnceOnAnotherThatSharesTheDatabase() throws Exception {
    try (PostgresServer postgres = PostgresServer.start()) {
      for (boolean shared : new boolean[] {false, true}) {
        try (TestStorage a = TestStorage.postgres(postgres, shared);
            TestStorage b = TestStorage.postgres(postgres, shared)) {
          RegisteredClient registered = new RegisteredClient("torii-client-pg-" + shared,
              RegisteredClient.Kind.DYNAMIC, "Test", List.of("http://127.0.0.1/cb"), "none", null,
              true, Instant.now());
          a.storage().inTransaction(em -> {
            em.persist(registered);
            return null;
          });
          Tokens onA = tokens(OAuthSettings.DEFAULT, a.storage());
          Tokens onB = tokens(OAuthSettings.DEFAULT, b.storage());
          String code = onA.issueCode(registered.clientId(), "http://127.0.0.1/cb", CHALLENGE,
              "pg-user", "open", "open");
          TokenResponse issued = onA.redeem(registered, code, null, VERIFIER, null);
          assertThat(onA.validate(issued.accessToken(), "open")).isPresent();
          assertThat(onB.validate(issued.accessToken(), "open")).isPresent();

          onB.revoke(registered, issued.accessToken());

          assertThat(onB.validate(issued.accessToken(), "open")).isEmpty();
          if (shared) {
            assertThat(onA.validate(issued.accessToken(), "open")).as("shared: refused at once")
                .isEmpty();
          } else {
            assertThat(onA.validate(issued.accessToken(), "open"))
                .as("one node's cache, the reason storage.shared exists").isPresent();
          }
        }
      }
    }
  }
}
