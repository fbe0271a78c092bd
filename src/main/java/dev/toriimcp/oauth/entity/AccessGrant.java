package dev.toriimcp.oauth.entity;

/**
 * What a valid access token allows: this user, through this client, on this backend. {@code
 * grantId} names the authorization the token came from, shared by its refresh tokens.
 */
public record AccessGrant(String subject, String clientId, String backend, String scope,
    String grantId) {}
