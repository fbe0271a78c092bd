package dev.toriimcp.oauth.boundary;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An authorization response sent to the client's redirect URI (OAuth 2.1 §4.1.2, §4.1.2.1):
 * the parameters, {@code state} unchanged and {@code iss} (RFC 9207), appended to the URI's own
 * query. Only built for a redirect URI that was matched against the client's registration.
 */
final class ClientRedirect {

  private ClientRedirect() {}

  static URI location(String redirectUri, String state, String issuer,
      Map<String, String> parameters) {
    StringBuilder location = new StringBuilder(redirectUri);
    char separator = redirectUri.contains("?") ? '&' : '?';
    Map<String, String> all = new LinkedHashMap<>(parameters);
    if (state != null) {
      all.put("state", state);
    }
    all.put("iss", issuer);
    for (Map.Entry<String, String> parameter : all.entrySet()) {
      location.append(separator).append(encode(parameter.getKey())).append('=')
          .append(encode(parameter.getValue()));
      separator = '&';
    }
    return URI.create(location.toString());
  }

  static URI error(String redirectUri, String state, String issuer, String error,
      String description) {
    Map<String, String> parameters = new LinkedHashMap<>();
    parameters.put("error", error);
    parameters.put("error_description", description);
    return location(redirectUri, state, issuer, parameters);
  }

  static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
