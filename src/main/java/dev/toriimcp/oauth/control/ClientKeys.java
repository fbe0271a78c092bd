package dev.toriimcp.oauth.control;

import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import dev.toriimcp.oauth.control.ClientMetadataDocuments.Refused;
import dev.toriimcp.oauth.entity.RegisteredClient;
import dev.toriimcp.platform.control.ExpiringCache;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;

/**
 * The public keys of {@code private_key_jwt} clients (RFC 7523 §2.2, RFC 7591 §2 {@code jwks} /
 * {@code jwks_uri}; ADR 0023). A {@code jwks_uri} is fetched through the same egress as client
 * ID metadata documents ({@link MetadataFetches}: checked addresses, one deadline, a size cap,
 * bounded concurrency, one fetch per URL at a time, failures remembered briefly). A fetched set is
 * cached per its {@code Cache-Control} max-age, {@link #DEFAULT_TTL} without one and at most
 * {@link #MAX_TTL}, so that a key the client withdraws stops working soon. An assertion signed by
 * a key the cached set lacks gets one refetch ({@link #refetched}), at most once per
 * {@link #REFETCH_AFTER} per URL, so that a rotation works at once and a stream of unknown key
 * ids does not turn into a stream of fetches.
 *
 * <p>Only public RSA (2048 bits or more) and EC keys for signing are accepted: a set with a
 * private or symmetric key is refused whole, because a published private key is no proof of
 * anything and an HMAC key would be a shared secret (CIMD forbids those). A key marked for
 * encryption ({@code "use": "enc"}) is never selected to verify a signature.
 */
final class ClientKeys {

  static final int MAX_BYTES = 16 * 1024;
  /** The longest inline JWK set (the {@code oauth_client.jwks} column). */
  static final int MAX_INLINE = 8000;
  static final int MAX_KEYS = 16;
  static final int MIN_RSA_BITS = 2048;
  static final Duration DEFAULT_TTL = Duration.ofMinutes(5);
  static final Duration MAX_TTL = Duration.ofMinutes(15);
  static final Duration REFETCH_AFTER = Duration.ofSeconds(30);

  private final MetadataFetches fetches;
  private final ExpiringCache<String, JWKSet> cache = new ExpiringCache<>(10_000);
  // When each URL was last fetched successfully: the refetch of an unknown key id waits for it.
  private final ExpiringCache<String, Instant> recent = new ExpiringCache<>(10_000);

  ClientKeys(MetadataFetches fetches) {
    this.fetches = fetches;
  }

  /** The client's keys: inline, cached or fetched now; null when they cannot be had. */
  JWKSet keys(RegisteredClient client) {
    if (client.jwks() != null) {
      try {
        return parse(client.jwks());
      } catch (Refused e) {
        return null; // checked at registration; a stored set is not refused later
      }
    }
    if (client.jwksUri() == null) {
      return null;
    }
    JWKSet cached = cache.get(client.jwksUri(), Instant.now());
    return cached != null ? cached : fetch(client.jwksUri());
  }

  /**
   * The client's keys fetched again, when the cached set lacked the assertion's key; null when
   * the keys are inline, were fetched less than {@link #REFETCH_AFTER} ago, or cannot be had.
   */
  JWKSet refetched(RegisteredClient client) {
    String uri = client.jwksUri();
    if (client.jwks() != null || uri == null || recent.get(uri, Instant.now()) != null) {
      return null;
    }
    return fetch(uri);
  }

  private JWKSet fetch(String uri) {
    URI url;
    try {
      url = checkedUri(uri);
    } catch (Refused e) {
      return null;
    }
    return fetches.fetch("JWK set " + uri, "jwks " + uri, url, MAX_BYTES, fetched -> {
      JWKSet keys = parse(new String(fetched.body(), StandardCharsets.UTF_8));
      Instant now = Instant.now();
      cache.put(uri, keys, now.plus(ClientMetadataDocuments.ttl(fetched.cacheControl(),
          DEFAULT_TTL, MAX_TTL)));
      recent.put(uri, now, now.plus(REFETCH_AFTER));
      return keys;
    });
  }

  /**
   * The keys a {@code private_key_jwt} client's metadata names (RFC 7591 §2): {@code jwks} (an
   * object, checked now) or {@code jwks_uri} (checked for its form; fetched when first needed),
   * exactly one of them.
   */
  static Clients.Keys registered(JsonObject metadata) throws Refused {
    JsonValue jwks = metadata.get("jwks");
    JsonValue uri = metadata.get("jwks_uri");
    boolean inline = jwks != null && jwks != JsonValue.NULL;
    boolean remote = uri != null && uri != JsonValue.NULL;
    if (inline == remote) {
      throw new Refused("private_key_jwt needs exactly one of jwks and jwks_uri");
    }
    if (remote) {
      if (!(uri instanceof JsonString text)) {
        throw new Refused("jwks_uri must be a string");
      }
      checkedUri(text.getString());
      return new Clients.Keys(null, text.getString());
    }
    if (jwks.getValueType() != JsonValue.ValueType.OBJECT) {
      throw new Refused("jwks must be a JSON object");
    }
    String text = jwks.toString();
    if (text.length() > MAX_INLINE) {
      throw new Refused("jwks is longer than " + MAX_INLINE + " characters; use jwks_uri");
    }
    parse(text);
    return new Clients.Keys(text, null);
  }

  /** A JWK set of public signing keys only, or the reason it is refused. */
  static JWKSet parse(String json) throws Refused {
    JWKSet set;
    try {
      set = JWKSet.parse(json);
    } catch (ParseException e) {
      throw new Refused("not a JWK set");
    }
    if (set.isEmpty() || set.size() > MAX_KEYS) {
      throw new Refused("a JWK set needs 1 to " + MAX_KEYS + " keys");
    }
    for (JWK key : set.getKeys()) {
      if (key.isPrivate()) {
        throw new Refused("the JWK set holds private or symmetric key material");
      }
      if (!(key instanceof RSAKey) && !(key instanceof ECKey)) {
        throw new Refused("only RSA and EC keys are accepted");
      }
      if (key instanceof RSAKey rsa && rsa.size() < MIN_RSA_BITS) {
        throw new Refused("an RSA key shorter than " + MIN_RSA_BITS + " bits");
      }
    }
    return set;
  }

  /**
   * A {@code jwks_uri} as it may be fetched: https with a host name (or a canonical address), no
   * user information and no fragment. Where its host resolves to is checked at fetch time.
   */
  static URI checkedUri(String uri) throws Refused {
    URI url;
    try {
      url = new URI(uri);
    } catch (URISyntaxException e) {
      throw new Refused("jwks_uri is not a URL");
    }
    if (!"https".equals(url.getScheme()) || url.getHost() == null
        || SpecialAddresses.ambiguousNumber(url.getHost())) {
      throw new Refused("jwks_uri must be an https URL with a host name");
    }
    if (url.getRawFragment() != null || url.getRawUserInfo() != null || uri.length() > 2000) {
      throw new Refused("jwks_uri has a fragment or user information, or is too long");
    }
    return url;
  }
}
