package dev.toriimcp.upstream.entity;

import java.net.URI;

/**
 * The endpoints of a backend's identity provider, from its metadata or the configuration.
 *
 * @param issuer the issuer identifier, or {@code null} when the configuration names none
 * @param authorizationEndpoint where the user's browser is sent to sign in
 * @param tokenEndpoint where codes are redeemed and tokens refreshed
 * @param jwksUri the keys of ID token signatures, or {@code null}
 * @param userInfoEndpoint the OpenID Connect user-info endpoint, or {@code null}
 * @param issParameter whether the provider promises the RFC 9207 {@code iss} parameter in every
 *     authorization response
 */
public record IdentityProvider(URI issuer, URI authorizationEndpoint, URI tokenEndpoint,
    URI jwksUri, URI userInfoEndpoint, boolean issParameter) {}
