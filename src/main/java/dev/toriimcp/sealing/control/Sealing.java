package dev.toriimcp.sealing.control;

import dev.toriimcp.configuration.entity.GatewayConfiguration;
import dev.toriimcp.sealing.entity.SealingException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** The gateway's {@link Sealer}, built once from the configured keys. */
@ApplicationScoped
public class Sealing {

  @Inject GatewayConfiguration configuration;

  private volatile Sealer sealer;

  public Sealer sealer() {
    Sealer current = sealer;
    if (current == null) {
      if (configuration.sealing() == null) {
        throw new SealingException("no sealing keys are configured");
      }
      current = new Sealer(new Keyring(configuration.sealing().keys(),
          configuration.sealing().current()));
      sealer = current;
    }
    return current;
  }
}
