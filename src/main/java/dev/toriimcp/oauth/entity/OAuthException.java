package dev.toriimcp.oauth.entity;

/** Carries an {@link OAuthError} to {@code OAuthExceptionMapper}. */
public class OAuthException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final transient OAuthError error;

  public OAuthException(OAuthError error) {
    super(error.code() + ": " + error.description(), null, false, false);
    this.error = error;
  }

  public OAuthError error() {
    return error;
  }
}
