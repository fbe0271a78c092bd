package dev.toriimcp.mcp;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One request the MCP benchmark sends over and over, described so that any load generator can
 * send it: the JDK client in the benchmark's JVM or {@code wrk} from outside.
 */
record BenchRequest(String method, URI uri, Map<String, String> headers, byte[] body) {

  BenchRequest {
    headers = Map.copyOf(new LinkedHashMap<>(headers));
  }

  static BenchRequest get(URI uri, Map<String, String> headers) {
    return new BenchRequest("GET", uri, headers, null);
  }

  static BenchRequest post(URI uri, Map<String, String> headers, String body) {
    return new BenchRequest("POST", uri, headers, body.getBytes(StandardCharsets.UTF_8));
  }

  /** As the JDK client sends it (HTTP/1.1 is the client's setting, see JavaLoad). */
  HttpRequest toHttpRequest() {
    HttpRequest.Builder builder = HttpRequest.newBuilder(uri);
    headers.forEach(builder::header);
    return builder.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofByteArray(body)).build();
  }
}
