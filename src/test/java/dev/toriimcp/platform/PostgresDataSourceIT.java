package dev.toriimcp.platform;

import static org.assertj.core.api.Assertions.assertThat;

import dev.toriimcp.testing.GatewayProcess;
import dev.toriimcp.testing.PostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Switching storage to a server-managed pool takes one setting: a JDBC pool and resource defined
 * in the server (here by asadmin commands, as an administrator would in the admin console) and its
 * JNDI name in {@code storage.datasource}. The gateway then migrates and uses that PostgreSQL.
 */
class PostgresDataSourceIT {

  @Test
  void runsOnAServerManagedPostgreSqlPool() throws Exception {
    try (PostgresServer postgres = PostgresServer.start()) {
      Path directory = Files.createDirectories(Path.of("target/it-config"));
      Path commands = Files.writeString(directory.resolve("postgres-pool.asadmin"), String.join("\n",
          "create-jdbc-connection-pool --datasourceclassname org.postgresql.ds.PGSimpleDataSource"
              + " --restype javax.sql.DataSource --property serverName=127.0.0.1:portNumber="
              + postgres.port() + ":databaseName=postgres:user=torii:password=unused-trust-auth torii-pool",
          "create-jdbc-resource --connectionpoolid torii-pool jdbc/torii", ""));
      Path config = Files.writeString(directory.resolve("postgres.yaml"), """
          public_url: ${TORII_PUBLIC_URL}
          backends:
            - name: demo
              spec_url: ../../examples/demo/openapi.yaml
          storage:
            datasource: jdbc/torii
          """);
      Path driver = Path.of(org.postgresql.Driver.class.getProtectionDomain().getCodeSource()
          .getLocation().toURI());

      try (GatewayProcess gateway = GatewayProcess.start("postgres-datasource", config, Map.of(),
          List.of("--addlibs", driver.toString(), "--postbootcommandfile", commands.toString()))) {
        String health = gateway.awaitReady(Duration.ofSeconds(120)).body();
        assertThat(health).contains("\"status\":\"UP\"").contains("DataSource jdbc/torii");
        gateway.stop(Duration.ofSeconds(60));
      }

      try (Connection connection = postgres.connect();
          Statement statement = connection.createStatement();
          ResultSet rows = statement.executeQuery(
              "SELECT COUNT(*) FROM platform_startup WHERE backend_count = 1")) {
        rows.next();
        assertThat(rows.getInt(1)).as("start recorded in PostgreSQL").isEqualTo(1);
      }
    }
  }
}
