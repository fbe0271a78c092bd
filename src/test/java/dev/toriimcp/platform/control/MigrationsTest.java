package dev.toriimcp.platform.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.toriimcp.sealing.control.Keyring;
import dev.toriimcp.sealing.control.Sealer;
import dev.toriimcp.sealing.entity.SealingKey;
import dev.toriimcp.testing.PostgresServer;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The same Liquibase changelog must apply to the embedded default (Derby) and to the production
 * database we document (PostgreSQL), and a second run must change nothing.
 */
class MigrationsTest {

  @Test
  void appliesToDerbyTwice() throws Exception {
    String url = "jdbc:derby:memory:migrations-test;create=true";
    try (Connection connection = DriverManager.getConnection(url)) {
      verifyAppliesTwice(connection);
    } finally {
      shutdownDerby("jdbc:derby:memory:migrations-test;drop=true");
    }
  }

  @Test
  void appliesToAFreshPostgreSqlTwice() throws Exception {
    try (PostgresServer postgres = PostgresServer.start();
        Connection connection = postgres.connect()) {
      verifyAppliesTwice(connection);
    }
  }

  @Test
  void nodesMigratingOneEmptyPostgreSqlAtOnceAllSucceed() throws Exception {
    try (PostgresServer postgres = PostgresServer.start()) {
      for (int round = 0; round < 6; round++) {
        String database = "race" + round;
        try (Connection admin = postgres.connect(); Statement statement = admin.createStatement()) {
          statement.execute("CREATE DATABASE " + database);
        }
        PGSimpleDataSource pool = new PGSimpleDataSource();
        pool.setUrl(postgres.jdbcUrl().replaceAll("/postgres$", "/" + database));
        pool.setUser(postgres.user());
        CyclicBarrier start = new CyclicBarrier(3);
        ExecutorService nodes = Executors.newFixedThreadPool(3);
        try {
          List<Future<?>> migrations = new ArrayList<>();
          for (int node = 0; node < 3; node++) {
            migrations.add(nodes.submit(() -> {
              start.await();
              Migrations.apply(pool);
              return null;
            }));
          }
          for (Future<?> migration : migrations) {
            migration.get(120, TimeUnit.SECONDS); // throws if one node's migration failed
          }
        } finally {
          nodes.shutdownNow();
        }
        try (Connection connection = pool.getConnection();
            Statement statement = connection.createStatement();
            ResultSet rows = statement.executeQuery("SELECT COUNT(*) FROM databasechangelog")) {
          rows.next();
          assertThat(rows.getInt(1)).as("every changeset once, round " + round)
              .isEqualTo(changesets());
        }
      }
    }
  }

  private static int changesets() throws Exception {
    try (Connection connection = DriverManager.getConnection(
        "jdbc:derby:memory:count-changesets;create=true")) {
      Migrations.apply(connection);
      try (Statement statement = connection.createStatement();
          ResultSet rows = statement.executeQuery("SELECT COUNT(*) FROM databasechangelog")) {
        rows.next();
        int count = rows.getInt(1);
        commitIfNeeded(connection);
        return count;
      }
    } finally {
      shutdownDerby("jdbc:derby:memory:count-changesets;drop=true");
    }
  }

  @Test
  void theKeyIdOfExistingCredentialsIsFilledFromTheirSealedValue() throws Exception {
    String url = "jdbc:derby:memory:migrations-key-id;create=true";
    try (Connection connection = DriverManager.getConnection(url)) {
      Migrations.apply(connection, "liquibase/changelog-until-0003.yaml");
      commitIfNeeded(connection);
      connection.setAutoCommit(true);
      String sealed = new Sealer(new Keyring(List.of(new SealingKey("old-key", new byte[32])), null))
          .seal("secret".getBytes(java.nio.charset.StandardCharsets.UTF_8), "demo", "alice");
      try (PreparedStatement insert = connection.prepareStatement("INSERT INTO upstream_credential"
          + " (subject, backend, sealed, updated_at) VALUES (?, 'demo', ?, ?)")) {
        for (String[] row : new String[][] {{"alice", sealed}, {"bob", "not a sealed value"}}) {
          insert.setString(1, row[0]);
          insert.setString(2, row[1]);
          insert.setTimestamp(3, Timestamp.from(Instant.now()));
          insert.executeUpdate();
        }
      }

      Migrations.apply(connection);
      commitIfNeeded(connection);

      connection.setAutoCommit(true);
      try (Statement statement = connection.createStatement();
          ResultSet rows = statement.executeQuery(
              "SELECT subject, key_id FROM upstream_credential ORDER BY subject")) {
        List<String> found = new ArrayList<>();
        while (rows.next()) {
          found.add(rows.getString(1) + "=" + rows.getString(2));
        }
        assertThat(found).containsExactly("alice=old-key", "bob=?");
      }
      assertThat(columns(connection, "oauth_refresh_token")).contains("successor_sealed");
    } finally {
      shutdownDerby("jdbc:derby:memory:migrations-key-id;drop=true");
    }
  }

  private static void verifyAppliesTwice(Connection connection) throws SQLException {
    Migrations.apply(connection);
    commitIfNeeded(connection);
    int applied = count(connection, "databasechangelog");

    Migrations.apply(connection);
    commitIfNeeded(connection);

    assertThat(applied).as("changesets applied").isPositive();
    assertThat(count(connection, "databasechangelog")).as("after a second run").isEqualTo(applied);
    assertThat(columns(connection, "platform_startup"))
        .containsExactlyInAnyOrder("id", "started_at", "gateway_version", "backend_count");
    for (String table : List.of("oauth_client", "oauth_authorization_code", "oauth_access_token",
        "oauth_refresh_token", "oauth_consent", "upstream_credential", "mcp_session")) {
      assertThat(columns(connection, table)).as(table).isNotEmpty();
    }
    assertThat(columns(connection, "oauth_access_token")).contains("token_hash")
        .doesNotContain("token", "access_token");
    // The identity column generates keys on both databases.
    connection.setAutoCommit(true);
    try (PreparedStatement insert = connection.prepareStatement(
        "INSERT INTO platform_startup (started_at, gateway_version, backend_count) VALUES (?, ?, ?)")) {
      insert.setTimestamp(1, Timestamp.from(Instant.now()));
      insert.setString(2, "test");
      insert.setInt(3, 1);
      assertThat(insert.executeUpdate()).isEqualTo(1);
    }
    assertThat(count(connection, "platform_startup")).isEqualTo(1);
  }

  private static void commitIfNeeded(Connection connection) throws SQLException {
    if (!connection.getAutoCommit()) {
      connection.commit();
    }
  }

  private static int count(Connection connection, String table) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT COUNT(*) FROM " + table)) {
      rows.next();
      return rows.getInt(1);
    }
  }

  private static List<String> columns(Connection connection, String table) throws SQLException {
    DatabaseMetaData metaData = connection.getMetaData();
    List<String> names = new ArrayList<>();
    for (String candidate : List.of(table, table.toUpperCase(Locale.ROOT))) {
      try (ResultSet columns = metaData.getColumns(null, null, candidate, null)) {
        while (columns.next()) {
          names.add(columns.getString("COLUMN_NAME").toLowerCase(Locale.ROOT));
        }
      }
    }
    return names;
  }

  private static void shutdownDerby(String url) {
    try {
      DriverManager.getConnection(url).close();
    } catch (SQLException expected) {
      // Derby reports a dropped in-memory database with SQLState 08006.
    }
  }
}
