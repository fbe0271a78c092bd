package dev.toriimcp.platform.control;

import dev.toriimcp.catalog.control.Catalogs;
import dev.toriimcp.catalog.control.SpecProbe;
import dev.toriimcp.catalog.entity.BackendCatalog;
import dev.toriimcp.catalog.entity.ServedBackend;
import dev.toriimcp.configuration.control.ConfigurationLoader;
import dev.toriimcp.configuration.control.ConfigurationLocator;
import dev.toriimcp.configuration.control.LiveConfiguration;
import dev.toriimcp.configuration.entity.BackendDefinition;
import dev.toriimcp.configuration.entity.ConfigurationException;
import dev.toriimcp.configuration.entity.GatewayConfiguration;
import dev.toriimcp.configuration.entity.SealingSettings;
import dev.toriimcp.oauth.control.Clients;
import dev.toriimcp.upstream.control.IdentityProviders;
import dev.toriimcp.upstream.control.SealedCredentials;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Live reload of {@code mcp-proxy.yaml} (issue 17, ADR 0032). The file is checked every {@value
 * #DEFAULT_INTERVAL_MILLIS} ms (system property {@value #INTERVAL_PROPERTY}) by the digest of its
 * bytes, which also sees an editor's rename-over and a Kubernetes ConfigMap's symlink swap. A
 * change is read and compiled off the request path; only a complete, valid result replaces the
 * running one, catalogs first, then the configuration, each in one step. A broken edit keeps the
 * running configuration and logs the same named problems a start would.
 *
 * <p>What a reload changes: backends (added, removed, changed; unchanged ones keep their compiled
 * catalog), sealing keys (new seals use the new current key), configured clients and allowed
 * origins. What it cannot: {@link #RESTART_ONLY}; a change to those is named in a log line and
 * waits for a restart.
 */
@ApplicationScoped
public class ConfigurationReload {

  private static final Logger LOG = Logger.getLogger(ConfigurationReload.class.getName());
  /** System property: milliseconds between checks of the file; 0 turns watching off. */
  public static final String INTERVAL_PROPERTY = "torii.reload.interval-ms";
  static final long DEFAULT_INTERVAL_MILLIS = 2000;
  /** The keys a running gateway keeps until it restarts. */
  public static final List<String> RESTART_ONLY =
      List.of("public_url", "storage", "limits", "oauth", "trusted_proxies");

  /** How one reload ended. */
  public enum Outcome { UNCHANGED, APPLIED, REFUSED }

  @Inject LiveConfiguration live;
  @Inject Catalogs catalogs;
  @Inject IdentityProviders identityProviders;
  @Inject Clients clients;
  @Inject SealedCredentials sealedCredentials;
  @Inject Event<BackendsChanged> changes;

  private ConfigurationLoader loader;
  private ConfigurationLocator.Location location;
  private ScheduledExecutorService watcher;
  private byte[] digest;
  private boolean unreadable;
  private final SpecProbe probe = new SpecProbe();
  /** Per backend: the spec as last seen, and when an http(s) spec is next due for a look. */
  private final Map<String, SpecProbe.Fingerprint> specs = new HashMap<>();
  private final Map<String, Long> specDue = new HashMap<>();

  /** Remembers where the running configuration came from and starts watching it. */
  synchronized void watch(ConfigurationLoader loader, ConfigurationLocator.Location location) {
    this.loader = loader;
    this.location = location;
    this.digest = digest(location.path());
    live.current().backends().forEach(backend -> lookAtSpec(backend, System.nanoTime()));
    long interval = Long.getLong(INTERVAL_PROPERTY, DEFAULT_INTERVAL_MILLIS);
    if (interval <= 0) {
      LOG.info("torii-mcp configuration: not watched (" + INTERVAL_PROPERTY + "=" + interval + ")");
      return;
    }
    watcher = Executors.newSingleThreadScheduledExecutor(task -> {
      Thread thread = new Thread(task, "torii-configuration-watch");
      thread.setDaemon(true);
      return thread;
    });
    watcher.scheduleWithFixedDelay(this::check, interval, interval, TimeUnit.MILLISECONDS);
    LOG.info("torii-mcp configuration: watching " + location.path() + " for changes (every "
        + interval + " ms); " + String.join(", ", RESTART_ONLY) + " take effect only at a restart");
  }

  private void check() {
    try {
      if (reloadIfChanged() == Outcome.UNCHANGED) {
        recompileChangedSpecs();
      }
    } catch (RuntimeException e) {
      LOG.log(Level.SEVERE, "torii-mcp configuration: reload failed unexpectedly; the running"
          + " configuration stays", e);
    }
  }

  /** Reloads when the file's bytes differ from those last read; for the watcher and tests. */
  public synchronized Outcome reloadIfChanged() {
    if (location == null) {
      return Outcome.UNCHANGED;
    }
    byte[] now = digest(location.path());
    if (now == null) {
      if (!unreadable) {
        LOG.warning("torii-mcp configuration: " + location.path() + " cannot be read; the"
            + " running configuration stays until it can");
        unreadable = true;
      }
      return Outcome.UNCHANGED;
    }
    unreadable = false;
    if (Arrays.equals(now, digest)) {
      return Outcome.UNCHANGED;
    }
    digest = now;
    return reload();
  }

  /** Reads, checks and compiles the file, and applies it only if all of that succeeded. */
  synchronized Outcome reload() {
    long start = System.nanoTime();
    GatewayConfiguration running = live.current();
    GatewayConfiguration loaded;
    try {
      loaded = loader.load(location);
    } catch (ConfigurationException e) {
      LOG.severe("torii-mcp configuration: the edit of " + location.path() + " is refused; the"
          + " running configuration stays.\n" + e.getMessage());
      return Outcome.REFUSED;
    }
    String keptKeys = removedKeysStillInUse(running.sealing(), loaded.sealing());
    if (keptKeys != null) {
      LOG.severe("torii-mcp configuration: the edit of " + location.path() + " is refused; the"
          + " running configuration stays.\n  - " + keptKeys);
      return Outcome.REFUSED;
    }
    List<String> waiting = restartOnlyChanges(running, loaded);
    GatewayConfiguration next = new GatewayConfiguration(running.source(), running.publicUrl(),
        loaded.backends(), running.storage(), running.limits(), loaded.sealing(), running.oauth(),
        loaded.clients(), loaded.allowedOrigins(), running.trustedProxies());
    Map<String, ServedBackend> before = catalogs.current();
    Map<String, ServedBackend> compiled = catalogs.compile(next, before);
    List<String> failed = new ArrayList<>();
    compiled.forEach((name, served) -> {
      if (served.catalog() instanceof BackendCatalog.Failed bad && before.get(name) != served) {
        failed.add("backend '" + name + "': " + bad.reason());
      }
    });
    if (!failed.isEmpty()) {
      LOG.severe("torii-mcp configuration: the edit of " + location.path() + " is refused; the"
          + " running configuration stays.\n  - " + String.join("\n  - ", failed));
      return Outcome.REFUSED;
    }
    Set<String> added = new LinkedHashSet<>(compiled.keySet());
    added.removeAll(before.keySet());
    Set<String> removed = new LinkedHashSet<>(before.keySet());
    removed.removeAll(compiled.keySet());
    Set<String> changed = new LinkedHashSet<>();
    compiled.forEach((name, served) -> {
      if (before.containsKey(name) && before.get(name) != served) {
        changed.add(name);
      }
    });
    identityProviders.discover(next, name -> added.contains(name) || changed.contains(name));
    clients.configure(next.clients());
    boolean keysChanged = !sameKeys(running.sealing(), next.sealing());
    catalogs.replace(compiled);
    live.replace(next);
    specs.keySet().retainAll(compiled.keySet());
    specDue.keySet().retainAll(compiled.keySet());
    long now = System.nanoTime();
    next.backends().stream().filter(b -> added.contains(b.name()) || changed.contains(b.name()))
        .forEach(backend -> lookAtSpec(backend, now));
    if (keysChanged && next.sealing() != null) {
      sealedCredentials.rotate(next.sealing());
    }
    long millis = (System.nanoTime() - start) / 1_000_000;
    LOG.info("torii-mcp configuration: reloaded " + location.path() + " in " + millis + " ms:"
        + " backends added " + added + ", removed " + removed + ", changed " + changed
        + (keysChanged ? ", sealing keys changed" : ""));
    if (!waiting.isEmpty()) {
      LOG.warning("torii-mcp configuration: " + String.join(", ", waiting) + " changed; that takes"
          + " effect only after a restart, until then the gateway keeps the running values");
    }
    Set<String> touched = new LinkedHashSet<>(added);
    touched.addAll(removed);
    touched.addAll(changed);
    if (!touched.isEmpty()) {
      changes.fire(new BackendsChanged(Set.copyOf(touched)));
    }
    return Outcome.APPLIED;
  }

  /**
   * Compiles again the backends whose spec changed (a file at every check, an http(s) spec when
   * its {@code spec_refresh} is due) and swaps them in; a spec that no longer compiles keeps the
   * running catalog. For the watcher and tests.
   */
  public synchronized Outcome recompileChangedSpecs() {
    if (location == null) {
      return Outcome.UNCHANGED;
    }
    GatewayConfiguration running = live.current();
    long now = System.nanoTime();
    Set<String> changed = new LinkedHashSet<>();
    for (BackendDefinition backend : running.backends()) {
      SpecProbe.Fingerprint before = specs.get(backend.name());
      if (due(backend, now) && before != null && before.changed(lookAtSpec(backend, now))) {
        changed.add(backend.name());
      }
    }
    if (changed.isEmpty()) {
      return Outcome.UNCHANGED;
    }
    long start = System.nanoTime();
    Map<String, ServedBackend> before = catalogs.current();
    Map<String, ServedBackend> reuse = new HashMap<>(before);
    reuse.keySet().removeAll(changed);
    Map<String, ServedBackend> compiled = catalogs.compile(running, reuse);
    Map<String, ServedBackend> next = new HashMap<>(before);
    List<String> failed = new ArrayList<>();
    for (String name : List.copyOf(changed)) {
      ServedBackend served = compiled.get(name);
      if (served.catalog() instanceof BackendCatalog.Failed bad) {
        failed.add("backend '" + name + "': " + bad.reason());
        changed.remove(name);
      } else {
        next.put(name, served);
      }
    }
    if (!failed.isEmpty()) {
      LOG.severe("torii-mcp configuration: a changed spec does not compile; the running catalog"
          + " stays.\n  - " + String.join("\n  - ", failed));
    }
    if (changed.isEmpty()) {
      return Outcome.REFUSED;
    }
    catalogs.replace(next);
    LOG.info("torii-mcp configuration: spec of " + changed + " changed; recompiled in "
        + (System.nanoTime() - start) / 1_000_000 + " ms");
    changes.fire(new BackendsChanged(Set.copyOf(changed)));
    return Outcome.APPLIED;
  }

  /** A file spec at every check; an http(s) one when its refresh interval has passed. */
  private boolean due(BackendDefinition backend, long now) {
    if ("file".equalsIgnoreCase(backend.specLocation().getScheme())) {
      return true;
    }
    Long due = specDue.get(backend.name());
    return !backend.specRefresh().isZero() && (due == null || now - due >= 0);
  }

  /** Probes the backend's spec, remembers what was seen, and sets when to look again. */
  private SpecProbe.Fingerprint lookAtSpec(BackendDefinition backend, long now) {
    SpecProbe.Fingerprint seen = probe.probe(backend.specLocation(), specs.get(backend.name()));
    if (seen != null) {
      specs.put(backend.name(), seen);
    }
    specDue.put(backend.name(), now + backend.specRefresh().toNanos());
    return seen;
  }

  /**
   * Why an edit must not drop sealing keys that still seal stored credentials, or {@code null}:
   * their users would have to sign in again, and a typo must not cost that.
   */
  private String removedKeysStillInUse(SealingSettings running, SealingSettings loaded) {
    if (running == null) {
      return null;
    }
    Set<String> kept = new LinkedHashSet<>();
    if (loaded != null) {
      loaded.keys().forEach(key -> kept.add(key.id()));
    }
    Map<String, Long> counts = sealedCredentials.countsByKey();
    List<String> problems = new ArrayList<>();
    for (var key : running.keys()) {
      long rows = counts.getOrDefault(key.id(), 0L);
      if (!kept.contains(key.id()) && rows > 0) {
        problems.add("sealing key '" + key.id() + "' still seals " + rows + " upstream"
            + " credential(s): keep it in sealing.keys, not current, until the start-up or reload"
            + " report says it seals none (they are re-sealed under the current key)");
      }
    }
    return problems.isEmpty() ? null : String.join("\n  - ", problems);
  }

  /** The {@link #RESTART_ONLY} keys whose values differ. */
  static List<String> restartOnlyChanges(GatewayConfiguration running, GatewayConfiguration loaded) {
    List<String> changed = new ArrayList<>();
    if (!Objects.equals(running.publicUrl(), loaded.publicUrl())) {
      changed.add("public_url");
    }
    if (!Objects.equals(running.storage(), loaded.storage())) {
      changed.add("storage");
    }
    if (!Objects.equals(running.limits(), loaded.limits())) {
      changed.add("limits");
    }
    if (!Objects.equals(running.oauth(), loaded.oauth())) {
      changed.add("oauth");
    }
    if (!Objects.equals(running.trustedProxies(), loaded.trustedProxies())) {
      changed.add("trusted_proxies");
    }
    return changed;
  }

  /** Key records hold their secrets as arrays, so equality is checked by content. */
  static boolean sameKeys(SealingSettings a, SealingSettings b) {
    if (a == null || b == null) {
      return a == b;
    }
    if (!Objects.equals(a.current(), b.current()) || a.keys().size() != b.keys().size()) {
      return false;
    }
    for (int i = 0; i < a.keys().size(); i++) {
      if (!a.keys().get(i).id().equals(b.keys().get(i).id())
          || !Arrays.equals(a.keys().get(i).secret(), b.keys().get(i).secret())) {
        return false;
      }
    }
    return true;
  }

  private static byte[] digest(Path file) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      return null;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }

  @PreDestroy
  synchronized void stop() {
    if (watcher != null) {
      watcher.shutdownNow();
    }
  }

  /** Fired after a reload that added, removed or changed backends: their names. */
  public record BackendsChanged(Set<String> backends) {}
}
