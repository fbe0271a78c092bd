package dev.toriimcp.catalog.entity;

/** An operation of the spec that did not become a tool, and why. */
public record SkippedOperation(String method, String path, String reason) {

  @Override
  public String toString() {
    return method + " " + path + ": " + reason;
  }
}
