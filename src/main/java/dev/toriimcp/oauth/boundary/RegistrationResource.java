package dev.toriimcp.oauth.boundary;

import dev.toriimcp.oauth.control.Clients;
import dev.toriimcp.oauth.control.RateLimits;
import dev.toriimcp.oauth.entity.RedirectUris;
import dev.toriimcp.oauth.entity.OAuthError;
import dev.toriimcp.oauth.entity.OAuthException;
import dev.toriimcp.oauth.entity.RegisteredClient;
import dev.toriimcp.platform.control.ClientAddress;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Dynamic client registration (RFC 7591) at {@code /register}. Lenient where real clients
 * differ (no scope needed, unknown fields ignored), strict where it matters: every redirect URI
 * must be https, loopback http or a known private-use URI; only the code flow; a {@code
 * private_key_jwt} client names its public keys ({@code jwks} or {@code jwks_uri}) and gets no
 * secret (ADR 0023). Each client
 * address may register a burst of clients, then one every few seconds ({@link RateLimits}).
 */
@Path("register")
@RequestScoped
public class RegistrationResource {

  static final int MAX_BYTES = 16 * 1024;
  private static final Set<String> GRANT_TYPES = Set.of("authorization_code", "refresh_token");

  @Inject Clients clients;
  @Inject RateLimits limits;
  @Inject ClientAddress clientAddress;

  @Context HttpServletRequest request;

  @POST
  @Produces(MediaType.APPLICATION_JSON)
  public Response register(InputStream body) throws IOException {
    Duration wait = limits.registration(clientAddress.key(request));
    if (!wait.isZero()) {
      long seconds = RateLimits.retryAfterSeconds(wait);
      return Response.fromResponse(OAuthExceptionMapper.render(OAuthError.tooManyRequests(
          "too many registrations from this address; retry after " + seconds + " s")))
          .header("Retry-After", seconds).build();
    }
    byte[] bytes = body.readNBytes(MAX_BYTES + 1);
    if (bytes.length > MAX_BYTES) {
      return Response.status(413).type(MediaType.APPLICATION_JSON).entity(Json.createObjectBuilder()
          .add("error", "invalid_client_metadata")
          .add("error_description", "the registration request is too large").build()).build();
    }
    JsonObject metadata = parse(bytes);
    List<String> redirectUris = redirectUris(metadata.get("redirect_uris"));
    List<String> grantTypes = strings(metadata, "grant_types", List.of("authorization_code"));
    if (!GRANT_TYPES.containsAll(grantTypes) || !grantTypes.contains("authorization_code")) {
      throw new OAuthException(OAuthError.invalidClientMetadata(
          "grant_types may only be authorization_code and refresh_token"));
    }
    List<String> responseTypes = strings(metadata, "response_types", List.of("code"));
    if (!responseTypes.equals(List.of("code"))) {
      throw new OAuthException(OAuthError.invalidClientMetadata("response_types must be [\"code\"]"));
    }
    String authMethod = text(metadata, "token_endpoint_auth_method", "client_secret_basic");
    if (!Clients.AUTH_METHODS.contains(authMethod)) {
      throw new OAuthException(OAuthError.invalidClientMetadata(
          "token_endpoint_auth_method must be one of " + Clients.AUTH_METHODS));
    }
    Clients.Keys keys = RegisteredClient.PRIVATE_KEY_JWT.equals(authMethod)
        ? Clients.Keys.of(metadata) : null;
    String name = text(metadata, "client_name", null);
    if (name != null && name.length() > 200) {
      name = name.substring(0, 200);
    }
    Clients.Registration registration = clients.register(name, redirectUris, authMethod, keys,
        grantTypes.contains("refresh_token"));
    JsonObjectBuilder response = Json.createObjectBuilder()
        .add("client_id", registration.client().clientId())
        .add("client_id_issued_at", java.time.Instant.now().getEpochSecond())
        .add("redirect_uris", array(redirectUris))
        .add("grant_types", array(grantTypes))
        .add("response_types", array(responseTypes))
        .add("token_endpoint_auth_method", authMethod);
    if (name != null) {
      response.add("client_name", name);
    }
    if (keys != null && keys.jwksUri() != null) {
      response.add("jwks_uri", keys.jwksUri());
    } else if (keys != null) {
      response.add("jwks", metadata.getJsonObject("jwks"));
    }
    if (registration.secret() != null) {
      response.add("client_secret", registration.secret()).add("client_secret_expires_at", 0);
    }
    return Response.status(Response.Status.CREATED).type(MediaType.APPLICATION_JSON)
        .header("Cache-Control", "no-store").entity(response.build()).build();
  }

  private static JsonObject parse(byte[] bytes) {
    try (JsonReader reader = Json.createReader(new ByteArrayInputStream(bytes))) {
      JsonValue value = reader.readValue();
      if (value.getValueType() != JsonValue.ValueType.OBJECT) {
        throw new OAuthException(OAuthError.invalidClientMetadata("the body must be a JSON object"));
      }
      return value.asJsonObject();
    } catch (JsonException | IllegalStateException e) {
      throw new OAuthException(OAuthError.invalidClientMetadata("the body must be a JSON object"));
    }
  }

  private static List<String> redirectUris(JsonValue value) {
    if (!(value instanceof JsonArray array) || array.isEmpty()) {
      throw new OAuthException(OAuthError.invalidRedirectUri("redirect_uris is required"));
    }
    List<String> uris = new ArrayList<>();
    for (JsonValue item : array) {
      if (!(item instanceof JsonString uri)) {
        throw new OAuthException(OAuthError.invalidRedirectUri("redirect_uris must be strings"));
      }
      String refusal = RedirectUris.refusal(uri.getString());
      if (refusal != null) {
        throw new OAuthException(OAuthError.invalidRedirectUri("redirect URI " + (uris.size() + 1)
            + " " + refusal));
      }
      uris.add(uri.getString());
    }
    return uris;
  }

  private static List<String> strings(JsonObject metadata, String key, List<String> fallback) {
    JsonValue value = metadata.get(key);
    if (value == null || value == JsonValue.NULL) {
      return fallback;
    }
    if (!(value instanceof JsonArray array)) {
      throw new OAuthException(OAuthError.invalidClientMetadata(key + " must be an array"));
    }
    List<String> items = new ArrayList<>();
    for (JsonValue item : array) {
      if (!(item instanceof JsonString text)) {
        throw new OAuthException(OAuthError.invalidClientMetadata(key + " must hold strings"));
      }
      items.add(text.getString());
    }
    return items;
  }

  private static String text(JsonObject metadata, String key, String fallback) {
    JsonValue value = metadata.get(key);
    if (value instanceof JsonString text) {
      return text.getString();
    }
    if (value == null || value == JsonValue.NULL) {
      return fallback;
    }
    throw new OAuthException(OAuthError.invalidClientMetadata(key + " must be a string"));
  }

  private static JsonArrayBuilder array(List<String> values) {
    JsonArrayBuilder array = Json.createArrayBuilder();
    values.forEach(array::add);
    return array;
  }
}
