package dev.toriimcp.upstream.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.toriimcp.configuration.entity.BackendDefinition;
import dev.toriimcp.configuration.entity.UpstreamAuth;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The login-broker's call to a backend's own username/password endpoint: the credentials go
 * there once, as a JSON object or form fields (names configurable), and the credential comes
 * back at a JSON Pointer ({@code /access_token} by default, with an optional lifetime pointer)
 * or as a named session cookie. The password is never stored or logged; the credential is handed
 * back only to be sealed.
 */
public final class UpstreamLogin {

  /** A successful login: the upstream credential and when it expires ({@code null}: unknown). */
  public record Credential(String token, Instant expiresAt) {
    @Override
    public String toString() {
      return "Credential[expiresAt=" + expiresAt + "]";
    }
  }

  /** The backend's login endpoint failed for a reason other than wrong credentials. */
  public static final class UnavailableException extends Exception {
    private static final long serialVersionUID = 1L;

    UnavailableException(String message) {
      super(message, null, false, false);
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5))
      .followRedirects(HttpClient.Redirect.NEVER)
      .build();

  /** The credential for valid username and password, or empty when the backend refuses them. */
  public Optional<Credential> login(BackendDefinition backend, String username, String password)
      throws UnavailableException {
    if (!(backend.auth() instanceof UpstreamAuth.LoginBroker broker)) {
      throw new UnavailableException("backend '" + backend.name() + "' has no login-broker");
    }
    String body;
    String contentType;
    if (broker.form()) {
      body = encode(broker.usernameField()) + "=" + encode(username) + "&"
          + encode(broker.passwordField()) + "=" + encode(password);
      contentType = "application/x-www-form-urlencoded";
    } else {
      body = JSON.createObjectNode().put(broker.usernameField(), username)
          .put(broker.passwordField(), password).toString();
      contentType = "application/json";
    }
    HttpResponse<byte[]> response;
    try {
      response = http.send(HttpRequest.newBuilder(broker.loginUrl())
          .timeout(Duration.ofSeconds(10))
          .header("Content-Type", contentType).header("Accept", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
          HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new UnavailableException("the login service of backend '" + backend.name()
          + "' cannot be reached");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UnavailableException("interrupted");
    }
    int status = response.statusCode();
    if (status == 400 || status == 401 || status == 403) {
      return Optional.empty();
    }
    if (status < 200 || status >= 300) {
      throw new UnavailableException("the login service of backend '" + backend.name()
          + "' answered HTTP " + status);
    }
    if (broker.cookie() != null) {
      for (String header : response.headers().allValues("Set-Cookie")) {
        java.net.HttpCookie cookie = java.net.HttpCookie.parse(header).get(0);
        if (cookie.getName().equals(broker.cookie()) && !cookie.getValue().isEmpty()) {
          Instant expiresAt = cookie.getMaxAge() > 0
              ? Instant.now().plusSeconds(cookie.getMaxAge()) : null;
          return Optional.of(new Credential(cookie.getValue(), expiresAt));
        }
      }
      throw new UnavailableException("the login service of backend '" + backend.name()
          + "' set no cookie " + broker.cookie());
    }
    try {
      JsonNode answer = JSON.readTree(response.body());
      String token = answer.at(broker.tokenPointer()).asText(null);
      if (token == null || token.isEmpty()) {
        throw new UnavailableException("the login service of backend '" + backend.name()
            + "' returned no credential at " + broker.tokenPointer());
      }
      JsonNode expiresIn = broker.expiresPointer() == null ? null : answer.at(broker.expiresPointer());
      Instant expiresAt = expiresIn != null && expiresIn.canConvertToLong()
          ? Instant.now().plusSeconds(expiresIn.asLong()) : null;
      return Optional.of(new Credential(token, expiresAt));
    } catch (IOException e) {
      throw new UnavailableException("the login service of backend '" + backend.name()
          + "' returned no JSON");
    }
  }

  private static String encode(String value) {
    return java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8);
  }
}
