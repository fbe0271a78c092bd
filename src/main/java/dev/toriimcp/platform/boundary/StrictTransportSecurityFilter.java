package dev.toriimcp.platform.boundary;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * Adds {@code Strict-Transport-Security} (RFC 6797 §6.1) to every response. Installed by
 * {@link BrowserHardening} only when {@code public_url} is https, so a plain-http gateway pays
 * nothing for it; browsers ignore the header on http anyway (§8.1).
 */
final class StrictTransportSecurityFilter implements Filter {

  private final String value;

  StrictTransportSecurityFilter(String value) {
    this.value = value;
  }

  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    ((HttpServletResponse) response).setHeader("Strict-Transport-Security", value);
    chain.doFilter(request, response);
  }
}
