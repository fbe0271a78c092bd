package dev.toriimcp.catalog.entity;

/** A backend's spec cannot be loaded; the message names the spec, the location and the reason. */
public class SpecLoadException extends Exception {

  private static final long serialVersionUID = 1L;

  public SpecLoadException(String message) {
    super(message, null, false, false);
  }
}
