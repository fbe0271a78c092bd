package dev.toriimcp.oauth.entity;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Set;

/**
 * Redirect URI rules (OAuth 2.1 §2.3.1, RFC 9700 §4.1.3, RFC 8252 §7.3): registration accepts
 * https URIs and loopback http URIs, plus a short allowlist of private-use URIs of real clients;
 * matching is exact string comparison, except that the port of a loopback URI may differ.
 */
public final class RedirectUris {

  private static final Set<String> LOOPBACK_HOSTS = Set.of("127.0.0.1", "[::1]", "localhost");
  /** Private-use redirect URIs of known MCP clients (research trap 9). */
  private static final Set<String> PRIVATE_USE = Set.of("cursor://anysphere.cursor-mcp/oauth/callback");

  private RedirectUris() {}

  /** Why a URI may not be registered, or {@code null} if it may. */
  public static String refusal(String text) {
    if (PRIVATE_USE.contains(text)) {
      return null;
    }
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      return "not a valid URI";
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!uri.isAbsolute() || uri.getHost() == null) {
      return "must be an absolute URI with a host";
    }
    if (uri.getRawFragment() != null) {
      return "must not have a fragment";
    }
    if (uri.getRawUserInfo() != null) {
      return "must not have user information";
    }
    if (text.contains("*")) {
      return "must not contain wildcards";
    }
    if (scheme.equals("https")) {
      return null;
    }
    if (scheme.equals("http") && LOOPBACK_HOSTS.contains(uri.getHost().toLowerCase(Locale.ROOT))) {
      return null;
    }
    return "must be https, or http on a loopback address";
  }

  /**
   * Whether a redirect URI reaches an app on the user's own computer: a loopback address (any
   * scheme) or a private-use scheme. Any local process can listen there or claim the scheme, so
   * such a URI does not identify the client (RFC 8252 §8.6, §7.1, §7.3).
   */
  public static boolean local(String redirectUri) {
    try {
      URI uri = new URI(redirectUri);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
      return !scheme.equals("https") || LOOPBACK_HOSTS.contains(host);
    } catch (URISyntaxException e) {
      return true;
    }
  }

  /** Whether a requested redirect URI matches a registered one. */
  public static boolean matches(String registered, String requested) {
    if (registered.equals(requested)) {
      return true;
    }
    try {
      URI a = new URI(registered);
      URI b = new URI(requested);
      return "http".equals(a.getScheme()) && "http".equals(b.getScheme())
          && a.getHost() != null && LOOPBACK_HOSTS.contains(a.getHost())
          && a.getHost().equals(b.getHost())
          && java.util.Objects.equals(a.getRawPath(), b.getRawPath())
          && java.util.Objects.equals(a.getRawQuery(), b.getRawQuery())
          && a.getRawUserInfo() == null && b.getRawUserInfo() == null
          && b.getRawFragment() == null;
    } catch (URISyntaxException e) {
      return false;
    }
  }
}
