package dev.toriimcp.oauth.entity;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Research §4 and §5.7 RG-3/RG-4/RG-5. */
class RedirectUrisTest {

  @Test
  void matchesHttpsExactlyAndRefusesEveryVariant() {
    String registered = "https://a.example/cb";

    assertThat(RedirectUris.matches(registered, "https://a.example/cb")).isTrue();
    for (String variant : new String[] {"https://a.example/cb/", "https://A.example/cb",
        "https://a.example/cb?x=1", "https://a.example/cb#f", "https://a.example.evil/cb",
        "https://a.example:443/cb", "https://a.example/CB", "http://a.example/cb"}) {
      assertThat(RedirectUris.matches(registered, variant)).as(variant).isFalse();
    }
  }

  @Test
  void ignoresOnlyThePortOfLoopbackUris() {
    assertThat(RedirectUris.matches("http://127.0.0.1/callback", "http://127.0.0.1:51004/callback")).isTrue();
    assertThat(RedirectUris.matches("http://127.0.0.1:33418/", "http://127.0.0.1:40000/")).isTrue();
    assertThat(RedirectUris.matches("http://localhost/callback", "http://localhost:8787/callback")).isTrue();
    assertThat(RedirectUris.matches("http://127.0.0.1/callback", "http://localhost:51004/callback")).isFalse();
    assertThat(RedirectUris.matches("http://127.0.0.1/callback", "http://127.0.0.1:51004/other")).isFalse();
    assertThat(RedirectUris.matches("http://127.0.0.1/callback", "http://127.0.0.1:5/callback?x")).isFalse();
  }

  @Test
  void registersHttpsLoopbackAndKnownPrivateUseUrisOnly() {
    for (String ok : new String[] {"https://claude.ai/api/mcp/auth_callback",
        "http://127.0.0.1/", "http://127.0.0.1:33418/", "http://localhost:8787/callback",
        "http://[::1]/cb", "cursor://anysphere.cursor-mcp/oauth/callback"}) {
      assertThat(RedirectUris.refusal(ok)).as(ok).isNull();
    }
    for (String bad : new String[] {"javascript:alert(1)", "data:text/html,x", "file:///etc/passwd",
        "http://example.com/cb", "https://a.example/cb#frag", "https://*.example.com/cb",
        "https://user@a.example/cb", "/relative", "myapp://callback"}) {
      assertThat(RedirectUris.refusal(bad)).as(bad).isNotNull();
    }
  }

  @Test
  void knowsWhichRedirectUrisAnyLocalProgramCanClaim() {
    // RFC 8252 §8.6: loopback (any scheme) and private-use schemes.
    for (String local : new String[] {"http://127.0.0.1/callback", "http://localhost:8787/cb",
        "http://[::1]/cb", "https://localhost/cb", "https://127.0.0.1:8443/cb",
        "cursor://anysphere.cursor-mcp/oauth/callback", "HTTP://LOCALHOST/cb", "not a uri"}) {
      assertThat(RedirectUris.local(local)).as(local).isTrue();
    }
    for (String remote : new String[] {"https://claude.ai/api/mcp/auth_callback",
        "https://vscode.dev/redirect", "HTTPS://client.example/cb"}) {
      assertThat(RedirectUris.local(remote)).as(remote).isFalse();
    }
  }
}
