package dev.toriimcp.oauth.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.PlainHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.toriimcp.oauth.entity.RegisteredClient;
import dev.toriimcp.oauth.entity.UsedAssertion;
import dev.toriimcp.platform.control.TestStorage;
import dev.toriimcp.testing.SelfSignedTls;
import jakarta.json.Json;
import java.io.StringReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * RFC 7523 client assertions, verified by the real {@link ClientAssertions} with its replay
 * records in a real (embedded Derby) database and, for {@code jwks_uri}, a JWK set served by a
 * real HTTPS server on loopback through the metadata-document egress (ADR 0023).
 */
class ClientAssertionsTest {

  private static final String ISSUER = "https://gateway.example";
  private static final String TOKEN = ISSUER + "/token";
  private static final Set<String> AUDIENCES = Set.of(ISSUER, TOKEN);
  private static final String CLIENT = "torii-keyed-client";

  private static TestStorage storage;
  private static HttpsServer server;
  private static final AtomicReference<String> SERVED = new AtomicReference<>();
  private static final AtomicInteger FETCHES = new AtomicInteger();
  private static ClientAssertions assertions;
  private static RSAKey rsa;
  private static ECKey ec;

  @BeforeAll
  static void start() throws Exception {
    storage = TestStorage.open("client-assertions");
    var tls = SelfSignedTls.create().context();
    server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(tls));
    server.createContext("/jwks", exchange -> {
      FETCHES.incrementAndGet();
      byte[] body = SERVED.get().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.getResponseHeaders().add("Cache-Control", "max-age=600");
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
    assertions = new ClientAssertions(new ClientKeys(new MetadataFetches(tls, true, 2)),
        new UsedAssertions(storage.storage()));
    rsa = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
    ec = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
  }

  @AfterAll
  static void stop() {
    server.stop(0);
    storage.close();
  }

  private static RegisteredClient inline(String clientId, JWKSet keys) {
    return RegisteredClient.withKeys(clientId, RegisteredClient.Kind.DYNAMIC, "Keyed",
        List.of("https://client.example/cb"), keys.toPublicJWKSet().toString(), null, true,
        Instant.now());
  }

  private static RegisteredClient client() {
    return inline(CLIENT, new JWKSet(List.of(rsa, ec)));
  }

  private static JWTClaimsSet.Builder claims(String clientId, Instant now) {
    return new JWTClaimsSet.Builder().issuer(clientId).subject(clientId).audience(TOKEN)
        .issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(60)))
        .jwtID(UUID.randomUUID().toString());
  }

  private static String signed(RSAKey key, JWTClaimsSet claims) throws Exception {
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID())
        .type(JOSEObjectType.JWT).build(), claims);
    jwt.sign(new RSASSASigner(key));
    return jwt.serialize();
  }

  private static void assertRejected(RegisteredClient client, String assertion, String reason) {
    assertThatThrownBy(() -> assertions.verify(client, assertion, AUDIENCES, Instant.now()))
        .isInstanceOf(ClientAssertions.Rejected.class).hasMessageContaining(reason);
  }

  @Test
  void aFreshAssertionSignedByAClientKeyIsAcceptedOnce() throws Exception {
    Instant now = Instant.now();
    String assertion = signed(rsa, claims(CLIENT, now).build());

    JWTClaimsSet proved = assertions.verify(client(), assertion, AUDIENCES, now);

    assertThat(proved.getSubject()).isEqualTo(CLIENT);
    UsedAssertion row = storage.storage().inTransaction(em -> em.find(UsedAssertion.class,
        UsedAssertions.hash(CLIENT, proved.getJWTID())));
    assertThat(row.expiresAt()).as("kept until exp plus the skew")
        .isEqualTo(proved.getExpirationTime().toInstant().plus(ClientAssertions.SKEW));
    assertRejected(client(), assertion, "replay");
  }

  @Test
  void anEcSignatureAndTheIssuerAsAudienceAreAcceptedToo() throws Exception {
    Instant now = Instant.now();
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("ec-1")
        .type(new JOSEObjectType("client-authentication+jwt")).build(),
        claims(CLIENT, now).audience(ISSUER).build());
    jwt.sign(new ECDSASigner(ec));

    assertThatCode(() -> assertions.verify(client(), jwt.serialize(), AUDIENCES, now))
        .doesNotThrowAnyException();
  }

  @Test
  void theSameJtiOfAnotherClientIsNoReplay() throws Exception {
    Instant now = Instant.now();
    String jti = UUID.randomUUID().toString();
    RegisteredClient other = inline("torii-other", new JWKSet(rsa));
    assertions.verify(client(), signed(rsa, claims(CLIENT, now).jwtID(jti).build()), AUDIENCES, now);

    assertThatCode(() -> assertions.verify(other, signed(rsa, claims("torii-other", now).jwtID(jti)
        .build()), AUDIENCES, now)).doesNotThrowAnyException();
  }

  @Test
  void twoRacingUsesOfOneJtiLetExactlyOneThrough() throws Exception {
    Instant now = Instant.now();
    String assertion = signed(rsa, claims(CLIENT, now).build());
    ExecutorService threads = Executors.newFixedThreadPool(4);
    try {
      Callable<Boolean> use = () -> {
        try {
          assertions.verify(client(), assertion, AUDIENCES, now);
          return true;
        } catch (ClientAssertions.Rejected e) {
          return false;
        }
      };
      List<Future<Boolean>> results = threads.invokeAll(List.of(use, use, use, use));
      int accepted = 0;
      for (Future<Boolean> result : results) {
        accepted += result.get() ? 1 : 0;
      }
      assertThat(accepted).isEqualTo(1);
    } finally {
      threads.shutdownNow();
    }
  }

  @Test
  void aWrongAudienceIsRefused() throws Exception {
    assertRejected(client(), signed(rsa, claims(CLIENT, Instant.now())
        .audience("https://other.example/token").build()), "aud");
  }

  @Test
  void anExpiredAssertionIsRefused() throws Exception {
    Instant then = Instant.now().minus(Duration.ofMinutes(10));
    assertRejected(client(), signed(rsa, claims(CLIENT, then).build()), "Expired");
  }

  @Test
  void anExpiryFurtherAheadThanFiveMinutesIsRefused() throws Exception {
    Instant now = Instant.now();
    assertRejected(client(), signed(rsa, claims(CLIENT, now)
        .expirationTime(Date.from(now.plus(Duration.ofMinutes(6)))).build()), "minutes ahead");
  }

  @Test
  void missingExpOrJtiIsRefused() throws Exception {
    Instant now = Instant.now();
    assertRejected(client(), signed(rsa, claims(CLIENT, now).expirationTime(null).build()), "exp");
    assertRejected(client(), signed(rsa, claims(CLIENT, now).jwtID(null).build()), "jti");
  }

  @Test
  void anIssueTimeOrNotBeforeInTheFutureIsRefused() throws Exception {
    Instant now = Instant.now();
    assertRejected(client(), signed(rsa, claims(CLIENT, now)
        .issueTime(Date.from(now.plusSeconds(120))).build()), "iat");
    assertRejected(client(), signed(rsa, claims(CLIENT, now)
        .notBeforeTime(Date.from(now.plusSeconds(120))).build()), "before use time");
  }

  @Test
  void aKeyNotInTheClientsSetIsRefused() throws Exception {
    RSAKey stranger = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
    assertRejected(client(), signed(stranger, claims(CLIENT, Instant.now()).build()), "signature");
    RSAKey unknownId = new RSAKeyGenerator(2048).keyID("unknown").generate();
    assertRejected(client(), signed(unknownId, claims(CLIENT, Instant.now()).build()), "no matching key");
  }

  @Test
  void hmacAndUnsignedAssertionsAreRefused() throws Exception {
    SignedJWT hmac = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims(CLIENT, Instant.now()).build());
    hmac.sign(new MACSigner(new byte[32]));
    assertRejected(client(), hmac.serialize(), "HS256");
    PlainJWT none = new PlainJWT(new PlainHeader(), claims(CLIENT, Instant.now()).build());
    assertRejected(client(), none.serialize(), "unsigned");
    assertRejected(client(), "not.a.jwt", "not a JWT");
  }

  @Test
  void issuerAndSubjectMustBothBeTheClient() throws Exception {
    Instant now = Instant.now();
    assertRejected(client(), signed(rsa, claims(CLIENT, now).issuer("torii-someone-else").build()),
        "iss");
    assertRejected(client(), signed(rsa, claims(CLIENT, now).subject("torii-someone-else").build()),
        "sub");
  }

  @Test
  void anAssertionOfAnotherClientIsRefused() throws Exception {
    RSAKey theirs = new RSAKeyGenerator(2048).keyID("theirs").generate();
    RegisteredClient other = inline("torii-other", new JWKSet(theirs));
    // Signed with the other client's own key but presented as this client: not this client's key.
    assertRejected(client(), signed(theirs, claims(CLIENT, Instant.now()).build()), "no matching key");
    // This client's claims signed with its key, presented for the other: iss/sub do not match.
    assertRejected(other, signed(theirs, claims(CLIENT, Instant.now()).build()), "iss");
  }

  @Test
  void aJwksUriIsFetchedOnceAndAgainForANewKeyId() throws Exception {
    RSAKey first = new RSAKeyGenerator(2048).keyID("first").generate();
    RSAKey rotated = new RSAKeyGenerator(2048).keyID("rotated").generate();
    SERVED.set(new JWKSet(first).toPublicJWKSet().toString());
    String uri = "https://localhost:" + server.getAddress().getPort() + "/jwks";
    String clientId = "https://client.example/keyed-" + System.nanoTime();
    RegisteredClient remote = RegisteredClient.withKeys(clientId,
        RegisteredClient.Kind.METADATA_DOCUMENT, "Remote", List.of("https://client.example/cb"),
        null, uri, true, Instant.now());
    int before = FETCHES.get();

    assertions.verify(remote, signed(first, claims(clientId, Instant.now()).build()), AUDIENCES,
        Instant.now());
    assertions.verify(remote, signed(first, claims(clientId, Instant.now()).build()), AUDIENCES,
        Instant.now());
    assertThat(FETCHES.get() - before).as("cached").isEqualTo(1);

    SERVED.set(new JWKSet(List.of(first, rotated)).toPublicJWKSet().toString());
    // Fetched a moment ago: the unknown key id is not worth a refetch yet (REFETCH_AFTER).
    assertRejected(remote, signed(rotated, claims(clientId, Instant.now()).build()), "no matching key");
    assertThat(FETCHES.get() - before).isEqualTo(1);
  }

  @Test
  void registeredKeysMustBePublicAsymmetricAndExactlyOneOfJwksAndJwksUri() throws Exception {
    String pub = new JWKSet(rsa).toPublicJWKSet().toString();
    assertThat(ClientKeys.registered(metadata("{\"jwks\": " + pub + "}")).jwks()).isNotNull();
    assertThat(ClientKeys.registered(metadata("{\"jwks_uri\": \"https://client.example/jwks\"}"))
        .jwksUri()).isEqualTo("https://client.example/jwks");
    for (String bad : new String[] {"{}", "{\"jwks\": " + pub + ", \"jwks_uri\": \"https://a.example/j\"}",
        "{\"jwks_uri\": \"http://client.example/jwks\"}", "{\"jwks_uri\": \"https://u@client.example/j\"}",
        "{\"jwks\": " + new JWKSet(rsa).toString(false) + "}",
        "{\"jwks\": {\"keys\": [{\"kty\": \"oct\", \"k\": \"AAAA\"}]}}",
        "{\"jwks\": " + new JWKSet(new RSAKeyGenerator(1024, true).generate()).toPublicJWKSet() + "}",
        "{\"jwks\": {\"keys\": []}}", "{\"jwks\": \"text\"}"}) {
      assertThatThrownBy(() -> ClientKeys.registered(metadata(bad))).as(bad)
          .isInstanceOf(ClientMetadataDocuments.Refused.class);
    }
  }

  private static jakarta.json.JsonObject metadata(String json) {
    return Json.createReader(new StringReader(json)).readObject();
  }
}
