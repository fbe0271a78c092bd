package dev.toriimcp.platform.control;

import dev.toriimcp.catalog.control.Catalogs;
import dev.toriimcp.oauth.control.Clients;
import dev.toriimcp.oauth.control.Purger;
import dev.toriimcp.configuration.control.ConfigurationLoader;
import dev.toriimcp.configuration.control.ConfigurationLocator;
import dev.toriimcp.configuration.control.LiveConfiguration;
import dev.toriimcp.configuration.entity.BackendDefinition;
import dev.toriimcp.configuration.entity.ConfigurationException;
import dev.toriimcp.configuration.entity.GatewayConfiguration;
import dev.toriimcp.platform.entity.StartupRecord;
import dev.toriimcp.upstream.control.SealedCredentials;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.Properties;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Brings the gateway up at deployment, in order: configuration, then storage (migrations
 * included), then the start-up record, then the tool catalogs (a backend whose spec fails is
 * reported and kept out; the others still start), then the sealed credentials' key rotation
 * (ADR 0017). Any failure stops the deployment, so the gateway is either
 * fully up or not serving at all; readiness turns UP only after the last step.
 */
@ApplicationScoped
public class GatewayStartup {

  private static final Logger LOG = Logger.getLogger(GatewayStartup.class.getName());

  /** Where start-up is; read by the readiness check. */
  public enum Phase { STARTING, READY, FAILED }

  @Inject Storage storage;
  @Inject Catalogs catalogs;
  @Inject dev.toriimcp.upstream.control.IdentityProviders identityProviders;
  @Inject Purger purger;
  @Inject Clients clients;
  @Inject SealedCredentials sealedCredentials;
  @Inject LiveConfiguration live;
  @Inject ConfigurationReload reload;

  /**
   * System property that makes a failed start stop the whole server process with exit code 1.
   * Off by default: on a shared application server other applications must keep running.
   */
  public static final String EXIT_ON_FAILURE = "torii.exit-on-startup-failure";

  private volatile Phase phase = Phase.STARTING;
  private volatile RuntimeException failure;
  private volatile String version;

  void onDeployment(@Observes @Initialized(ApplicationScoped.class) Object ignored) {
    startOnce();
  }

  /**
   * Starts the gateway unless that already happened; a failure is thrown again. The
   * application-scope event normally does this, but a server may start the application's own
   * listeners before sending it (TomEE does), and those that need the configuration call this.
   */
  public synchronized void startOnce() {
    if (phase == Phase.READY) {
      return;
    }
    if (failure != null) {
      // Some servers retry a failed web-module start; the reason was logged the first time.
      throw failure;
    }
    try {
      start(ConfigurationLoader.forRuntime());
    } catch (ConfigurationException | StorageException e) {
      fail(e, () -> LOG.severe(() -> "torii-mcp is NOT started.\n" + e.getMessage()));
    } catch (RuntimeException e) {
      fail(e, () -> LOG.log(Level.SEVERE, "torii-mcp is NOT started: unexpected failure", e));
    }
  }

  private void fail(RuntimeException e, Runnable report) {
    phase = Phase.FAILED;
    failure = e;
    report.run();
    if (e instanceof StorageException && e.getCause() != null) {
      LOG.log(Level.FINE, "storage failure detail", e.getCause());
    }
    if (Boolean.getBoolean(EXIT_ON_FAILURE)) {
      // Payara Micro keeps running after a failed deployment; for a single-purpose process
      // (the run command, a container, a systemd unit) a dead gateway should be a dead process.
      LOG.severe("Stopping the server (" + EXIT_ON_FAILURE + "=true).");
      Thread exit = new Thread(() -> System.exit(1), "torii-exit-on-startup-failure");
      exit.setDaemon(false);
      exit.start();
    }
    throw e;
  }

  void start(ConfigurationLoader loader) {
    version = readVersion();
    ConfigurationLocator.Location location = loader.locate();
    LOG.info(() -> "torii-mcp " + version + ": reading configuration " + location.path()
        + " (" + location.origin() + ")");
    GatewayConfiguration loaded = loader.load(location);
    storage.open(loaded.storage());
    LOG.info(() -> "torii-mcp storage: " + storage.description());
    storage.inTransaction(em -> {
      em.persist(new StartupRecord(Instant.now(), version, loaded.backends().size()));
      return null;
    });
    catalogs.build(loaded);
    identityProviders.discover(loaded);
    live.replace(loaded);
    clients.configure(loaded.clients());
    if (loaded.sealing() != null) {
      sealedCredentials.rotate(loaded.sealing());
    }
    purger.purge(Instant.now());
    purger.start();
    LOG.info(() -> banner(loaded));
    reload.watch(loader, location);
    phase = Phase.READY;
  }

  public Phase phase() {
    return phase;
  }

  public String version() {
    return version;
  }

  /**
   * The running configuration, for injection: request-scoped components get the current one
   * each request; long-lived ones read {@link LiveConfiguration} when they act instead.
   */
  @Produces
  GatewayConfiguration configuration() {
    return live.current();
  }

  private static String banner(GatewayConfiguration configuration) {
    StringBuilder text = new StringBuilder("\n\n  torii-mcp is ready. MCP endpoints:\n");
    for (BackendDefinition backend : configuration.backends()) {
      text.append("    ").append(backend.name()).append(": ")
          .append(configuration.mcpUrl(backend)).append('\n');
    }
    text.append("  Health: ").append(configuration.publicUrl()).append("/health\n");
    return text.toString();
  }

  private static String readVersion() {
    try (InputStream in = GatewayStartup.class.getResourceAsStream("/torii-build.properties")) {
      Properties properties = new Properties();
      if (in != null) {
        properties.load(in);
      }
      return properties.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }
}
