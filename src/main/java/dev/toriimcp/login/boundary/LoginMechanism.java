package dev.toriimcp.login.boundary;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.security.enterprise.AuthenticationStatus;
import jakarta.security.enterprise.authentication.mechanism.http.AutoApplySession;
import jakarta.security.enterprise.authentication.mechanism.http.HttpAuthenticationMechanism;
import jakarta.security.enterprise.authentication.mechanism.http.HttpMessageContext;
import jakarta.security.enterprise.credential.Credential;
import jakarta.security.enterprise.identitystore.CredentialValidationResult;
import jakarta.security.enterprise.identitystore.IdentityStoreHandler;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The application's one HTTP authentication mechanism (EE 10 allows one; stack notes §7). It acts
 * only when the login-broker page calls {@code SecurityContext.authenticate} with a credential:
 * then it asks the identity stores and, on success, establishes the caller for the HTTP session.
 * Requests without such a call pass untouched (MCP requests carry bearer tokens, checked by the
 * MCP endpoint).
 */
@ApplicationScoped
@AutoApplySession
public class LoginMechanism implements HttpAuthenticationMechanism {

  @Inject IdentityStoreHandler identityStores;

  @Override
  public AuthenticationStatus validateRequest(HttpServletRequest request,
      HttpServletResponse response, HttpMessageContext context) {
    Credential credential = context.getAuthParameters() == null ? null
        : context.getAuthParameters().getCredential();
    if (credential == null) {
      return context.doNothing();
    }
    CredentialValidationResult result = identityStores.validate(credential);
    if (result.getStatus() == CredentialValidationResult.Status.VALID) {
      return context.notifyContainerAboutLogin(result);
    }
    // The login page renders the failure itself; nothing is written here.
    return AuthenticationStatus.SEND_FAILURE;
  }
}
