package dev.toriimcp.configuration.control;

import dev.toriimcp.configuration.entity.GatewayConfiguration;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The configuration the gateway runs on now: set at start, replaced whole by a reload (issue 17,
 * ADR 0032). Long-lived components read {@link #current()} when they act, rather than keeping the
 * configuration they were created with; one request reads it once.
 */
@ApplicationScoped
public class LiveConfiguration {

  private final AtomicReference<GatewayConfiguration> current = new AtomicReference<>();

  /** The running configuration. */
  public GatewayConfiguration current() {
    GatewayConfiguration configuration = current.get();
    if (configuration == null) {
      throw new IllegalStateException("the gateway is not started");
    }
    return configuration;
  }

  /** Whether a configuration has been set. */
  public boolean started() {
    return current.get() != null;
  }

  /** Runs on {@code next} from now on; a request that already read the old one keeps it. */
  public void replace(GatewayConfiguration next) {
    current.set(java.util.Objects.requireNonNull(next, "next"));
  }
}
