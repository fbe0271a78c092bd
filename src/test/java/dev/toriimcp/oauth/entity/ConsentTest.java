package dev.toriimcp.oauth.entity;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Which redirect URIs a consent covers (research CM-13). */
class ConsentTest {

  private static Consent consent(String redirectUri) {
    return new Consent("bob", "https://app.example/client.json", "demo", "mcp:demo", redirectUri,
        Instant.now());
  }

  @Test
  void coversOnlyTheRedirectUrisTheUserApproved() {
    Consent consent = consent("https://app.example/cb");

    assertThat(consent.covers("https://app.example/cb")).isTrue();
    assertThat(consent.covers("https://app.example/other")).isFalse();

    consent.approve("mcp:demo", "https://app.example/other", Instant.now());

    assertThat(consent.covers("https://app.example/other")).isTrue();
    assertThat(consent.covers("https://app.example/cb")).as("kept").isTrue();
  }

  @Test
  void aLoopbackRedirectUriIsCoveredOnAnyPort() {
    Consent consent = consent("http://127.0.0.1:49152/callback");

    assertThat(consent.covers("http://127.0.0.1:60000/callback")).isTrue();
    assertThat(consent.covers("http://127.0.0.1:60000/other")).isFalse();
    assertThat(consent.covers("http://localhost:49152/callback")).isFalse();
  }

  @Test
  void aConsentFromBeforeRedirectUrisWereRecordedCoversNone() {
    assertThat(consent(null).covers("https://app.example/cb")).isFalse();
  }

  @Test
  void aListThatOutgrowsItsColumnStartsAgain() {
    Consent consent = consent("https://app.example/cb");
    String path = "x".repeat(500);
    for (int i = 0; i < 10; i++) {
      consent.approve("mcp:demo", "https://app.example/" + path + i, Instant.now());
    }

    assertThat(consent.covers("https://app.example/" + path + 9)).isTrue();
    assertThat(consent.covers("https://app.example/cb")).as("dropped with the rest").isFalse();
  }
}
