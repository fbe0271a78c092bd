package dev.toriimcp.sealing.entity;

/** A value cannot be sealed or opened. The message never contains plaintext or key material. */
public class SealingException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public SealingException(String message) {
    super(message, null, false, false);
  }
}
