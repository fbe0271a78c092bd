package dev.toriimcp.oauth.entity;

/**
 * An OAuth error response (RFC 6749 §5.2, RFC 7591 §3.2.2, RFC 8707 §2). Descriptions are short
 * and generic: details go to the log, never a token or a stack trace to the client.
 */
public record OAuthError(String code, String description, int status) {

  public static OAuthError invalidRequest(String description) {
    return new OAuthError("invalid_request", description, 400);
  }

  public static OAuthError invalidClient(String description) {
    return new OAuthError("invalid_client", description, 401);
  }

  public static OAuthError invalidGrant(String description) {
    return new OAuthError("invalid_grant", description, 400);
  }

  public static OAuthError unsupportedGrantType() {
    return new OAuthError("unsupported_grant_type", "grant_type must be authorization_code or"
        + " refresh_token", 400);
  }

  public static OAuthError invalidScope(String description) {
    return new OAuthError("invalid_scope", description, 400);
  }

  public static OAuthError invalidTarget(String description) {
    return new OAuthError("invalid_target", description, 400);
  }

  public static OAuthError invalidClientMetadata(String description) {
    return new OAuthError("invalid_client_metadata", description, 400);
  }

  public static OAuthError invalidRedirectUri(String description) {
    return new OAuthError("invalid_redirect_uri", description, 400);
  }

  public static OAuthError temporarilyUnavailable() {
    return new OAuthError("temporarily_unavailable", "try again later", 503);
  }

  /**
   * A per-address limit refused the request (RFC 6585 §4: 429). RFC 7591 has no error code for
   * it; {@code temporarily_unavailable} (RFC 6749 §4.1.2.1) is the one OAuth clients know.
   */
  public static OAuthError tooManyRequests(String description) {
    return new OAuthError("temporarily_unavailable", description, 429);
  }
}
