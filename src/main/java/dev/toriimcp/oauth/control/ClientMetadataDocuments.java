package dev.toriimcp.oauth.control;

import dev.toriimcp.oauth.entity.OAuthException;
import dev.toriimcp.oauth.entity.RedirectUris;
import dev.toriimcp.oauth.entity.RegisteredClient;
import dev.toriimcp.platform.control.ExpiringCache;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;

/**
 * Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document-02; MCP 2025-11-25
 * "Client ID Metadata Documents"): a {@code client_id} that is an https URL names a JSON document
 * describing the client. Fetched with care, because the URL comes from anyone, before any login
 * (research §2.5, CM-1…CM-13; ADR 0012):
 *
 * <ul>
 *   <li>https only; no fragment, user info, query or dot segments; no host written as a number
 *       other than a canonical dotted quad ({@link SpecialAddresses#ambiguousNumber});
 *   <li>the host is resolved once and every address checked against loopback, private,
 *       link-local and other special ranges, including IPv4 embedded in IPv6 (§8.6; unless
 *       private addresses are allowed by configuration); the connection goes to the checked
 *       address ({@link DocumentFetcher});
 *   <li>one 5 s deadline for the whole fetch, body included; no redirects; HTTP 200 only; at
 *       most 5 KB (§8.7); JSON only;
 *   <li>at most {@link #MAX_CONCURRENT} fetches at once on threads of their own, and at most
 *       {@link #WAITING_PER_FETCH} times as many requests waiting for them; beyond either the
 *       request fails at once with {@code temporarily_unavailable} instead of waiting;
 *       concurrent look-ups of one URL share one fetch;
 *   <li>valid documents are cached per their {@code Cache-Control} max-age, bounded to one day
 *       (§5.2). Error responses and invalid documents are never cached (§5.2, CM-11). A fetch
 *       that got no response at all (unknown or special host, no connection, TLS failure,
 *       deadline) is remembered for {@link #FAILURE_TTL}, so that a host that stalls costs one
 *       fetch per half minute, not one per request.
 *   <li>{@code token_endpoint_auth_method} is {@code none} (or absent) or {@code private_key_jwt}
 *       with {@code jwks} or {@code jwks_uri} (ADR 0023); the {@code jwks_uri} is fetched through
 *       the same {@link MetadataFetches} when the client first authenticates.
 * </ul>
 */
public final class ClientMetadataDocuments {

  static final int MAX_BYTES = 5 * 1024;
  static final Duration TIMEOUT = Duration.ofSeconds(5);
  static final Duration DEFAULT_TTL = Duration.ofHours(1);
  static final Duration MAX_TTL = Duration.ofDays(1);
  static final Duration FAILURE_TTL = Duration.ofSeconds(30);
  static final int MAX_CONCURRENT = 8;
  /** Requests that may wait at once, per fetch thread: 64 container threads at most. */
  static final int WAITING_PER_FETCH = 8;
  private static final Pattern MAX_AGE = Pattern.compile("max-age=(\\d+)");
  private static final Logger LOG = Logger.getLogger(ClientMetadataDocuments.class.getName());

  private final MetadataFetches fetches;
  // Bounded: anyone can make the gateway fetch documents at URLs of their choosing.
  private final ExpiringCache<String, RegisteredClient> cache = new ExpiringCache<>(10_000);

  ClientMetadataDocuments(SSLContext tls, boolean allowPrivate, int maxConcurrent) {
    this.fetches = new MetadataFetches(tls, allowPrivate, maxConcurrent);
  }

  public static ClientMetadataDocuments forRuntime(boolean allowPrivate) {
    try {
      return new ClientMetadataDocuments(SSLContext.getDefault(), allowPrivate, MAX_CONCURRENT);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("no default TLS context", e);
    }
  }

  /** The egress these documents are fetched through, shared with the clients' JWK sets. */
  MetadataFetches fetches() {
    return fetches;
  }

  /** Whether a client id is a URL that names a metadata document (and not a registered id). */
  public static boolean isDocumentUrl(String clientId) {
    return clientId != null && clientId.regionMatches(true, 0, "https://", 0, 8);
  }

  /**
   * The client the document describes, or empty if the URL or the document is not acceptable.
   *
   * @throws OAuthException {@code temporarily_unavailable} (503) when too many documents are
   *     being fetched already
   */
  public Optional<RegisteredClient> resolve(String clientId) {
    RegisteredClient cached = cache.get(clientId, Instant.now());
    if (cached != null) {
      return Optional.of(cached);
    }
    URI url;
    try {
      url = checkedUrl(clientId);
    } catch (Refused e) {
      LOG.info(() -> "client metadata document " + LogSafe.text(clientId) + " refused: "
          + LogSafe.text(e.getMessage()));
      return Optional.empty();
    }
    return Optional.ofNullable(fetches.fetch("client metadata document " + clientId, clientId, url,
        MAX_BYTES, fetched -> {
          RegisteredClient client = client(clientId, fetched.body());
          cache.put(clientId, client, Instant.now().plus(ttl(fetched.cacheControl(), DEFAULT_TTL,
              MAX_TTL)));
          return client;
        }));
  }

  /** Requests waiting for a fetch now (tests). */
  int waiting() {
    return fetches.waiting();
  }

  static final class Refused extends Exception {
    private static final long serialVersionUID = 1L;

    Refused(String message) {
      super(message, null, false, false);
    }
  }

  static URI checkedUrl(String clientId) throws Refused {
    URI url;
    try {
      url = new URI(clientId);
    } catch (URISyntaxException e) {
      throw new Refused("not a URL");
    }
    String path = url.getRawPath() == null ? "" : url.getRawPath();
    if (!"https".equals(url.getScheme()) || url.getHost() == null) {
      throw new Refused("not an https URL with a host name");
    }
    if (SpecialAddresses.ambiguousNumber(url.getHost())) {
      throw new Refused("the host is a number in a form other than a.b.c.d");
    }
    if (url.getRawFragment() != null || url.getRawUserInfo() != null || url.getRawQuery() != null) {
      throw new Refused("fragment, user information or query present");
    }
    if (path.isEmpty() || path.equals("/")) {
      throw new Refused("no path");
    }
    for (String segment : path.split("/")) {
      if (segment.equals(".") || segment.equals("..")) {
        throw new Refused("dot segment in the path");
      }
    }
    return url;
  }

  static RegisteredClient client(String clientId, byte[] body) throws Refused {
    JsonObject document;
    try (JsonReader reader = Json.createReader(new ByteArrayInputStream(body))) {
      JsonValue value = reader.readValue();
      if (value.getValueType() != JsonValue.ValueType.OBJECT) {
        throw new Refused("not a JSON object");
      }
      document = value.asJsonObject();
    } catch (jakarta.json.JsonException | IllegalStateException e) {
      throw new Refused("invalid JSON");
    }
    if (!(document.get("client_id") instanceof JsonString id) || !id.getString().equals(clientId)) {
      throw new Refused("client_id does not equal the document URL");
    }
    if (!(document.get("client_name") instanceof JsonString name) || name.getString().isBlank()) {
      throw new Refused("client_name missing");
    }
    if (document.containsKey("client_secret") || document.containsKey("client_secret_expires_at")) {
      throw new Refused("a client secret in a public document");
    }
    JsonValue method = document.get("token_endpoint_auth_method");
    boolean keyed = method instanceof JsonString m
        && m.getString().equals(RegisteredClient.PRIVATE_KEY_JWT);
    if (method != null && !keyed && !(method instanceof JsonString m && m.getString().equals("none"))) {
      throw new Refused("token_endpoint_auth_method must be none or private_key_jwt");
    }
    Clients.Keys keys = keyed ? ClientKeys.registered(document) : null;
    if (!(document.get("redirect_uris") instanceof JsonArray uris) || uris.isEmpty()) {
      throw new Refused("redirect_uris missing");
    }
    List<String> redirects = new ArrayList<>();
    for (JsonValue uri : uris) {
      if (!(uri instanceof JsonString text) || RedirectUris.refusal(text.getString()) != null) {
        throw new Refused("an unacceptable redirect URI");
      }
      redirects.add(text.getString());
    }
    boolean refresh = document.get("grant_types") instanceof JsonArray grants
        && grants.stream().anyMatch(g -> g instanceof JsonString s && s.getString().equals("refresh_token"));
    String clientName = name.getString().length() > 200 ? name.getString().substring(0, 200) : name.getString();
    if (keys != null) {
      return RegisteredClient.withKeys(clientId, RegisteredClient.Kind.METADATA_DOCUMENT,
          clientName, redirects, keys.jwks(), keys.jwksUri(), refresh, Instant.now());
    }
    return new RegisteredClient(clientId, RegisteredClient.Kind.METADATA_DOCUMENT, clientName,
        redirects, "none", null, refresh, Instant.now());
  }

  /** The {@code Cache-Control} max-age, or {@code fallback} without one, at most {@code max}. */
  static Duration ttl(String cacheControl, Duration fallback, Duration max) {
    Matcher maxAge = MAX_AGE.matcher(cacheControl);
    if (!maxAge.find()) {
      return fallback;
    }
    try {
      Duration declared = Duration.ofSeconds(Long.parseLong(maxAge.group(1)));
      return declared.compareTo(max) > 0 ? max : declared;
    } catch (NumberFormatException e) {
      return fallback;
    }
  }
}
