package dev.toriimcp.sealing.control;

import dev.toriimcp.configuration.control.LiveConfiguration;
import dev.toriimcp.configuration.entity.SealingSettings;
import dev.toriimcp.sealing.entity.SealingException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The gateway's {@link Sealer}, built from the running configuration's keys and built again when
 * a reload changes them (ADR 0032): new seals use the new current key; rows sealed under a key
 * still listed stay readable.
 */
@ApplicationScoped
public class Sealing {

  @Inject LiveConfiguration live;

  /** The keys and the sealer built from them, swapped together. */
  private record Built(SealingSettings settings, Sealer sealer) {}

  private volatile Built built;

  public Sealer sealer() {
    SealingSettings settings = live.current().sealing();
    if (settings == null) {
      throw new SealingException("no sealing keys are configured");
    }
    Built current = built;
    if (current == null || current.settings() != settings) { // a reload makes new settings
      current = new Built(settings, new Sealer(new Keyring(settings.keys(), settings.current())));
      built = current;
    }
    return current.sealer();
  }
}
