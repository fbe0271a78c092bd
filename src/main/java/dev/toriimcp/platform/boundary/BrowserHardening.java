package dev.toriimcp.platform.boundary;

import dev.toriimcp.configuration.entity.GatewayConfiguration;
import dev.toriimcp.platform.control.GatewayStartup;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.SessionCookieConfig;
import jakarta.servlet.SessionTrackingMode;
import jakarta.servlet.annotation.WebListener;
import java.util.EnumSet;

/**
 * Hardens what browsers keep of the gateway, from {@code public_url} rather than from the request
 * (behind a TLS-terminating proxy every request arrives as plain http): the session cookie of the
 * login and consent pages is {@code HttpOnly}, {@code Path=/}, {@code SameSite=Lax} and, when
 * {@code public_url} is https, {@code Secure} with the {@code __Host-} name prefix (RFC 6265bis
 * §4.1.3.2; MCP security best practices, research R-37); sessions are tracked by cookie only (no
 * session id in URLs); and every https response carries HSTS (RFC 6797; research R-26).
 *
 * <p>{@code Lax}, not {@code Strict}: the MCP client opens {@code /authorize} as a top-level
 * navigation from elsewhere, and the login and consent forms post to the gateway itself, so the
 * flow never needs the cookie on a cross-site subrequest and still works on the first visit.
 *
 * <p>Portable Servlet API only ({@link SessionCookieConfig} set while the context starts, the
 * filters added programmatically), so the WAR behaves the same on WildFly and TomEE; on a
 * Servlet 5 container, which has no cookie attributes, {@link SameSiteSessionCookieFilter} adds
 * {@code SameSite} instead (ADR 0029). Payara 6
 * copies every setting but the {@code SameSite} attribute to its session cookie; it takes that
 * one from {@code WEB-INF/payara-web.xml} ({@code cookieSameSite}), a descriptor the other
 * servers ignore. It needs the gateway started, which most CDI containers do
 * ({@code @Initialized(ApplicationScoped.class)}) before the application's own listeners; TomEE
 * does it after them, so this listener starts it ({@link GatewayStartup#startOnce}).
 */
@WebListener
public class BrowserHardening implements ServletContextListener {

  static final String COOKIE = "torii-session";
  static final String SECURE_COOKIE = "__Host-torii-session";
  static final String HSTS = "max-age=31536000";
  static final String SAME_SITE = "Lax";

  @Inject GatewayStartup startup;
  @Inject Instance<GatewayConfiguration> configuration;

  @Override
  public void contextInitialized(ServletContextEvent event) {
    ServletContext context = event.getServletContext();
    boolean https = https();
    SessionCookieConfig cookie = context.getSessionCookieConfig();
    cookie.setName(https ? SECURE_COOKIE : COOKIE);
    cookie.setPath("/");
    cookie.setHttpOnly(true);
    cookie.setSecure(https);
    if (cookieAttributesSupported()) {
      cookie.setAttribute("SameSite", SAME_SITE);
    } else {
      // Servlet 5 (Jakarta EE 9.1, e.g. TomEE 9): no cookie attributes in the API (ADR 0029).
      context.addFilter("torii-same-site-session-cookie",
              new SameSiteSessionCookieFilter(cookie.getName(), SAME_SITE))
          .addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, "/*");
    }
    context.setSessionTrackingModes(EnumSet.of(SessionTrackingMode.COOKIE));
    if (https) {
      context.addFilter("torii-strict-transport-security", new StrictTransportSecurityFilter(HSTS))
          .addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, "/*");
    }
  }

  /** Whether this container's session cookie takes attributes such as SameSite (Servlet 6). */
  static boolean cookieAttributesSupported() {
    try {
      SessionCookieConfig.class.getMethod("setAttribute", String.class, String.class);
      return true;
    } catch (NoSuchMethodException servlet5) {
      return false;
    }
  }

  private boolean https() {
    // Throws the start-up's failure, which stops the deployment.
    startup.startOnce();
    return "https".equalsIgnoreCase(configuration.get().publicUrl().getScheme());
  }
}
