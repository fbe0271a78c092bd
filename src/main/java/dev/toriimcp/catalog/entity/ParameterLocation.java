package dev.toriimcp.catalog.entity;

/** Where an OpenAPI parameter goes in the HTTP request ({@code in}). */
public enum ParameterLocation {
  PATH, QUERY, HEADER, COOKIE;

  /** The OpenAPI {@code in} value. */
  public String wire() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
