package dev.toriimcp.configuration.entity;

import dev.toriimcp.sealing.entity.SealingKey;
import java.util.List;

/**
 * The {@code sealing} section: the keys that seal users' upstream credentials.
 *
 * @param keys every key that may have sealed a stored value, at least one
 * @param current the id of the key that seals new values; {@code null} means the last listed
 */
public record SealingSettings(List<SealingKey> keys, String current) {

  public SealingSettings {
    keys = List.copyOf(keys);
  }
}
