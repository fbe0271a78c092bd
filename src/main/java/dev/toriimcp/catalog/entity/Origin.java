package dev.toriimcp.catalog.entity;

import java.net.URI;
import java.util.Locale;

/**
 * The origin of a URL as RFC 6454 §4 defines it: scheme, host and port, with the scheme's default
 * port filled in, so that {@code https://api.example.com} and {@code https://API.example.com:443/v1}
 * are one origin and {@code http://api.example.com} is another. The user's upstream credential
 * goes only to the origins of the backend's configuration (ADR 0016).
 *
 * @param scheme lower case
 * @param host lower case; empty when the URL has none (a {@code file:} URL)
 * @param port the explicit port, or the scheme's default (80, 443), or -1 when there is none
 */
public record Origin(String scheme, String host, int port) {

  /** The origin of an absolute URI. */
  public static Origin of(URI uri) {
    if (!uri.isAbsolute()) {
      throw new IllegalArgumentException("not an absolute URI");
    }
    String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
    String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
    int port = uri.getPort();
    if (port == -1) {
      port = switch (scheme) {
        case "http" -> 80;
        case "https" -> 443;
        default -> -1;
      };
    }
    return new Origin(scheme, host, port);
  }

  @Override
  public String toString() {
    boolean defaultPort = port == -1 || port == 80 && scheme.equals("http")
        || port == 443 && scheme.equals("https");
    return scheme + "://" + host + (defaultPort ? "" : ":" + port);
  }
}
