package dev.toriimcp.configuration.entity;

import java.nio.file.Path;

/**
 * Where the gateway keeps its state.
 *
 * @param dataSource JNDI name of a server-managed DataSource (for example a PostgreSQL pool
 *     defined in the admin console); {@code null} selects the embedded Derby default
 * @param derbyDirectory directory of the embedded Derby database; used only when {@code
 *     dataSource} is {@code null}
 */
public record StorageSettings(String dataSource, Path derbyDirectory) {

  public static final Path DEFAULT_DERBY_DIRECTORY = Path.of("torii-data");

  public boolean embedded() {
    return dataSource == null;
  }
}
