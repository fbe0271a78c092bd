package dev.toriimcp.sealing.control;

import dev.toriimcp.sealing.entity.SealingKey;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The configured sealing keys: every key opens what it sealed; {@link #current()} seals new
 * values. Rotation is adding a key and making it current; retiring a key is removing it once no
 * row sealed under it is left.
 */
public final class Keyring {

  private final Map<String, SealingKey> keys;
  private final SealingKey current;

  public Keyring(List<SealingKey> keys, String currentId) {
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("a keyring needs at least one key");
    }
    Map<String, SealingKey> byId = new LinkedHashMap<>();
    for (SealingKey key : keys) {
      if (byId.put(key.id(), key) != null) {
        throw new IllegalArgumentException("duplicate key id " + key.id());
      }
    }
    this.keys = Map.copyOf(byId);
    String chosen = currentId != null ? currentId : keys.get(keys.size() - 1).id();
    this.current = byId.get(chosen);
    if (current == null) {
      throw new IllegalArgumentException("the current key " + chosen + " is not in the keyring");
    }
  }

  public SealingKey current() {
    return current;
  }

  public Optional<SealingKey> key(String id) {
    return Optional.ofNullable(keys.get(id));
  }
}
