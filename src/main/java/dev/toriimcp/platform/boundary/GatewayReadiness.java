package dev.toriimcp.platform.boundary;

import dev.toriimcp.platform.control.GatewayStartup;
import dev.toriimcp.platform.control.Storage;
import dev.toriimcp.platform.entity.StartupRecord;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * MicroProfile readiness: UP only once the configuration is loaded and the migrations are applied,
 * and while the database answers. Served by the server at {@code /health} and {@code
 * /health/ready}.
 */
@Readiness
@ApplicationScoped
public class GatewayReadiness implements HealthCheck {

  static final String NAME = "torii-mcp";

  @Inject GatewayStartup startup;
  @Inject Storage storage;

  @Override
  public HealthCheckResponse call() {
    HealthCheckResponseBuilder response = HealthCheckResponse.named(NAME)
        .withData("phase", startup.phase().name());
    if (startup.phase() != GatewayStartup.Phase.READY) {
      return response.down().build();
    }
    try {
      long startups = storage.inTransaction(em ->
          em.createNamedQuery(StartupRecord.COUNT, Long.class).getSingleResult());
      return response.up()
          .withData("version", startup.version())
          .withData("storage", storage.description())
          .withData("startups", startups)
          .build();
    } catch (RuntimeException e) {
      return response.down().withData("storage", "unavailable").build();
    }
  }
}
