package dev.toriimcp.platform.boundary;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Gives the session cookie its {@code SameSite} attribute on a Servlet 5 container (Jakarta EE
 * 9.1, e.g. TomEE 9), whose {@code SessionCookieConfig} cannot carry one (ADR 0029). Installed by
 * {@link BrowserHardening} only there. The container writes the cookie while the session is
 * created or its id changed, so right after those calls this filter rewrites the response's
 * {@code Set-Cookie} headers, appending the attribute to the session cookie's (once) and leaving
 * every other cookie as it was.
 */
final class SameSiteSessionCookieFilter implements Filter {

  private static final String SET_COOKIE = "Set-Cookie";

  private final String cookieName;
  private final String sameSite;

  SameSiteSessionCookieFilter(String cookieName, String sameSite) {
    this.cookieName = cookieName;
    this.sameSite = sameSite;
  }

  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    if (request instanceof HttpServletRequest http && response instanceof HttpServletResponse out) {
      chain.doFilter(new Rewriting(http, out), response);
    } else {
      chain.doFilter(request, response);
    }
  }

  /** Appends {@code ; SameSite=...} to the session cookie's headers that have no SameSite yet. */
  void rewrite(HttpServletResponse response) {
    if (response.isCommitted()) {
      return;
    }
    List<String> headers = new ArrayList<>(response.getHeaders(SET_COOKIE));
    boolean changed = false;
    for (int i = 0; i < headers.size(); i++) {
      String header = headers.get(i);
      if (header.startsWith(cookieName + "=")
          && !header.toLowerCase(Locale.ROOT).contains("; samesite=")) {
        headers.set(i, header + "; SameSite=" + sameSite);
        changed = true;
      }
    }
    if (changed) {
      response.setHeader(SET_COOKIE, headers.get(0));
      for (String header : headers.subList(1, headers.size())) {
        response.addHeader(SET_COOKIE, header);
      }
    }
  }

  private final class Rewriting extends HttpServletRequestWrapper {

    private final HttpServletResponse response;

    Rewriting(HttpServletRequest request, HttpServletResponse response) {
      super(request);
      this.response = response;
    }

    @Override
    public HttpSession getSession(boolean create) {
      HttpSession session = super.getSession(create);
      if (session != null && session.isNew()) {
        rewrite(response);
      }
      return session;
    }

    @Override
    public HttpSession getSession() {
      return getSession(true);
    }

    @Override
    public String changeSessionId() {
      String id = super.changeSessionId();
      rewrite(response);
      return id;
    }
  }
}
