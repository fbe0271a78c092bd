package dev.toriimcp.oauth.entity;

/** What a valid access token allows: this user, through this client, on this backend. */
public record AccessGrant(String subject, String clientId, String backend, String scope) {}
