package dev.toriimcp.platform.control;

import dev.toriimcp.configuration.control.JndiLookup;
import dev.toriimcp.configuration.entity.StorageSettings;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.EntityTransaction;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.apache.derby.jdbc.EmbeddedDataSource;
import org.eclipse.persistence.jpa.PersistenceProvider;

/**
 * The gateway's database: resolves the DataSource (embedded Derby by default, or a server-managed
 * pool by JNDI name), applies the Liquibase changelogs, then opens the JPA persistence unit on the
 * same DataSource. Work runs in resource-local transactions through {@link #inTransaction}.
 *
 * <p>The persistence unit is application-managed so that the DataSource can be chosen at runtime
 * from {@code mcp-proxy.yaml}, identically on every server (ADR 0002). The provider is the
 * EclipseLink in the WAR, instantiated directly, so no server's provider resolver picks another
 * one (ADR 0027).
 */
@ApplicationScoped
public class Storage {

  static final String PERSISTENCE_UNIT = "torii";
  static final String PERSISTENCE_XML = "META-INF/torii-persistence.xml";
  private static final String DERBY_DATABASE = "derby";
  private static final Logger LOG = Logger.getLogger(Storage.class.getName());

  private DataSource dataSource;
  private EmbeddedDataSource embedded;
  private EntityManagerFactory entityManagerFactory;
  private String description;
  private boolean shared;

  /** Opens and migrates the database. Called once, at deployment. */
  public synchronized void open(StorageSettings settings) {
    if (entityManagerFactory != null) {
      throw new IllegalStateException("storage is already open");
    }
    if (settings.embedded()) {
      embedded = embeddedDerby(settings.derbyDirectory());
      open(embedded, "embedded Derby at " + settings.derbyDirectory().toAbsolutePath().normalize(),
          settings.shared());
    } else {
      open(lookup(settings.dataSource()), "DataSource " + settings.dataSource(), settings.shared());
    }
  }

  /** Opens and migrates {@code source}; tests use it for a pool they made themselves. */
  synchronized void open(DataSource source, String what, boolean sharedByNodes) {
    dataSource = source;
    shared = sharedByNodes;
    description = shared ? what + ", shared by several nodes" : what;
    checkConnection();
    Migrations.apply(dataSource);
    entityManagerFactory = new PersistenceProvider().createEntityManagerFactory(PERSISTENCE_UNIT,
        Map.of(
            "eclipselink.persistencexml", PERSISTENCE_XML,
            "jakarta.persistence.nonJtaDataSource", dataSource,
            "eclipselink.classloader", Storage.class.getClassLoader(),
            // EclipseLink's shared cache would serve one node a row another node has changed
            // (a revoked token, an ended session): with several nodes, every read goes to the
            // database (ADR 0034).
            "eclipselink.cache.shared.default", String.valueOf(!shared)));
    if (entityManagerFactory == null) {
      throw new StorageException("EclipseLink found no persistence unit " + PERSISTENCE_UNIT
          + " in " + PERSISTENCE_XML, null);
    }
    // Fail now, at deployment, rather than on the first request.
    entityManagerFactory.createEntityManager().close();
    LOG.info(() -> "torii-mcp JPA provider: EclipseLink " + org.eclipse.persistence.Version.getVersion()
        + " (" + org.eclipse.persistence.Version.getBuildDate() + ")");
  }

  /**
   * Whether several gateway nodes share this database ({@code storage.shared}): then no node may
   * keep its own copy of state another node can change, and node-spanning work (the per-user
   * call limit, cancellations) goes through the database (ADR 0034).
   */
  public boolean shared() {
    return shared;
  }

  /** A human-readable description of where data lives, for logs and /health. */
  public String description() {
    return description;
  }

  /** Runs {@code work} in one transaction: committed if it returns, rolled back if it throws. */
  public <T> T inTransaction(Function<EntityManager, T> work) {
    EntityManager entityManager = entityManagerFactory.createEntityManager();
    EntityTransaction transaction = entityManager.getTransaction();
    try {
      transaction.begin();
      T result = work.apply(entityManager);
      transaction.commit();
      return result;
    } finally {
      if (transaction.isActive()) {
        transaction.rollback();
      }
      entityManager.close();
    }
  }

  /**
   * Runs a read outside any transaction: no {@code BEGIN} and {@code COMMIT} around it, one round
   * trip to the database per query. For the reads of every request (a token, a session), which
   * with several nodes go to the database each time (ADR 0034).
   */
  public <T> T read(Function<EntityManager, T> work) {
    EntityManager entityManager = entityManagerFactory.createEntityManager();
    try {
      return work.apply(entityManager);
    } finally {
      entityManager.close();
    }
  }

  /** Work with one JDBC connection; a {@link SQLException} becomes a {@link StorageException}. */
  @FunctionalInterface
  public interface ConnectionWork<T> {
    T run(Connection connection) throws SQLException;
  }

  /**
   * Runs {@code work} on a connection of the pool in auto-commit mode, for the few single
   * statements on the tool-call path that JPA would only slow down (ADR 0034).
   */
  public <T> T withConnection(ConnectionWork<T> work) {
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(true);
      return work.run(connection);
    } catch (SQLException e) {
      throw new StorageException("database statement failed: " + e.getSQLState(), e);
    }
  }

  /**
   * Closes JPA and, for embedded Derby, shuts the database down so that its files are consistent
   * and a redeploy in the same JVM can boot it again (otherwise Derby reports XSDB6).
   */
  @PreDestroy
  synchronized void close() {
    if (entityManagerFactory != null && entityManagerFactory.isOpen()) {
      entityManagerFactory.close();
    }
    entityManagerFactory = null;
    if (embedded != null) {
      embedded.setShutdownDatabase("shutdown");
      try (Connection ignored = embedded.getConnection()) {
        LOG.warning("Derby did not confirm the shutdown of " + description);
      } catch (SQLException expected) {
        // Derby signals a clean database shutdown with SQLState 08006.
        if (!"08006".equals(expected.getSQLState())) {
          LOG.log(Level.WARNING, "Derby shutdown of " + description + " failed", expected);
        }
      }
      embedded = null;
    }
    LOG.info(() -> "torii-mcp storage closed: " + description);
  }

  private static EmbeddedDataSource embeddedDerby(Path directory) {
    Path absolute = directory.toAbsolutePath().normalize();
    try {
      Files.createDirectories(absolute);
    } catch (IOException e) {
      throw new StorageException("cannot create the data directory " + absolute + ": "
          + e.getClass().getSimpleName(), e);
    }
    if (System.getProperty("derby.stream.error.file") == null) {
      // Keep derby.log with the data instead of in whatever the working directory is.
      System.setProperty("derby.stream.error.file", absolute.resolve("derby.log").toString());
    }
    EmbeddedDataSource derby = new EmbeddedDataSource();
    derby.setDatabaseName(absolute.resolve(DERBY_DATABASE).toString());
    derby.setCreateDatabase("create");
    return derby;
  }

  private static DataSource lookup(String name) {
    Object found = JndiLookup.object(name).orElseThrow(() -> new StorageException(
        "no DataSource is bound to the JNDI name " + name + " (storage.datasource; also tried"
            + " java:comp/env/" + name + "); define the pool and its JNDI resource in the server",
        null));
    if (found instanceof DataSource source) {
      return source;
    }
    throw new StorageException("JNDI name " + name + " (storage.datasource) is bound to a "
        + found.getClass().getName() + ", not a javax.sql.DataSource", null);
  }

  private void checkConnection() {
    try (Connection connection = dataSource.getConnection()) {
      connection.isValid(5);
    } catch (SQLException e) {
      String reason = e.getMessage();
      SQLException next = e.getNextException();
      if (next != null && "XSDB6".equals(next.getSQLState())) {
        reason = "another process is already using it (is a second gateway running on the same"
            + " data directory?)";
      }
      throw new StorageException("cannot open the database (" + description + "): " + reason, e);
    }
  }
}
