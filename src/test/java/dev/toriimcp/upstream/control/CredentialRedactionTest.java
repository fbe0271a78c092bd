package dev.toriimcp.upstream.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.toriimcp.configuration.entity.UpstreamAuth;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The forms {@link CredentialRedaction} looks for, and the cache that spares a tool call from
 * building them again (ADR 0019). What the forms do to real answers is in
 * {@link UpstreamResponseMapperTest}.
 */
class CredentialRedactionTest {

  private static final String TOKEN = "s3cr3t/T0ken+value=";
  private static final UpstreamAuth.LoginBroker BEARER =
      new UpstreamAuth.LoginBroker(URI.create("http://upstream/login"));
  private static final UpstreamAuth.LoginBroker BASIC = new UpstreamAuth.LoginBroker(
      URI.create("http://upstream/login"), false, "username", "password", "/access_token", null,
      null, "Authorization", "Basic ");

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void theNeedlesAreTheCredentialInEveryEncodingLongestFirst() {
    CredentialRedaction redaction = CredentialRedaction.of(BEARER, TOKEN);

    assertThat(redaction.needles()).contains(TOKEN,
        "s3cr3t%2FT0ken%2Bvalue%3D", "s3cr3t%2fT0ken%2bvalue%3d",
        URLEncoder.encode(TOKEN, StandardCharsets.UTF_8),
        Base64.getEncoder().encodeToString(utf8(TOKEN)),
        Base64.getUrlEncoder().encodeToString(utf8(TOKEN)),
        "s3cr3t\\/T0ken+value=");
    assertThat(redaction.needles()).allSatisfy(
        needle -> assertThat(needle.length()).isGreaterThanOrEqualTo(CredentialRedaction.MIN_LENGTH));
    for (int i = 1; i < redaction.needles().size(); i++) {
      assertThat(redaction.needles().get(i).length())
          .isLessThanOrEqualTo(redaction.needles().get(i - 1).length());
    }
  }

  @Test
  void aCachedRedactionHasTheNeedlesOfAFreshlyBuiltOne() {
    for (UpstreamAuth.LoginBroker auth : new UpstreamAuth.LoginBroker[] {BEARER, BASIC}) {
      String credential = auth == BASIC
          ? Base64.getEncoder().encodeToString(utf8("alice:wonder-land")) : TOKEN;
      CredentialRedaction.Key key =
          new CredentialRedaction.Key(auth.cookie(), auth.applyPrefix(), credential);

      CredentialRedaction first = CredentialRedaction.of(auth, credential);
      CredentialRedaction second = CredentialRedaction.of(auth, credential);

      assertThat(second).isSameAs(first);
      assertThat(first.needles()).isEqualTo(CredentialRedaction.build(key).needles());
    }
    // Basic also looks for the decoded user:password and the password alone.
    assertThat(CredentialRedaction.of(BASIC,
        Base64.getEncoder().encodeToString(utf8("alice:wonder-land"))).needles())
        .contains("alice:wonder-land", "wonder-land");
  }

  @Test
  void anotherCredentialOrAnotherWayOfApplyingItIsAnotherRedaction() {
    CredentialRedaction bearer = CredentialRedaction.of(BEARER, TOKEN);

    assertThat(CredentialRedaction.of(BEARER, TOKEN + "x")).isNotSameAs(bearer);
    assertThat(CredentialRedaction.of(BEARER, TOKEN + "x").needles()).contains(TOKEN + "x");
    UpstreamAuth.LoginBroker cookie = new UpstreamAuth.LoginBroker(URI.create("http://u/login"),
        false, "username", "password", "/access_token", "sid", null, null, null);
    // Short credentials are looked for only as the whole applied value, which differs here.
    assertThat(CredentialRedaction.of(cookie, "abcd").needles()).contains("sid=abcd");
    assertThat(CredentialRedaction.of(BEARER, "abc").needles()).contains("Bearer abc");
  }

  @Test
  void noCredentialIsNoneAndNotCached() {
    assertThat(CredentialRedaction.of(BEARER, null)).isSameAs(CredentialRedaction.NONE);
    assertThat(CredentialRedaction.of(BEARER, "")).isSameAs(CredentialRedaction.NONE);
    assertThat(CredentialRedaction.of(null, TOKEN)).isSameAs(CredentialRedaction.NONE);
  }

  @Test
  void redactsTheAccessTokenOfAnOAuth2Backend() {
    UpstreamAuth.OAuth2 oauth2 = new UpstreamAuth.OAuth2(URI.create("https://idp.example.com"),
        null, null, null, "client", null, "none", java.util.List.of("openid"), java.util.Map.of(),
        "Authorization", "Bearer ", new UpstreamAuth.UserNaming.IdTokenClaim("sub"),
        Duration.ofSeconds(60));
    assertThat(CredentialRedaction.of(oauth2, TOKEN).needles()).contains(TOKEN);
  }

  @Test
  void theCacheKeepsAtMostItsSizeAndDropsTheLeastRecentlyUsed() {
    CredentialRedaction.Cache cache =
        new CredentialRedaction.Cache(3, Duration.ofSeconds(60), new AtomicLong()::get);
    CredentialRedaction.Key a = key("credential-a");
    CredentialRedaction first = cache.get(a);
    cache.get(key("credential-b"));
    cache.get(key("credential-c"));
    assertThat(cache.get(a)).isSameAs(first); // a is now the most recently used
    CredentialRedaction b = cache.get(key("credential-b"));

    cache.get(key("credential-d"));

    assertThat(cache.size()).isEqualTo(3);
    assertThat(cache.get(a)).isSameAs(first);
    assertThat(cache.get(key("credential-b"))).isSameAs(b);
    assertThat(cache.size()).isEqualTo(3); // c was dropped; asking for it again builds it anew
  }

  @Test
  void anEntryIsRebuiltAfterItsAgeAndUnusedOnesAreSweptAway() {
    AtomicLong now = new AtomicLong();
    CredentialRedaction.Cache cache = new CredentialRedaction.Cache(100, Duration.ofSeconds(60), now::get);
    CredentialRedaction first = cache.get(key("credential-a"));
    cache.get(key("credential-b"));

    now.addAndGet(Duration.ofSeconds(59).toNanos());
    assertThat(cache.get(key("credential-a"))).isSameAs(first);
    now.addAndGet(Duration.ofSeconds(1).toNanos());
    CredentialRedaction rebuilt = cache.get(key("credential-a"));

    assertThat(rebuilt).isNotSameAs(first);
    assertThat(rebuilt.needles()).isEqualTo(first.needles());
    assertThat(cache.size()).isEqualTo(1); // b, unused for 60 s, went in the sweep
  }

  @Test
  void aKeyNeverShowsItsCredential() {
    assertThat(key(TOKEN).toString()).doesNotContain(TOKEN).doesNotContain("s3cr3t");
  }

  private static CredentialRedaction.Key key(String credential) {
    return new CredentialRedaction.Key(null, "Bearer ", credential);
  }
}
