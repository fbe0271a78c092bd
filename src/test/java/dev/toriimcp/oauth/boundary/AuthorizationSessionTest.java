package dev.toriimcp.oauth.boundary;

import static org.assertj.core.api.Assertions.assertThat;

import dev.toriimcp.oauth.entity.PendingAuthorization;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The identity-provider sign-ins kept in the browser session (ADR 0020). */
class AuthorizationSessionTest {

  private static AuthorizationSession.ProviderSignIn signIn(String requestId, Instant expiresAt) {
    return new AuthorizationSession.ProviderSignIn(requestId, "crm", "verifier", "nonce",
        expiresAt);
  }

  @Test
  void aStateIsRandomAndCanBeTakenOnce() {
    AuthorizationSession session = new AuthorizationSession();
    String first = session.signingIn(signIn("r1", Instant.now().plusSeconds(600)));
    String second = session.signingIn(signIn("r2", Instant.now().plusSeconds(600)));

    assertThat(first).hasSize(43).isNotEqualTo(second);
    assertThat(session.takeSignIn(first).requestId()).isEqualTo("r1");
    assertThat(session.takeSignIn(first)).isNull();
    assertThat(session.takeSignIn(second).requestId()).isEqualTo("r2");
  }

  @Test
  void anUnknownMissingOrExpiredStateFindsNothing() {
    AuthorizationSession session = new AuthorizationSession();
    String expired = session.signingIn(signIn("r1", Instant.now().minusSeconds(1)));

    assertThat(session.takeSignIn(expired)).isNull();
    assertThat(session.takeSignIn(null)).isNull();
    assertThat(session.takeSignIn("not-a-state")).isNull();
  }

  @Test
  void aLoginDropsEveryOtherSignIn() {
    AuthorizationSession session = new AuthorizationSession();
    String id = session.add(new PendingAuthorization("c", "C", "http://127.0.0.1/cb", "s",
        "challenge", "crm", "crm", false, false));
    String other = session.signingIn(signIn(id, Instant.now().plusSeconds(600)));

    session.loggedIn("crm", new AuthorizationSession.Login("alice", "sealed", null), id);

    assertThat(session.takeSignIn(other)).isNull();
    assertThat(session.pending(id)).isNotNull();
  }

  @Test
  void aForgottenLoginIsGone() {
    AuthorizationSession session = new AuthorizationSession();
    session.loggedIn("crm", new AuthorizationSession.Login("alice", "sealed", null), "r");
    session.loggedIn("hub", new AuthorizationSession.Login("alice", "sealed", null), "r");

    session.forget("crm");

    assertThat(session.login("crm")).isNull();
    assertThat(session.login("hub")).isNotNull();
  }

  @Test
  void atMostTwentySignInsAreKeptTheOldestGoesFirst() {
    AuthorizationSession session = new AuthorizationSession();
    List<String> states = new ArrayList<>();
    for (int i = 0; i < 21; i++) {
      states.add(session.signingIn(signIn("r" + i, Instant.now().plusSeconds(600))));
    }

    assertThat(session.takeSignIn(states.get(0))).isNull();
    assertThat(session.takeSignIn(states.get(1)).requestId()).isEqualTo("r1");
    assertThat(session.takeSignIn(states.get(20)).requestId()).isEqualTo("r20");
  }
}
