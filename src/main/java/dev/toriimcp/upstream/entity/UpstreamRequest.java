package dev.toriimcp.upstream.entity;

import java.net.URI;
import java.util.List;
import java.util.Map;

/**
 * A request ready to send upstream, before the user's credential is attached.
 *
 * @param method upper-case HTTP method
 * @param uri absolute URI, every argument already encoded
 * @param headers header name to values, in the order they were added
 * @param body the body bytes, or {@code null}
 */
public record UpstreamRequest(String method, URI uri, Map<String, List<String>> headers, byte[] body) {

  public UpstreamRequest {
    headers = Map.copyOf(headers);
  }

  public String header(String name) {
    for (Map.Entry<String, List<String>> entry : headers.entrySet()) {
      if (entry.getKey().equalsIgnoreCase(name)) {
        return String.join(", ", entry.getValue());
      }
    }
    return null;
  }
}
