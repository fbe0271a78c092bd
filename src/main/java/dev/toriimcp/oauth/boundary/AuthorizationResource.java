package dev.toriimcp.oauth.boundary;

import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import dev.toriimcp.configuration.entity.BackendDefinition;
import dev.toriimcp.configuration.entity.GatewayConfiguration;
import dev.toriimcp.configuration.entity.UpstreamAuth;
import dev.toriimcp.oauth.control.Clients;
import dev.toriimcp.oauth.control.Consents;
import dev.toriimcp.oauth.control.LogSafe;
import dev.toriimcp.oauth.control.LoginThrottle;
import dev.toriimcp.oauth.control.OAuthUris;
import dev.toriimcp.oauth.control.Pkce;
import dev.toriimcp.oauth.control.RateLimits;
import dev.toriimcp.oauth.control.Resources;
import dev.toriimcp.oauth.control.Scopes;
import dev.toriimcp.oauth.control.Secrets;
import dev.toriimcp.oauth.control.Tokens;
import dev.toriimcp.oauth.entity.PendingAuthorization;
import dev.toriimcp.platform.control.ClientAddress;
import dev.toriimcp.oauth.entity.RedirectUris;
import dev.toriimcp.oauth.entity.RegisteredClient;
import dev.toriimcp.sealing.control.Sealing;
import dev.toriimcp.login.entity.BackendLoginCredential;
import dev.toriimcp.upstream.control.IdentityProviderLogin;
import dev.toriimcp.upstream.control.IdentityProviders;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.security.enterprise.identitystore.CredentialValidationResult;
import jakarta.security.enterprise.identitystore.IdentityStoreHandler;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Logger;

/**
 * The authorization endpoint (OAuth 2.1 §4.1.1) with the login-broker and consent pages.
 *
 * <p>Order of checks (RFC 6749 §4.1.2.1, research R-4): client and redirect URI first, with
 * errors shown as a page and no redirect. Other errors go back to the client's redirect URI with
 * {@code state} and {@code iss} (RFC 9207) only when that URI is trusted: the client is
 * configured by the operator, or the user signed in in this browser has approved it before.
 * Registration is open, so for any other client an error redirect would make the gateway an open
 * redirector (RFC 9700 §4.11.2, research R-5, AZ-25); such errors are shown as a page. After a
 * valid request the user logs in to the backend through the gateway (Jakarta Security:
 * {@code login} component; the password goes only to the backend's login endpoint) or, for an
 * {@code oauth2} backend, at the backend's identity provider, which answers at
 * {@link IdentityProviderCallbackResource} (ADR 0020); then the user approves the client on a
 * consent page (CSRF-protected, not framable, 303 after POST). Public
 * clients with a loopback or private-use redirect URI are asked every time (RFC 8252 §8.6).
 */
@Path("authorize")
@RequestScoped
public class AuthorizationResource {

  private static final Logger LOG = Logger.getLogger(AuthorizationResource.class.getName());
  private static final Set<String> SINGLE = Set.of("client_id", "redirect_uri", "response_type",
      "state", "code_challenge", "code_challenge_method", "scope", "resource");
  /** How long the identity provider's callback is accepted after the browser was sent there. */
  static final Duration SIGN_IN_TIME = Duration.ofMinutes(10);

  @Inject GatewayConfiguration configuration;
  @Inject Clients clients;
  @Inject Tokens tokens;
  @Inject Consents consents;
  @Inject Sealing sealing;
  @Inject LoginThrottle throttle;
  @Inject RateLimits limits;
  @Inject ClientAddress clientAddress;

  @Inject IdentityStoreHandler identityStores;
  @Inject IdentityProviderLogin providerLogin;

  @Context HttpServletRequest request;
  @Context HttpServletResponse response;

  @GET
  public Response authorize(@Context UriInfo uri) {
    MultivaluedMap<String, String> query = uri.getQueryParameters();
    Optional<RegisteredClient> client = clients.find(single(query, "client_id"));
    if (client.isEmpty() || duplicated(query, "client_id")) {
      return Pages.error("The application is not registered with this gateway (unknown client_id).");
    }
    String redirectUri = redirectUri(client.get(), query);
    if (redirectUri == null) {
      return Pages.error("The application's redirect address is missing or not registered.");
    }
    boolean preRegistered = client.get().kind() == RegisteredClient.Kind.CONFIGURED;
    AuthorizationSession existing = AuthorizationSession.existing(request);
    Refusal refusal = new Refusal(redirectUri, single(query, "state"),
        OAuthUris.issuer(configuration), trusted(preRegistered, client.get().clientId(), existing));
    for (String name : SINGLE) {
      if (duplicated(query, name)) {
        return refusal.of("invalid_request", name + " is repeated");
      }
    }
    if (!"code".equals(single(query, "response_type"))) {
      return refusal.of(single(query, "response_type") == null
          ? "invalid_request" : "unsupported_response_type", "response_type must be code");
    }
    if (!"S256".equals(single(query, "code_challenge_method"))
        || !Pkce.validChallenge(single(query, "code_challenge"))) {
      return refusal.of("invalid_request", "PKCE with code_challenge_method=S256 is required");
    }
    Optional<BackendDefinition> backend = backend(single(query, "resource"), single(query, "scope"));
    if (backend.isEmpty()) {
      return refusal.of("invalid_target", "resource must name one backend of this gateway");
    }
    if (!(backend.get().auth() instanceof UpstreamAuth.LoginBroker
        || backend.get().auth() instanceof UpstreamAuth.OAuth2)) {
      return refusal.of("invalid_request", "this backend has no user login configured");
    }
    if (existing == null) {
      Duration wait = limits.newSession(clientAddress.key(request));
      if (!wait.isZero()) {
        return Pages.tooManyRequests(RateLimits.retryAfterSeconds(wait));
      }
    }
    PendingAuthorization pending = new PendingAuthorization(client.get().clientId(),
        client.get().clientName(), redirectUri, refusal.state(), single(query, "code_challenge"),
        backend.get().name(), OAuthUris.scope(backend.get()), preRegistered,
        "none".equals(client.get().authMethod()) && RedirectUris.local(redirectUri));
    AuthorizationSession session = AuthorizationSession.of(request);
    String id = session.add(pending);
    return next(session, id, pending, refusal);
  }

  @POST
  @Path("login")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  public Response login(@FormParam("request") String id, @FormParam("csrf") String csrf,
      @FormParam("username") String username, @FormParam("password") String password) {
    AuthorizationSession session = AuthorizationSession.existing(request);
    PendingAuthorization pending = session == null ? null : session.pending(id);
    if (pending == null || !session.csrfMatches(csrf)) {
      return Pages.page(403, "Expired", "<h1>This sign-in has expired</h1><p>Return to the"
          + " application and start again.</p>");
    }
    BackendDefinition backend = configuration.backend(pending.backend()).orElseThrow();
    String user = username == null ? "" : username.trim();
    String address = clientAddress.key(request);
    if (throttle.blocked(backend.name(), user, address)) {
      return LoginPage.render(429, backend, session, id, user,
          "Too many failed attempts. Wait a few minutes and try again.");
    }
    if (user.isEmpty() || password == null || password.isEmpty()) {
      throttle.failed(backend.name(), user, address);
      return LoginPage.render(400, backend, session, id, user, "Enter your username and password.");
    }
    BackendLoginCredential credential = new BackendLoginCredential(backend.name(), user, password);
    // Jakarta Security's identity stores verify the user (BackendIdentityStore); no HTTP
    // authentication mechanism, whose JASPIC bridge would run on every request (ADR 0009).
    CredentialValidationResult result = identityStores.validate(credential);
    if (credential.unavailableReason() != null) {
      // Counted too: a backend that answers a wrong password with 404, 422, 429 or a 200
      // without a credential must not allow unlimited guesses.
      throttle.failed(backend.name(), user, address);
      LOG.warning("login-broker for backend '" + backend.name() + "': "
          + LogSafe.text(credential.unavailableReason()));
      return LoginPage.render(503, backend, session, id, user,
          "The sign-in service of " + backend.name() + " is not available. Try again later.");
    }
    if (result.getStatus() != CredentialValidationResult.Status.VALID
        || credential.upstreamToken() == null) {
      throttle.failed(backend.name(), user, address);
      return LoginPage.render(401, backend, session, id, user,
          "The username or password is not correct.");
    }
    throttle.succeeded(backend.name(), user);
    String sealed = sealing.sealer().seal(
        credential.upstreamToken().getBytes(StandardCharsets.UTF_8), backend.name(), user);
    // A new login gets a new session id (session fixation), a new CSRF token and only the
    // request it was for (AuthorizationSession#loggedIn).
    request.changeSessionId();
    session.loggedIn(backend.name(), new AuthorizationSession.Login(user, sealed,
        credential.upstreamExpiresAt()), id);
    return seeOther(URI.create(OAuthUris.endpoint(configuration, "/authorize/consent?request="
        + ClientRedirect.encode(id))));
  }

  @GET
  @Path("consent")
  public Response consentPage(@QueryParam("request") String id) {
    AuthorizationSession session = AuthorizationSession.existing(request);
    PendingAuthorization pending = session == null ? null : session.pending(id);
    if (pending == null) {
      return Pages.page(403, "Expired", "<h1>This request has expired</h1><p>Return to the"
          + " application and start again.</p>");
    }
    return next(session, id, pending, null);
  }

  @POST
  @Path("consent")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  public Response decide(@FormParam("request") String id, @FormParam("csrf") String csrf,
      @FormParam("decision") String decision) {
    AuthorizationSession session = AuthorizationSession.existing(request);
    if (session == null || !session.csrfMatches(csrf)) {
      return Pages.page(403, "Forbidden", "<h1>This form has expired</h1><p>Return to the"
          + " application and start again.</p>");
    }
    PendingAuthorization pending = session.take(id);
    AuthorizationSession.Login login = pending == null ? null : session.login(pending.backend());
    if (pending == null || login == null) {
      return Pages.page(403, "Expired", "<h1>This request has expired</h1><p>Return to the"
          + " application and start again.</p>");
    }
    if (!"approve".equals(decision)) {
      URI denied = ClientRedirect.error(pending.redirectUri(), pending.state(),
          OAuthUris.issuer(configuration), "access_denied", "the user denied the request");
      return trusted(pending.preRegistered(), pending.clientId(), session)
          ? seeOther(denied) : ConsentPage.denied(pending, denied);
    }
    return approve(session, pending, login);
  }

  /**
   * After a valid request: the backend's sign-in (the login page, or the identity provider for
   * an {@code oauth2} backend) unless this browser session has signed in to it already, then
   * the consent page or the remembered consent.
   */
  private Response next(AuthorizationSession session, String id, PendingAuthorization pending,
      Refusal refusal) {
    BackendDefinition backend = configuration.backend(pending.backend()).orElseThrow();
    AuthorizationSession.Login login = session.login(backend.name());
    if (login == null && backend.auth() instanceof UpstreamAuth.OAuth2 auth) {
      return toProvider(session, id, backend, auth, refusal);
    }
    if (login == null) {
      return LoginPage.render(200, backend, session, id, "", null);
    }
    if (!pending.confirmEveryTime() && consents.granted(login.subject(), pending.clientId(),
        backend.name(), pending.scope(), pending.redirectUri())) {
      session.take(id);
      return approve(session, pending, login);
    }
    return ConsentPage.render(backend, pending, session, id, login.subject());
  }

  /**
   * Sends the browser to the backend's identity provider (ADR 0020): the gateway's own PKCE
   * verifier (RFC 7636, S256), a fresh single-use {@code state} bound to this pending request in
   * this browser session, and an OpenID Connect {@code nonce} when an ID token is asked for. All
   * three stay in the session; the callback is the backend's fixed one.
   */
  private Response toProvider(AuthorizationSession session, String id, BackendDefinition backend,
      UpstreamAuth.OAuth2 auth, Refusal refusal) {
    CodeVerifier verifier = new CodeVerifier();
    String nonce = auth.openId() ? Secrets.newToken() : null;
    String state = session.signingIn(new AuthorizationSession.ProviderSignIn(id, backend.name(),
        verifier.getValue(), nonce, Instant.now().plus(SIGN_IN_TIME)));
    try {
      return seeOther(providerLogin.authorizationRedirect(backend,
          callback(configuration, backend.name()), state, nonce, verifier));
    } catch (IdentityProviders.UnavailableException e) {
      session.takeSignIn(state);
      LOG.warning("backend '" + backend.name() + "': " + LogSafe.text(e.getMessage()));
      String description = "the identity provider of this backend cannot be reached";
      return refusal != null ? refusal.unavailable(description, backend.name())
          : Pages.unavailable(backend.name());
    }
  }

  /** The backend's fixed callback, registered at its identity provider (ADR 0020). */
  static URI callback(GatewayConfiguration configuration, String backend) {
    return URI.create(OAuthUris.endpoint(configuration, "/oauth/callback/"
        + ClientRedirect.encode(backend)));
  }

  private boolean trusted(boolean preRegistered, String clientId, AuthorizationSession session) {
    return trusted(consents, preRegistered, clientId, session);
  }

  /**
   * Whether errors may be redirected to the client without a click: its redirect URIs were set
   * by the operator, or the user signed in in this browser has approved the client before.
   */
  static boolean trusted(Consents consents, boolean preRegistered, String clientId,
      AuthorizationSession session) {
    if (preRegistered) {
      return true;
    }
    if (session == null) {
      return false;
    }
    for (Map.Entry<String, AuthorizationSession.Login> login : session.logins().entrySet()) {
      if (consents.exists(login.getValue().subject(), clientId, login.getKey())) {
        return true;
      }
    }
    return false;
  }

  private Response approve(AuthorizationSession session, PendingAuthorization pending,
      AuthorizationSession.Login login) {
    consents.grant(login.subject(), pending.clientId(), pending.backend(), pending.scope(),
        pending.redirectUri(), login.sealedCredential(), login.expiresAt());
    String code = tokens.issueCode(pending.clientId(), pending.redirectUri(),
        pending.codeChallenge(), login.subject(), pending.backend(), pending.scope());
    if (configuration.backend(pending.backend()).orElseThrow().auth()
        instanceof UpstreamAuth.OAuth2) {
      // An IdP login is used for one authorization (ADR 0020): kept in the session, its token
      // set could later replace a newer one (refreshed, its refresh token rotated) in storage.
      session.forget(pending.backend());
    }
    return seeOther(ClientRedirect.location(pending.redirectUri(), pending.state(),
        OAuthUris.issuer(configuration), Map.of("code", code)));
  }

  /** How an invalid request of a known client with a matching redirect URI is answered. */
  private record Refusal(String redirectUri, String state, String issuer, boolean redirect) {

    Response of(String error, String description) {
      if (redirect) {
        return seeOther(ClientRedirect.error(redirectUri, state, issuer, error, description));
      }
      return Pages.error("The application's request cannot be accepted (" + error + ": "
          + description + ").");
    }

    Response unavailable(String description, String backend) {
      if (redirect) {
        return seeOther(ClientRedirect.error(redirectUri, state, issuer,
            "temporarily_unavailable", description));
      }
      return Pages.unavailable(backend);
    }
  }

  private Optional<BackendDefinition> backend(String resource, String scope) {
    Optional<BackendDefinition> byResource = resource == null ? Optional.empty()
        : Resources.backend(configuration, resource);
    if (resource != null && byResource.isEmpty()) {
      return Optional.empty();
    }
    List<BackendDefinition> byScope = configuration.backends().stream()
        .filter(b -> Scopes.parse(scope).contains(OAuthUris.scope(b))).toList();
    if (byResource.isPresent()) {
      boolean conflicting = byScope.stream().anyMatch(b -> !b.equals(byResource.get()));
      return conflicting ? Optional.empty() : byResource;
    }
    return byScope.size() == 1 ? Optional.of(byScope.get(0)) : Optional.empty();
  }

  private static String redirectUri(RegisteredClient client, MultivaluedMap<String, String> query) {
    if (duplicated(query, "redirect_uri")) {
      return null;
    }
    String requested = single(query, "redirect_uri");
    List<String> registered = client.redirectUris();
    if (requested == null) {
      return registered.size() == 1 ? registered.get(0) : null;
    }
    return registered.stream().anyMatch(r -> RedirectUris.matches(r, requested)) ? requested : null;
  }

  static Response seeOther(URI location) {
    return Pages.secure(Response.seeOther(location)).build();
  }

  private static String single(MultivaluedMap<String, String> query, String name) {
    List<String> values = query.get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  private static boolean duplicated(MultivaluedMap<String, String> query, String name) {
    List<String> values = query.get(name);
    return values != null && values.size() > 1;
  }
}
