/**
 * The demo backend: a small notes API with its own username/password login, shipped as a separate
 * WAR ({@code /demo}) so that a new user has something real to point the gateway at. It is not
 * part of the gateway and the gateway never calls into it except over HTTP, as it would any
 * upstream. State is in memory and is lost on restart; users are fixed: {@code alice/wonderland}
 * and {@code bob/builder}.
 *
 * <p>The same notes API is also served under {@code /demo/api/oauth} for the access tokens of
 * the demo's own OpenID Connect provider, which this WAR starts on loopback (ADR 0022): the
 * example configuration's {@code demo-oauth} backend, for trying the {@code oauth2} login with
 * nothing to install.
 */
package dev.toriimcp.demo;
