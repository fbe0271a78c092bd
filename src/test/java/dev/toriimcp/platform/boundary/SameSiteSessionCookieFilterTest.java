package dev.toriimcp.platform.boundary;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.ServletRequest;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The Servlet 5 fallback for {@code SameSite}: a container (here a fake one, as Tomcat 10.0 does)
 * writes the session cookie into the response while the session is created or its id changed,
 * and the filter must leave it with {@code SameSite=Lax}, once, touching no other cookie.
 */
class SameSiteSessionCookieFilterTest {

  private static final String SESSION = "torii-session=abc; Path=/; HttpOnly";

  private final List<String> setCookies = new ArrayList<>();
  private boolean committed;
  private final HttpServletResponse response = fakeResponse();
  private final SameSiteSessionCookieFilter filter =
      new SameSiteSessionCookieFilter("torii-session", "Lax");

  @Test
  void aNewSessionsCookieGetsSameSiteAndOtherCookiesStayAsTheyWere() throws Exception {
    setCookies.add("other=1; Path=/");
    HttpServletRequest seen = through(fakeRequest(true));
    assertThat(seen.getSession(true)).isNotNull();
    assertThat(setCookies).containsExactly("other=1; Path=/", SESSION + "; SameSite=Lax");
  }

  @Test
  void aNewSessionIdGetsSameSiteOnce() throws Exception {
    HttpServletRequest seen = through(fakeRequest(true));
    seen.getSession();
    seen.changeSessionId();
    assertThat(setCookies).containsExactly(SESSION + "; SameSite=Lax", SESSION + "; SameSite=Lax");
  }

  @Test
  void anExistingSessionOrACookieWithSameSiteIsLeftAlone() throws Exception {
    HttpServletRequest seen = through(fakeRequest(false));
    seen.getSession(false);
    seen.getSession(true);
    assertThat(setCookies).isEmpty();
    setCookies.add("torii-session=abc; Path=/; SameSite=Strict");
    filter.rewrite(response);
    assertThat(setCookies).containsExactly("torii-session=abc; Path=/; SameSite=Strict");
  }

  @Test
  void aCommittedResponseIsNotTouched() {
    setCookies.add(SESSION);
    committed = true;
    filter.rewrite(response);
    assertThat(setCookies).containsExactly(SESSION);
  }

  @Test
  void onlyAServlet5ContainerGetsTheFilter() {
    // This build compiles and tests against the Servlet 6 API.
    assertThat(BrowserHardening.cookieAttributesSupported()).isTrue();
  }

  private HttpServletRequest through(HttpServletRequest request) throws Exception {
    AtomicReference<ServletRequest> passed = new AtomicReference<>();
    filter.doFilter(request, response, (req, res) -> passed.set(req));
    return (HttpServletRequest) passed.get();
  }

  /** A request whose container adds the session cookie as Tomcat does: new session, new id. */
  private HttpServletRequest fakeRequest(boolean newSession) {
    HttpSession session = (HttpSession) Proxy.newProxyInstance(getClass().getClassLoader(),
        new Class<?>[] {HttpSession.class}, (proxy, method, args) -> switch (method.getName()) {
          case "isNew" -> newSession;
          default -> null;
        });
    return (HttpServletRequest) Proxy.newProxyInstance(getClass().getClassLoader(),
        new Class<?>[] {HttpServletRequest.class}, (proxy, method, args) -> {
          switch (method.getName()) {
            case "getSession":
              if (newSession && (args == null || (Boolean) args[0])) {
                setCookies.add(SESSION);
              }
              return session;
            case "changeSessionId":
              setCookies.add(SESSION);
              return "def";
            default:
              return null;
          }
        });
  }

  private HttpServletResponse fakeResponse() {
    return (HttpServletResponse) Proxy.newProxyInstance(getClass().getClassLoader(),
        new Class<?>[] {HttpServletResponse.class}, (proxy, method, args) -> {
          switch (method.getName()) {
            case "isCommitted":
              return committed;
            case "getHeaders":
              return "Set-Cookie".equals(args[0]) ? List.copyOf(setCookies) : List.of();
            case "setHeader":
              setCookies.clear();
              setCookies.add((String) args[1]);
              return null;
            case "addHeader":
              setCookies.add((String) args[1]);
              return null;
            default:
              return null;
          }
        });
  }
}
