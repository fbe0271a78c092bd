package dev.toriimcp.platform.control;

import dev.toriimcp.configuration.entity.StorageSettings;
import java.nio.file.Path;

/**
 * A real {@link Storage} for unit tests: embedded Derby in a fresh directory under {@code
 * target/}, migrated by the same changelogs, with the same JPA unit as the gateway.
 */
public final class TestStorage implements AutoCloseable {

  private final Storage storage = new Storage();

  private TestStorage(Path directory) {
    storage.open(new StorageSettings(null, directory));
  }

  public static TestStorage open(String name) {
    return new TestStorage(Path.of("target", "unit-derby", name + "-" + System.nanoTime()));
  }

  /** The Derby database a stopped gateway left in {@code directory}, to look at its rows. */
  public static TestStorage existing(Path directory) {
    return new TestStorage(directory);
  }

  public Storage storage() {
    return storage;
  }

  @Override
  public void close() {
    storage.close();
  }
}
