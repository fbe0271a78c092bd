package dev.toriimcp.configuration.entity;

import java.nio.file.Path;

/**
 * Where the gateway keeps its state.
 *
 * @param dataSource JNDI name of a server-managed DataSource (for example a PostgreSQL pool
 *     defined in the admin console); {@code null} selects the embedded Derby default
 * @param derbyDirectory directory of the embedded Derby database; used only when {@code
 *     dataSource} is {@code null}
 * @param shared whether several gateway nodes use this database as one gateway (ADR 0034): then
 *     no node trusts a copy of what another node may change (tokens, sessions) and the per-user
 *     call limit and cancellations go through the database
 */
public record StorageSettings(String dataSource, Path derbyDirectory, boolean shared) {

  public static final Path DEFAULT_DERBY_DIRECTORY = Path.of("torii-data");

  /** One node's storage: embedded Derby in {@code derbyDirectory}, or {@code dataSource}. */
  public StorageSettings(String dataSource, Path derbyDirectory) {
    this(dataSource, derbyDirectory, false);
  }

  public boolean embedded() {
    return dataSource == null;
  }
}
