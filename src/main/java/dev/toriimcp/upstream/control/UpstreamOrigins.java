package dev.toriimcp.upstream.control;

import dev.toriimcp.catalog.entity.Origin;
import java.net.URI;
import java.util.List;

/**
 * The last check before the user's credential is attached and the request sent: its URL must
 * have the scheme, host and port (RFC 6454 §4) of the backend's configured origin, which is its
 * {@code base_url}, or else one of its spec's top-level {@code servers} (ADR 0016). The compiler
 * already refuses operations whose path or servers would lead elsewhere; this check holds
 * however the URL came about, and it holds for backends without a credential too, since a call
 * to another host would carry the user's arguments there.
 */
public final class UpstreamOrigins {

  private final URI baseUrl;
  private final List<Origin> serverOrigins;

  /**
   * @param baseUrl the backend's {@code base_url}, or {@code null}
   * @param serverOrigins the origins of the spec's top-level servers (used without base_url)
   */
  public UpstreamOrigins(URI baseUrl, List<Origin> serverOrigins) {
    this.baseUrl = baseUrl;
    this.serverOrigins = serverOrigins;
  }

  /** Whether a request to {@code target} may be sent with the user's credential. */
  public boolean allows(URI target) {
    if (!target.isAbsolute()) {
      return false;
    }
    Origin origin = Origin.of(target);
    return baseUrl != null ? Origin.of(baseUrl).equals(origin) : serverOrigins.contains(origin);
  }

  /**
   * The tool error text when {@code target} is refused, or {@code null} when it is allowed. It
   * names the tool and the backend, not the hosts: the model needs no more to stop retrying.
   */
  public String refusal(String tool, String backend, URI target) {
    if (allows(target)) {
      return null;
    }
    return "Tool '" + tool + "' was not called: its URL would leave the origin of backend '"
        + backend + "' (the scheme, host and port of its base_url or of its spec's servers),"
        + " and the user's credential goes nowhere else.";
  }
}
