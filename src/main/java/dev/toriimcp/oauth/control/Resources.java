package dev.toriimcp.oauth.control;

import dev.toriimcp.configuration.entity.BackendDefinition;
import dev.toriimcp.configuration.entity.GatewayConfiguration;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;

/**
 * RFC 8707 resource indicators: which backend a {@code resource} names. Harmless variants are
 * accepted (upper-case scheme or host, the default port, one trailing slash: research trap 2);
 * a query, a fragment, another path or another host names no backend ({@code invalid_target}).
 */
public final class Resources {

  private Resources() {}

  public static Optional<BackendDefinition> backend(GatewayConfiguration configuration, String resource) {
    String canonical = canonical(resource);
    if (canonical == null) {
      return Optional.empty();
    }
    return configuration.backends().stream()
        .filter(b -> canonical(OAuthUris.resource(configuration, b)).equals(canonical))
        .findFirst();
  }

  static String canonical(String resource) {
    if (resource == null) {
      return null;
    }
    try {
      URI uri = new URI(resource);
      if (!uri.isAbsolute() || uri.getHost() == null || uri.getRawQuery() != null
          || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
        return null;
      }
      String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
      int port = uri.getPort();
      if ((scheme.equals("https") && port == 443) || (scheme.equals("http") && port == 80)) {
        port = -1;
      }
      String path = uri.getRawPath() == null ? "" : uri.getRawPath();
      if (path.endsWith("/")) {
        path = path.substring(0, path.length() - 1);
      }
      return scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + (port < 0 ? "" : ":" + port) + path;
    } catch (URISyntaxException e) {
      return null;
    }
  }
}
