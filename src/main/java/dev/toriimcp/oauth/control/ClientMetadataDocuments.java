package dev.toriimcp.oauth.control;

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
import java.io.IOException;
import java.io.InputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document; MCP 2025-11-25
 * "Client ID Metadata Documents"): a {@code client_id} that is an https URL names a JSON document
 * describing the client. Fetched with care, because the URL comes from anyone (research §2.5,
 * CM-1…CM-12): https only; no fragment, user info, query or dot segments; every address of the
 * host checked against loopback, private, link-local and other special ranges before connecting
 * (unless private addresses are allowed by configuration); 5 s timeout; no redirects; HTTP 200
 * only; at most 5 KB; JSON only. Valid documents are cached per their {@code Cache-Control}
 * max-age, bounded to one day; failures are never cached.
 */
public final class ClientMetadataDocuments {

  static final int MAX_BYTES = 5 * 1024;
  static final Duration TIMEOUT = Duration.ofSeconds(5);
  static final Duration DEFAULT_TTL = Duration.ofHours(1);
  static final Duration MAX_TTL = Duration.ofDays(1);
  private static final Pattern MAX_AGE = Pattern.compile("max-age=(\\d+)");
  private static final Logger LOG = Logger.getLogger(ClientMetadataDocuments.class.getName());

  private final HttpClient http;
  private final boolean allowPrivate;
  // Bounded: anyone can make the gateway fetch documents at URLs of their choosing.
  private final ExpiringCache<String, RegisteredClient> cache = new ExpiringCache<>(10_000);

  public ClientMetadataDocuments(HttpClient http, boolean allowPrivate) {
    this.http = http;
    this.allowPrivate = allowPrivate;
  }

  public static ClientMetadataDocuments forRuntime(boolean allowPrivate) {
    return new ClientMetadataDocuments(HttpClient.newBuilder().connectTimeout(TIMEOUT)
        .followRedirects(HttpClient.Redirect.NEVER).build(), allowPrivate);
  }

  /** Whether a client id is a URL that names a metadata document (and not a registered id). */
  public static boolean isDocumentUrl(String clientId) {
    return clientId != null && clientId.regionMatches(true, 0, "https://", 0, 8);
  }

  /** The client the document describes, or empty if the URL or the document is not acceptable. */
  public Optional<RegisteredClient> resolve(String clientId) {
    RegisteredClient cached = cache.get(clientId, Instant.now());
    if (cached != null) {
      return Optional.of(cached);
    }
    try {
      URI url = checkedUrl(clientId);
      checkAddresses(url.getHost());
      HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(url).timeout(TIMEOUT)
          .header("Accept", "application/json").GET().build(), HttpResponse.BodyHandlers.ofInputStream());
      byte[] body;
      try (InputStream in = response.body()) {
        body = in.readNBytes(MAX_BYTES + 1);
      }
      if (response.statusCode() != 200) {
        throw new Refused("HTTP " + response.statusCode());
      }
      if (body.length > MAX_BYTES) {
        throw new Refused("larger than " + MAX_BYTES + " bytes");
      }
      String type = response.headers().firstValue("Content-Type").orElse("");
      if (!type.toLowerCase(Locale.ROOT).contains("json")) {
        throw new Refused("not JSON");
      }
      RegisteredClient client = client(clientId, body);
      cache.put(clientId, client, Instant.now().plus(ttl(response)));
      return Optional.of(client);
    } catch (Refused e) {
      LOG.info(() -> "client metadata document " + LogSafe.text(clientId) + " refused: "
          + LogSafe.text(e.getMessage()));
      return Optional.empty();
    } catch (IOException e) {
      LOG.info(() -> "client metadata document " + LogSafe.text(clientId) + " cannot be fetched: "
          + e.getClass().getSimpleName());
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
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
      throw new Refused("not an https URL");
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

  void checkAddresses(String host) throws Refused {
    InetAddress[] addresses;
    try {
      addresses = InetAddress.getAllByName(host);
    } catch (UnknownHostException e) {
      throw new Refused("unknown host");
    }
    if (allowPrivate) {
      return;
    }
    for (InetAddress address : addresses) {
      if (special(address)) {
        throw new Refused("the host resolves to a loopback, private or special address");
      }
    }
  }

  /** RFC 6890 special-purpose addresses that a server-side fetch must never reach. */
  static boolean special(InetAddress address) {
    if (address.isLoopbackAddress() || address.isSiteLocalAddress() || address.isLinkLocalAddress()
        || address.isAnyLocalAddress() || address.isMulticastAddress()) {
      return true;
    }
    byte[] b = address.getAddress();
    if (address instanceof Inet6Address) {
      boolean uniqueLocal = (b[0] & 0xfe) == 0xfc;
      boolean mapped = b[0] == 0 && b[1] == 0 && b[2] == 0 && b[3] == 0 && b[4] == 0 && b[5] == 0
          && b[6] == 0 && b[7] == 0 && b[8] == 0 && b[9] == 0 && (b[10] & 0xff) == 0xff
          && (b[11] & 0xff) == 0xff;
      if (mapped) {
        try {
          return special(InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]}));
        } catch (UnknownHostException e) {
          return true;
        }
      }
      return uniqueLocal;
    }
    int first = b[0] & 0xff;
    int second = b[1] & 0xff;
    return first == 0 || first >= 240 || (first == 100 && second >= 64 && second <= 127)
        || (first == 192 && second == 0 && (b[2] & 0xff) == 0) || (first == 198 && (second == 18 || second == 19));
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
    if (method != null && !(method instanceof JsonString m && m.getString().equals("none"))) {
      throw new Refused("token_endpoint_auth_method must be none");
    }
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
    return new RegisteredClient(clientId, RegisteredClient.Kind.METADATA_DOCUMENT, clientName,
        redirects, "none", null, refresh, Instant.now());
  }

  private static Duration ttl(HttpResponse<?> response) {
    Matcher maxAge = MAX_AGE.matcher(response.headers().firstValue("Cache-Control").orElse(""));
    if (!maxAge.find()) {
      return DEFAULT_TTL;
    }
    try {
      Duration declared = Duration.ofSeconds(Long.parseLong(maxAge.group(1)));
      return declared.compareTo(MAX_TTL) > 0 ? MAX_TTL : declared;
    } catch (NumberFormatException e) {
      return DEFAULT_TTL;
    }
  }
}
