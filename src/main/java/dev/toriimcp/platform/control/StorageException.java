package dev.toriimcp.platform.control;

/**
 * The database cannot be opened or migrated. Carries an operator-facing message; the cause is kept
 * for the server log only.
 */
public class StorageException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public StorageException(String message, Throwable cause) {
    super(message, cause);
  }
}
