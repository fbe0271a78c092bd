package dev.toriimcp.testing;

import dev.toriimcp.configuration.control.LiveConfiguration;
import dev.toriimcp.configuration.entity.BackendDefinition;
import dev.toriimcp.configuration.entity.GatewayConfiguration;
import dev.toriimcp.configuration.entity.Limits;
import dev.toriimcp.configuration.entity.OAuthSettings;
import dev.toriimcp.configuration.entity.Policy;
import dev.toriimcp.configuration.entity.SealingSettings;
import dev.toriimcp.configuration.entity.StorageSettings;
import dev.toriimcp.configuration.entity.UpstreamAuth;
import dev.toriimcp.sealing.control.Keyring;
import dev.toriimcp.sealing.control.Sealer;
import dev.toriimcp.sealing.control.Sealing;
import dev.toriimcp.sealing.entity.SealingKey;
import java.net.URI;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Configurations and sealing for unit tests of components that take them by injection: backend
 * {@code open} needs no upstream login, backend {@code linked} has a login-broker login.
 */
public final class TestGateway {

  private TestGateway() {}

  public static SealingKey key(String id, int fill) {
    byte[] bytes = new byte[32];
    Arrays.fill(bytes, (byte) fill);
    return new SealingKey(id, bytes);
  }

  public static GatewayConfiguration configuration(OAuthSettings oauth, SealingSettings sealing) {
    BackendDefinition open = new BackendDefinition("open", URI.create("file:///spec.yaml"), null,
        Policy.ALLOW_ALL, null, Map.of());
    BackendDefinition linked = new BackendDefinition("linked", URI.create("file:///spec.yaml"),
        null, Policy.ALLOW_ALL, new UpstreamAuth.LoginBroker(URI.create("http://127.0.0.1/login")),
        Map.of());
    return new GatewayConfiguration(Path.of("mcp-proxy.yaml"), URI.create("https://gw.example"),
        List.of(open, linked), new StorageSettings(null, Path.of("unused")), Limits.DEFAULT,
        sealing, oauth, List.of(), List.of());
  }

  /** A {@link Sealing} over exactly these keys, the current one named. */
  /** A {@link LiveConfiguration} running on {@code configuration}. */
  public static LiveConfiguration live(GatewayConfiguration configuration) {
    LiveConfiguration live = new LiveConfiguration();
    live.replace(configuration);
    return live;
  }

  public static Sealing sealing(SealingSettings settings) {
    Sealer sealer = new Sealer(new Keyring(settings.keys(), settings.current()));
    return new Sealing() {
      @Override
      public Sealer sealer() {
        return sealer;
      }
    };
  }
}
