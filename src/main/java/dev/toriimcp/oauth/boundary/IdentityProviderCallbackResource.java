package dev.toriimcp.oauth.boundary;

import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import dev.toriimcp.configuration.entity.BackendDefinition;
import dev.toriimcp.configuration.entity.GatewayConfiguration;
import dev.toriimcp.oauth.control.Consents;
import dev.toriimcp.oauth.control.LogSafe;
import dev.toriimcp.oauth.control.OAuthUris;
import dev.toriimcp.oauth.entity.PendingAuthorization;
import dev.toriimcp.sealing.control.Sealing;
import dev.toriimcp.upstream.control.IdentityProviderLogin;
import dev.toriimcp.upstream.control.IdentityProviderLogin.FailedException;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * The redirection endpoint of every {@code oauth2} backend ({@code /oauth/callback/<backend>},
 * RFC 6749 §3.1.2), where the backend's identity provider sends the user's browser back
 * (ADR 0020). The {@code state} must be one this browser session was sent with, for this
 * backend, not used before and not older than ten minutes: that binds the answer to the pending
 * MCP authorization and makes a callback planted by someone else worthless (RFC 9700 §4.7,
 * login CSRF). Then RFC 9207 {@code iss}, the code redemption with the gateway's PKCE verifier,
 * the ID token and the user's name; the provider's tokens are sealed at once and the flow goes
 * on exactly as after the login-broker page: the consent page, then the MCP code.
 *
 * <p>A failure before the pending request is known (no, unknown or used {@code state}) ends on
 * a page. After that every failure ends the request: the MCP client gets an OAuth error
 * ({@code access_denied} from the provider passes through; anything else is
 * {@code server_error} or {@code temporarily_unavailable} with a neutral description) when its
 * redirect URI is trusted, and otherwise the user sees a page with a link back. The provider's
 * own text goes only to the log, escaped.
 */
@Path("oauth/callback")
@RequestScoped
public class IdentityProviderCallbackResource {

  private static final Logger LOG =
      Logger.getLogger(IdentityProviderCallbackResource.class.getName());

  @Inject GatewayConfiguration configuration;
  @Inject Consents consents;
  @Inject Sealing sealing;
  @Inject IdentityProviderLogin providerLogin;

  @Context HttpServletRequest request;

  @GET
  @Path("{backend}")
  public Response callback(@PathParam("backend") String backendName, @Context UriInfo uri) {
    MultivaluedMap<String, String> query = uri.getQueryParameters();
    String state = single(query, "state");
    if (state == null) {
      return Pages.page(400, "Cannot continue", "<h1>Cannot continue</h1><p class=\"error\">The"
          + " identity provider's answer has no valid state.</p><p class=\"muted\">Return to the"
          + " application and start again.</p>");
    }
    AuthorizationSession session = AuthorizationSession.existing(request);
    AuthorizationSession.ProviderSignIn signIn = session == null ? null : session.takeSignIn(state);
    PendingAuthorization pending = signIn == null ? null : session.pending(signIn.requestId());
    if (pending == null) {
      return Pages.page(400, "Expired", "<h1>This sign-in has expired</h1><p class=\"error\">The"
          + " identity provider's answer does not belong to a sign-in started in this browser,"
          + " or it was used already.</p><p class=\"muted\">Return to the application and start"
          + " again.</p>");
    }
    Optional<BackendDefinition> backend = configuration.backend(signIn.backend());
    if (!signIn.backend().equals(backendName) || backend.isEmpty()) {
      return failed(session, signIn, pending, Outcome.MISMATCH,
          "the answer came to the callback of backend '" + backendName + "'");
    }
    String error = single(query, "error");
    if (error != null) {
      LOG.warning(() -> "backend '" + signIn.backend() + "': the identity provider answered "
          + LogSafe.text(error) + " (" + LogSafe.text(single(query, "error_description")) + ")");
      return failed(session, signIn, pending, switch (error) {
        case "access_denied" -> Outcome.DENIED;
        case "temporarily_unavailable" -> Outcome.UNAVAILABLE;
        default -> Outcome.INVALID;
      }, null);
    }
    String code = single(query, "code");
    IdentityProviderLogin.SignedIn signedIn;
    try {
      providerLogin.checkIssuer(backend.get(), single(query, "iss"));
      signedIn = providerLogin.complete(backend.get(), code,
          AuthorizationResource.callback(configuration, signIn.backend()),
          new CodeVerifier(signIn.verifier()), signIn.nonce());
    } catch (FailedException e) {
      return failed(session, signIn, pending, switch (e.kind()) {
        case MISMATCH -> Outcome.MISMATCH;
        case INVALID -> Outcome.INVALID;
        case REFUSED -> Outcome.REFUSED;
        case UNAVAILABLE -> Outcome.UNAVAILABLE;
      }, e.getMessage());
    }
    String sealed = sealing.sealer().seal(signedIn.tokens().toBytes(), signIn.backend(),
        signedIn.subject());
    // As after the login page: a new session id, a new CSRF token, only this request kept.
    request.changeSessionId();
    session.loggedIn(signIn.backend(), new AuthorizationSession.Login(signedIn.subject(), sealed,
        signedIn.tokens().expiresAt()), signIn.requestId());
    LOG.fine(() -> "backend '" + signIn.backend() + "': " + LogSafe.text(signedIn.subject())
        + " signed in at the identity provider");
    return AuthorizationResource.seeOther(URI.create(OAuthUris.endpoint(configuration,
        "/authorize/consent?request=" + ClientRedirect.encode(signIn.requestId()))));
  }

  /** How a failed sign-in ends: the page's status and text, and the MCP client's error. */
  private enum Outcome {
    DENIED(403, "You did not sign in", "The sign-in at %s was cancelled or refused.",
        "access_denied", "the user did not sign in at the backend's identity provider"),
    MISMATCH(400, "Cannot continue", "The answer of %s's sign-in service does not belong to this"
        + " sign-in.", "server_error",
        "the backend's identity provider answered for another sign-in"),
    INVALID(502, "Sign-in failed", "The answer of %s's sign-in service could not be verified.",
        "server_error", "the backend's identity provider gave an answer that cannot be used"),
    REFUSED(502, "Sign-in failed", "The sign-in service of %s did not complete the sign-in.",
        "server_error", "the backend's identity provider did not complete the sign-in"),
    UNAVAILABLE(503, "Sign-in unavailable", "The sign-in service of %s cannot be reached.",
        "temporarily_unavailable", "the backend's identity provider cannot be reached");

    final int status;
    final String title;
    final String message;
    final String error;
    final String description;

    Outcome(int status, String title, String message, String error, String description) {
      this.status = status;
      this.title = title;
      this.message = message;
      this.error = error;
      this.description = description;
    }
  }

  private Response failed(AuthorizationSession session, AuthorizationSession.ProviderSignIn signIn,
      PendingAuthorization pending, Outcome outcome, String reason) {
    if (reason != null) {
      LOG.warning(() -> "backend '" + signIn.backend() + "': sign-in at the identity provider"
          + " failed: " + LogSafe.text(reason));
    }
    session.take(signIn.requestId());
    URI toClient = ClientRedirect.error(pending.redirectUri(), pending.state(),
        OAuthUris.issuer(configuration), outcome.error, outcome.description);
    if (AuthorizationResource.trusted(consents, pending.preRegistered(), pending.clientId(),
        session)) {
      return AuthorizationResource.seeOther(toClient);
    }
    String client = pending.clientName() == null || pending.clientName().isBlank()
        ? "the application" : pending.clientName();
    return Pages.page(outcome.status, outcome.title, "<h1>" + Pages.escape(outcome.title)
        + "</h1><p class=\"error\">" + Pages.escape(String.format(outcome.message,
            signIn.backend())) + "</p><p class=\"muted\"><a id=\"return\" href=\""
        + Pages.escape(toClient.toString()) + "\">Tell " + Pages.escape(client) + "</a></p>");
  }

  private static String single(MultivaluedMap<String, String> query, String name) {
    List<String> values = query.get(name);
    return values == null || values.size() != 1 ? null : values.get(0);
  }
}
