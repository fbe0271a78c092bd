package dev.toriimcp.catalog.control;

import com.fasterxml.jackson.databind.JsonNode;
import dev.toriimcp.catalog.entity.Origin;
import java.net.URI;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Keeps every operation of a backend on the backend's own origins, so that the user's upstream
 * credential never goes to another host (ADR 0016). The backend's origins are its {@code
 * base_url}'s, or else those of the document's top-level {@code servers} (OAS 3.1 §4.8.1: "/"
 * when there are none), resolved against the spec's location as the request builder resolves
 * them. An operation is refused at compilation when
 *
 * <ul>
 *   <li>its path does not start with {@code /} (OAS 3.1 §4.8.8.1 requires it): appended to the
 *       base URL, {@code @evil.com/x} or {@code {p}/x} with {@code p = .evil.com} would change
 *       the host;
 *   <li>without {@code base_url}, its own or its path item's {@code servers} (which the request
 *       builder then uses) point at another origin, including plain {@code http} on the same
 *       host. With {@code base_url} those servers are not used at all.
 * </ul>
 */
final class ServerOrigins {

  private final URI location;
  private final URI baseUrl;
  private final List<Origin> documentOrigins;

  /**
   * @param location where the spec was loaded from
   * @param baseUrl the backend's {@code base_url}, or {@code null}
   */
  ServerOrigins(JsonNode document, URI location, URI baseUrl) {
    this.location = location;
    this.baseUrl = baseUrl;
    Set<Origin> origins = new LinkedHashSet<>();
    JsonNode none = com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    for (String url : candidates(document, none, none)) {
      Origin origin = origin(url);
      if (origin != null) {
        origins.add(origin);
      }
    }
    this.documentOrigins = List.copyOf(origins);
  }

  /**
   * The servers an operation is called on, most specific first (operation, path item, document),
   * with server variables substituted by their defaults (OAS 3.1 §4.8.5).
   */
  static List<String> candidates(JsonNode document, JsonNode pathItem, JsonNode operation) {
    for (JsonNode candidates : List.of(operation.path("servers"), pathItem.path("servers"),
        document.path("servers"))) {
      if (candidates.isArray() && !candidates.isEmpty()) {
        List<String> urls = new ArrayList<>();
        candidates.forEach(server -> urls.add(substituteVariables(server)));
        return urls;
      }
    }
    return List.of("/");
  }

  private static String substituteVariables(JsonNode server) {
    String url = server.path("url").asText("/");
    Iterator<Map.Entry<String, JsonNode>> variables = server.path("variables").fields();
    while (variables.hasNext()) {
      Map.Entry<String, JsonNode> variable = variables.next();
      url = url.replace("{" + variable.getKey() + "}", variable.getValue().path("default").asText(""));
    }
    return url;
  }

  /** The origins of the document's top-level servers. */
  List<Origin> documentOrigins() {
    return documentOrigins;
  }

  /**
   * Why the operation cannot be a tool, or {@code null}.
   *
   * @param servers the operation's candidate servers, most specific first; the first is used
   */
  String refusal(String path, List<String> servers) {
    if (!path.startsWith("/")) {
      return "its path does not start with '/', so it could change the upstream host";
    }
    if (baseUrl != null || servers.isEmpty()) {
      return null;
    }
    Origin origin = origin(servers.get(0));
    if (origin == null) {
      return "its server URL '" + servers.get(0) + "' is not a valid URL";
    }
    if (!documentOrigins.contains(origin)) {
      return "its servers point at " + origin + ", not at an origin of the document's servers "
          + documentOrigins + ", and the user's credential goes to those only (a backend whose"
          + " base_url is that origin can call it)";
    }
    return null;
  }

  private Origin origin(String url) {
    try {
      URI uri = URI.create(url);
      if (!uri.isAbsolute()) {
        if (location == null) {
          return null;
        }
        uri = location.resolve(uri);
      }
      return Origin.of(uri);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
