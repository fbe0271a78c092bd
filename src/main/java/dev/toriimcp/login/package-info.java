/**
 * Signing users in to a backend through Jakarta Security: the login-broker page hands the
 * backend's username and password as a {@link dev.toriimcp.login.entity.BackendLoginCredential}
 * to the {@code IdentityStoreHandler}, and {@link dev.toriimcp.login.control.BackendIdentityStore}
 * verifies the user against the backend's own login endpoint. The signed-in user lives in the
 * authorization session, not in a container login: there is deliberately no
 * {@code HttpAuthenticationMechanism}, because the container would then run its JASPIC bridge on
 * every request, the MCP endpoint included (ADR 0009). Bearer tokens are checked by the MCP
 * endpoint itself.
 */
package dev.toriimcp.login;
