package dev.toriimcp.login.entity;

import jakarta.security.enterprise.credential.Credential;
import java.time.Instant;

/**
 * A user's username and password for one backend, given to Jakarta Security. After validation it
 * also carries what the backend returned: the upstream credential (to be sealed at once) or why
 * the login service could not answer. {@link #clear()} drops the password; {@link #toString()}
 * never shows it.
 */
public final class BackendLoginCredential implements Credential {

  private final String backend;
  private final String username;
  private char[] password;
  private String upstreamToken;
  private Instant upstreamExpiresAt;
  private String unavailable;

  public BackendLoginCredential(String backend, String username, String password) {
    this.backend = backend;
    this.username = username;
    this.password = password == null ? new char[0] : password.toCharArray();
  }

  public String backend() {
    return backend;
  }

  public String username() {
    return username;
  }

  public String password() {
    return new String(password);
  }

  public void succeeded(String token, Instant expiresAt) {
    this.upstreamToken = token;
    this.upstreamExpiresAt = expiresAt;
  }

  public void unavailable(String reason) {
    this.unavailable = reason;
  }

  public String upstreamToken() {
    return upstreamToken;
  }

  public Instant upstreamExpiresAt() {
    return upstreamExpiresAt;
  }

  /** Why the backend's login service could not decide, or {@code null}. */
  public String unavailableReason() {
    return unavailable;
  }

  @Override
  public void clear() {
    java.util.Arrays.fill(password, '\0');
    password = new char[0];
  }

  @Override
  public boolean isCleared() {
    return password.length == 0;
  }

  @Override
  public String toString() {
    return "BackendLoginCredential[" + backend + ", " + username + "]";
  }
}
