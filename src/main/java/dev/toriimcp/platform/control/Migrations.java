package dev.toriimcp.platform.control;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import liquibase.Scope;
import liquibase.command.CommandScope;
import liquibase.command.core.UpdateCommandStep;
import liquibase.command.core.helpers.DbUrlConnectionArgumentsCommandStep;
import liquibase.database.Database;
import liquibase.database.DatabaseFactory;
import liquibase.database.jvm.JdbcConnection;
import liquibase.resource.ClassLoaderResourceAccessor;

/**
 * Applies the Liquibase changelogs under {@code liquibase/} (packaged into the WAR) to a
 * DataSource. The schema belongs to these changelogs alone; EclipseLink never generates DDL
 * (ADR 0002).
 */
public final class Migrations {

  public static final String MASTER_CHANGELOG = "liquibase/changelog-master.yaml";

  /** The advisory lock key of torii-mcp's migrations on PostgreSQL ("torii" in ASCII). */
  private static final long MIGRATION_LOCK = 0x746f726969L;

  private Migrations() {}

  /**
   * Applies the changelogs on a thread of their own: Liquibase keeps its scope manager in an
   * inheritable thread-local it never removes (liquibase/liquibase#6891), which would otherwise
   * stay on the server's deployment thread and every thread it starts, pinning the WAR's class
   * loader after undeploy. The thread ends with the migration, and the thread-local with it.
   */
  public static void apply(DataSource dataSource) {
    AtomicReference<RuntimeException> failure = new AtomicReference<>();
    Thread migration = new Thread(() -> {
      try {
        applyHere(dataSource);
      } catch (RuntimeException e) {
        failure.set(e);
      }
    }, "torii-migrations");
    migration.setContextClassLoader(Migrations.class.getClassLoader());
    migration.start();
    try {
      migration.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StorageException("interrupted while applying the database migrations", e);
    }
    if (failure.get() != null) {
      throw failure.get();
    }
  }

  /**
   * Nodes that start together on an empty database race to create Liquibase's own tables, which
   * it does before it takes its lock (liquibase/liquibase#5254): the loser's start failed with
   * "already exists". On PostgreSQL, the database several nodes share (ADR 0034), a session-level
   * advisory lock around the whole migration makes them take turns; the later ones then find
   * nothing left to apply.
   */
  private static void applyHere(DataSource dataSource) {
    try (Connection connection = dataSource.getConnection()) {
      boolean postgres = connection.getMetaData().getDatabaseProductName().equals("PostgreSQL");
      if (postgres) {
        advisoryLock(connection, "pg_advisory_lock");
      }
      try {
        apply(connection);
      } finally {
        if (postgres) {
          if (!connection.getAutoCommit()) {
            connection.rollback(); // whatever Liquibase left open, so the unlock can run
          }
          advisoryLock(connection, "pg_advisory_unlock");
        }
      }
      // Liquibase turns auto-commit off and may leave its last lock query's transaction open;
      // Derby refuses to close a connection in that state.
      if (!connection.getAutoCommit()) {
        connection.commit();
      }
    } catch (SQLException e) {
      throw new StorageException("cannot connect to the database to apply migrations: "
          + e.getMessage(), e);
    }
  }

  private static void advisoryLock(Connection connection, String function) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute("SELECT " + function + "(" + MIGRATION_LOCK + ")");
    }
    if (!connection.getAutoCommit()) {
      connection.commit();
    }
  }

  public static void apply(Connection connection) {
    apply(connection, MASTER_CHANGELOG);
  }

  /** Applies one changelog on the class path; tests use it to stop at an earlier changeset. */
  static void apply(Connection connection, String changelog) {
    ClassLoader loader = Migrations.class.getClassLoader();
    Map<String, Object> scope = Map.of(
        Scope.Attr.resourceAccessor.name(), new ClassLoaderResourceAccessor(loader),
        // Liquibase 4.30+ phones home by default; a gateway must not.
        "liquibase.analytics.enabled", Boolean.FALSE);
    try {
      Scope.child(scope, () -> {
        Database database = DatabaseFactory.getInstance()
            .findCorrectDatabaseImplementation(new JdbcConnection(connection));
        new CommandScope(UpdateCommandStep.COMMAND_NAME)
            .addArgumentValue(DbUrlConnectionArgumentsCommandStep.DATABASE_ARG, database)
            .addArgumentValue(UpdateCommandStep.CHANGELOG_FILE_ARG, changelog)
            .execute();
      });
    } catch (Exception e) {
      throw new StorageException("database migration failed: " + e.getMessage(), e);
    }
  }
}
