package dev.toriimcp.oauth.entity;

import java.io.Serializable;

/** A validated authorization request waiting for the user's login and consent. */
public record PendingAuthorization(String clientId, String clientName, String redirectUri,
    String state, String codeChallenge, String backend, String scope) implements Serializable {}
