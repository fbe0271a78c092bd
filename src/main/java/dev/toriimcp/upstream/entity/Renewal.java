package dev.toriimcp.upstream.entity;

/**
 * What renewing a user's {@code oauth2} credential came to (ADR 0021): new tokens (or the ones
 * another call, on this node or another, stored meanwhile), the user must sign in again (the
 * provider refused the refresh token with {@code invalid_grant}, or there is none), or the
 * provider cannot be used now (the user's grant survives).
 */
public sealed interface Renewal {

  /** The tokens to use; {@link BrokeredTokens#toString} shows no secret. */
  record Renewed(BrokeredTokens tokens) implements Renewal {}

  /** No usable credential remains: the client runs authorization again. */
  record SignInAgain() implements Renewal {}

  /** The provider is unreachable or refused the gateway itself; the reason is for the log. */
  record Unavailable(String reason) implements Renewal {}
}
