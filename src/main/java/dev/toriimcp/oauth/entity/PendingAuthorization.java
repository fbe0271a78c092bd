package dev.toriimcp.oauth.entity;

import java.io.Serializable;

/**
 * A validated authorization request waiting for the user's login and consent.
 *
 * @param preRegistered the client comes from the gateway's configuration, so its redirect URIs
 *     were chosen by the operator and may be redirected to without a click (RFC 9700 §4.11.2)
 * @param confirmEveryTime a public client with a loopback or private-use redirect URI: any local
 *     process can claim those, so an earlier consent is never reused (RFC 8252 §8.6)
 */
public record PendingAuthorization(String clientId, String clientName, String redirectUri,
    String state, String codeChallenge, String backend, String scope, boolean preRegistered,
    boolean confirmEveryTime) implements Serializable {}
