package dev.toriimcp.catalog.entity;

import dev.toriimcp.configuration.entity.BackendDefinition;
import java.util.Objects;

/**
 * One backend as the gateway serves it: its definition and the catalog compiled from it, always
 * read together so that a reload can never pair one configuration's definition with another's
 * catalog.
 */
public record ServedBackend(BackendDefinition definition, BackendCatalog catalog) {

  public ServedBackend {
    Objects.requireNonNull(definition, "definition");
    Objects.requireNonNull(catalog, "catalog");
  }
}
