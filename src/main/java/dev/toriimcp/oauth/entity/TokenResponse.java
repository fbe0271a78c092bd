package dev.toriimcp.oauth.entity;

/** A successful token endpoint response (RFC 6749 §5.1); the refresh token may be null. */
public record TokenResponse(String accessToken, long expiresIn, String scope, String refreshToken) {

  @Override
  public String toString() {
    return "TokenResponse[expiresIn=" + expiresIn + ", scope=" + scope + "]";
  }
}
