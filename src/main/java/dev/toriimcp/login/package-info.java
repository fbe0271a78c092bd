/**
 * Signing users in to a backend through Jakarta Security: the login-broker page hands the
 * backend's username and password to {@code SecurityContext.authenticate} as a
 * {@link dev.toriimcp.login.entity.BackendLoginCredential}; the one authentication mechanism of the
 * application ({@link dev.toriimcp.login.boundary.LoginMechanism}, EE 10 allows one) asks the
 * identity stores, and {@link dev.toriimcp.login.control.BackendIdentityStore} verifies the user
 * against the backend's own login endpoint. Every other request passes untouched: bearer tokens
 * are checked by the MCP endpoint itself.
 */
package dev.toriimcp.login;
