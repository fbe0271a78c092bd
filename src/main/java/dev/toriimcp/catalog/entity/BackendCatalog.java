package dev.toriimcp.catalog.entity;

/** The catalog state of one backend: compiled, or failed with a reason an operator can act on. */
public sealed interface BackendCatalog {

  String backend();

  /** The spec compiled; these are the backend's tools. */
  record Ready(ToolCatalog catalog) implements BackendCatalog {
    @Override
    public String backend() {
      return catalog.backend();
    }
  }

  /** The spec could not be loaded; {@code /mcp/<backend>} answers 503 with this reason. */
  record Failed(String backend, String reason) implements BackendCatalog {}
}
