package dev.toriimcp.login.control;

import dev.toriimcp.configuration.control.LiveConfiguration;
import dev.toriimcp.configuration.entity.BackendDefinition;
import dev.toriimcp.login.entity.BackendLoginCredential;
import dev.toriimcp.upstream.control.UpstreamLogin;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.security.enterprise.identitystore.CredentialValidationResult;
import jakarta.security.enterprise.identitystore.IdentityStore;
import java.util.Optional;
import java.util.Set;

/**
 * Jakarta Security identity store that verifies a user against the backend's own login endpoint
 * (the login-broker). The caller's groups are {@code user}; the caller name is the backend
 * username.
 */
@ApplicationScoped
public class BackendIdentityStore implements IdentityStore {

  public static final String GROUP = "user";

  @Inject LiveConfiguration live;

  private final UpstreamLogin login = new UpstreamLogin();

  /** Called by the default {@link IdentityStore#validate} for this credential type. */
  public CredentialValidationResult validate(BackendLoginCredential credential) {
    Optional<BackendDefinition> backend = live.current().backend(credential.backend());
    if (backend.isEmpty()) {
      return CredentialValidationResult.INVALID_RESULT;
    }
    try {
      Optional<UpstreamLogin.Credential> result =
          login.login(backend.get(), credential.username(), credential.password());
      if (result.isEmpty()) {
        return CredentialValidationResult.INVALID_RESULT;
      }
      credential.succeeded(result.get().token(), result.get().expiresAt());
      return new CredentialValidationResult(credential.username(), Set.of(GROUP));
    } catch (UpstreamLogin.UnavailableException e) {
      credential.unavailable(e.getMessage());
      return CredentialValidationResult.NOT_VALIDATED_RESULT;
    } finally {
      credential.clear();
    }
  }

  @Override
  public Set<ValidationType> validationTypes() {
    return Set.of(ValidationType.VALIDATE);
  }
}
