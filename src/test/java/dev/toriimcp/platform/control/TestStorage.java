package dev.toriimcp.platform.control;

import dev.toriimcp.configuration.entity.StorageSettings;
import dev.toriimcp.testing.PostgresServer;
import java.nio.file.Path;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A real {@link Storage} for unit tests: embedded Derby in a fresh directory under {@code
 * target/}, migrated by the same changelogs, with the same JPA unit as the gateway.
 */
public final class TestStorage implements AutoCloseable {

  private final Storage storage = new Storage();

  private TestStorage(Path directory) {
    storage.open(new StorageSettings(null, directory));
  }

  private TestStorage(DataSource dataSource, boolean shared) {
    storage.open(dataSource, "test pool", shared);
  }

  /**
   * A {@link Storage} on the throw-away PostgreSQL {@code server}, migrated; each call is one
   * node's own pool and JPA unit, so two of them act as two nodes on one database.
   */
  public static TestStorage postgres(PostgresServer server, boolean shared) {
    PGSimpleDataSource dataSource = new PGSimpleDataSource();
    dataSource.setUrl(server.jdbcUrl());
    dataSource.setUser(server.user());
    return new TestStorage(dataSource, shared);
  }

  public static TestStorage open(String name) {
    return new TestStorage(Path.of("target", "unit-derby", name + "-" + System.nanoTime()));
  }

  /** The Derby database a stopped gateway left in {@code directory}, to look at its rows. */
  public static TestStorage existing(Path directory) {
    return new TestStorage(directory);
  }

  public Storage storage() {
    return storage;
  }

  @Override
  public void close() {
    storage.close();
  }
}
