package dev.toriimcp.upstream.control;

import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.as.AuthorizationServerMetadata;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import dev.toriimcp.configuration.entity.BackendDefinition;
import dev.toriimcp.configuration.entity.GatewayConfiguration;
import dev.toriimcp.configuration.entity.UpstreamAuth;
import dev.toriimcp.upstream.entity.IdentityProvider;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.logging.Logger;

/**
 * The identity providers of {@code oauth2} backends. A provider given by {@code issuer} alone is
 * discovered (RFC 8414 {@code /.well-known/oauth-authorization-server}, then OpenID Connect
 * Discovery {@code /.well-known/openid-configuration}) at start; the metadata must name the
 * configured issuer exactly (RFC 8414 §3.3, mix-up defence) and https endpoints (http only on a
 * loopback host). A provider that cannot be reached at start does not stop the gateway: its
 * backend's sign-in answers "unavailable" and discovery is tried again, at most every
 * {@link #RETRY}, when a user signs in. Explicit endpoints are used as given, never fetched.
 */
@ApplicationScoped
public class IdentityProviders {

  static final Duration RETRY = Duration.ofSeconds(30);
  private static final Logger LOG = Logger.getLogger(IdentityProviders.class.getName());

  /** The provider cannot be used now; the message names the backend and the reason. */
  public static final class UnavailableException extends Exception {
    private static final long serialVersionUID = 1L;

    public UnavailableException(String message) {
      super(message, null, false, false);
    }
  }

  private record Attempt(IdentityProvider provider, String failure, Instant at) {}

  private final IdentityProviderHttp http = new IdentityProviderHttp();
  private final Map<String, Attempt> attempts = new ConcurrentHashMap<>();

  /** The HTTP client for exchanges with identity providers, shared by the gateway's parts. */
  public IdentityProviderHttp http() {
    return http;
  }

  /** Discovers every oauth2 backend's provider and logs one line each; for the start-up. */
  public void discover(GatewayConfiguration configuration) {
    discover(configuration, name -> true);
  }

  /** Discovers the providers of the oauth2 backends {@code which} names; for a reload. */
  public void discover(GatewayConfiguration configuration, Predicate<String> which) {
    for (BackendDefinition backend : configuration.backends()) {
      if (backend.auth() instanceof UpstreamAuth.OAuth2 auth && which.test(backend.name())) {
        Attempt attempt = attempt(backend.name(), auth);
        attempts.put(backend.name(), attempt);
        if (attempt.provider() != null) {
          LOG.info(() -> "backend '" + backend.name() + "': identity provider "
              + (auth.authorizationEndpoint() == null ? "discovered at " + auth.issuer()
                  : "configured") + " (authorization " + attempt.provider().authorizationEndpoint()
              + ", token " + attempt.provider().tokenEndpoint() + ")");
        } else {
          LOG.warning("backend '" + backend.name() + "': " + attempt.failure()
              + "; its users cannot sign in until it answers (tried again on sign-in)");
        }
      }
    }
  }

  /** The backend's provider, discovering it again if the last attempt failed long enough ago. */
  public IdentityProvider provider(BackendDefinition backend) throws UnavailableException {
    if (!(backend.auth() instanceof UpstreamAuth.OAuth2 auth)) {
      throw new IllegalArgumentException("backend '" + backend.name() + "' is not oauth2");
    }
    Attempt attempt = attempts.compute(backend.name(), (name, last) ->
        last != null && (last.provider() != null
            || last.at().plus(RETRY).isAfter(Instant.now())) ? last : attempt(name, auth));
    if (attempt.provider() == null) {
      throw new UnavailableException(attempt.failure());
    }
    return attempt.provider();
  }

  private Attempt attempt(String backend, UpstreamAuth.OAuth2 auth) {
    if (auth.authorizationEndpoint() != null) {
      return new Attempt(new IdentityProvider(auth.issuer(), auth.authorizationEndpoint(),
          auth.tokenEndpoint(), auth.jwksUri(), null, false), null, Instant.now());
    }
    try {
      return new Attempt(discover(backend, auth.issuer()), null, Instant.now());
    } catch (UnavailableException e) {
      return new Attempt(null, e.getMessage(), Instant.now());
    }
  }

  /** Fetches and checks the metadata of {@code issuer}. */
  IdentityProvider discover(String backend, URI issuer) throws UnavailableException {
    String failures = "";
    for (URI location : metadataLocations(issuer)) {
      HTTPResponse answer;
      try {
        answer = http.get(location, Map.of());
      } catch (IOException e) {
        failures += (failures.isEmpty() ? "" : "; ") + location + ": " + e.getMessage();
        continue;
      }
      if (answer.getStatusCode() != 200) {
        failures += (failures.isEmpty() ? "" : "; ") + location + ": HTTP "
            + answer.getStatusCode();
        continue;
      }
      AuthorizationServerMetadata metadata;
      try {
        // The body, whatever its Content-Type says: some providers label JSON as text.
        metadata = AuthorizationServerMetadata.parse(
            com.nimbusds.oauth2.sdk.util.JSONObjectUtils.parse(answer.getBody()));
      } catch (ParseException e) {
        throw new UnavailableException("auth.issuer: the identity provider's metadata at "
            + location + " is not valid (" + e.getMessage() + ")");
      }
      if (!metadata.getIssuer().getValue().equals(issuer.toString())) {
        throw new UnavailableException("auth.issuer: the metadata at " + location
            + " names the issuer '" + metadata.getIssuer().getValue() + "', not '" + issuer
            + "' as configured (RFC 8414 §3.3); set auth.issuer to exactly the provider's issuer");
      }
      if (metadata.getAuthorizationEndpointURI() == null || metadata.getTokenEndpointURI() == null) {
        throw new UnavailableException("auth.issuer: the metadata at " + location
            + " names no authorization_endpoint or token_endpoint");
      }
      URI userInfo = null;
      Object named = metadata.toJSONObject().get("userinfo_endpoint");
      if (named instanceof String text) {
        userInfo = URI.create(text);
      }
      IdentityProvider provider = new IdentityProvider(issuer,
          metadata.getAuthorizationEndpointURI(), metadata.getTokenEndpointURI(),
          metadata.getJWKSetURI(), userInfo, metadata.supportsAuthorizationResponseIssuerParam());
      for (URI endpoint : new URI[] {provider.authorizationEndpoint(), provider.tokenEndpoint(),
          provider.jwksUri(), provider.userInfoEndpoint()}) {
        Optional<String> refusal = insecure(endpoint);
        if (refusal.isPresent()) {
          throw new UnavailableException("auth.issuer: the metadata at " + location + " names "
              + refusal.get());
        }
      }
      return provider;
    }
    throw new UnavailableException("the identity provider " + issuer
        + " cannot be discovered (" + failures + ")");
  }

  /**
   * RFC 8414 §3.1 inserts the well-known segment before the issuer's path; OpenID Connect
   * Discovery §4 appends it. For an issuer without a path both mean the same two URLs.
   */
  static List<URI> metadataLocations(URI issuer) {
    String base = issuer.getScheme() + "://" + issuer.getRawAuthority();
    String path = issuer.getRawPath() == null ? "" : issuer.getRawPath();
    String trimmed = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    return List.of(URI.create(base + "/.well-known/oauth-authorization-server" + trimmed),
        URI.create(base + trimmed + "/.well-known/openid-configuration"));
  }

  private static Optional<String> insecure(URI endpoint) {
    if (endpoint == null) {
      return Optional.empty();
    }
    String scheme = endpoint.getScheme() == null ? "" : endpoint.getScheme().toLowerCase();
    if (scheme.equals("https")) {
      return Optional.empty();
    }
    if (scheme.equals("http") && endpoint.getHost() != null && loopback(endpoint.getHost())) {
      return Optional.empty();
    }
    return Optional.of("the endpoint " + endpoint + ", which is neither https nor on loopback");
  }

  private static boolean loopback(String host) {
    return host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]");
  }

  @PreDestroy
  void close() {
    try {
      http.close();
    } catch (IOException ignored) {
      // shutting down
    }
  }
}
