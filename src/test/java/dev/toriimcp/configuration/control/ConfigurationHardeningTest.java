package dev.toriimcp.configuration.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.toriimcp.configuration.entity.Cidr;
import dev.toriimcp.configuration.entity.ConfigurationException;
import dev.toriimcp.configuration.entity.GatewayConfiguration;
import dev.toriimcp.configuration.entity.TrustedProxies;
import dev.toriimcp.testing.LogCapture;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The keys and checks that guard a deployment: trusted proxies, plain http, the demo key. */
class ConfigurationHardeningTest {

  private static final Path FILE = Path.of("/etc/torii/mcp-proxy.yaml");
  private static final String DEMO_KEY = "B9/G8MkV7EZQFl46xyCvv/eV7jgDmrWJsToJIyXA3Cs=";
  private static final String OWN_KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

  private final PlaceholderResolver placeholders = new PlaceholderResolver(
      Map.of("DEMO_SEALING_KEY", DEMO_KEY)::get, name -> null, name -> Optional.empty());
  private final ConfigurationReader reader = new ConfigurationReader(placeholders);
  private final LogCapture capture = new LogCapture();
  private final List<LogRecord> logged = capture.records();
  private final Logger log = Logger.getLogger(ConfigurationReader.class.getName());

  @BeforeEach
  void listen() {
    log.addHandler(capture);
  }

  @AfterEach
  void stopListening() {
    log.removeHandler(capture);
  }

  @Test
  void trustedProxiesAreAddressBlocksWithOneHeader() {
    GatewayConfiguration configuration = reader.read(FILE, """
        public_url: https://mcp.example.com
        backends: [{name: a, spec_url: a.yaml}]
        trusted_proxies: [10.0.0.0/8, "2001:db8::/32", 192.0.2.1]
        forwarded_header: forwarded
        """);
    assertThat(configuration.trustedProxies()).isEqualTo(new TrustedProxies(List.of(
        Cidr.parse("10.0.0.0/8").orElseThrow(), Cidr.parse("2001:db8::/32").orElseThrow(),
        Cidr.parse("192.0.2.1/32").orElseThrow()), TrustedProxies.FORWARDED));

    GatewayConfiguration plain = reader.read(FILE, """
        public_url: https://mcp.example.com
        backends: [{name: a, spec_url: a.yaml}]
        """);
    assertThat(plain.trustedProxies()).isEqualTo(TrustedProxies.NONE);
  }

  @Test
  void trustedProxiesRefuseHostNamesAndBadBlocks() {
    ConfigurationException e = catchThrowableOfType(ConfigurationException.class, () ->
        reader.read(FILE, """
            public_url: https://mcp.example.com
            backends: [{name: a, spec_url: a.yaml}]
            trusted_proxies: [proxy.internal, 10.0.0.0/40]
            forwarded_header: X-Real-IP
            """));
    assertThat(e.getMessage())
        .contains(FILE + ":3: key 'trusted_proxies[0]': expected an IP address or block such as"
            + " 10.0.0.0/8 or 2001:db8::/32, found 'proxy.internal'")
        .contains(FILE + ":3: key 'trusted_proxies[1]'")
        .contains(FILE + ":4: key 'forwarded_header': expected X-Forwarded-For or Forwarded");
  }

  @Test
  void plainHttpToAHostThatIsNotLoopbackIsWarnedAboutOncePerKey() {
    reader.read(FILE, """
        public_url: http://mcp.example.com
        backends:
          - name: pets
            spec_url: a.yaml
            base_url: http://api.example.com/v1
            auth: {type: login-broker, login_url: "http://api.example.com/login"}
          - name: local
            spec_url: a.yaml
            base_url: http://127.0.0.1:9000
            auth: {type: login-broker, login_url: "http://localhost:9000/login"}
          - name: tls
            spec_url: a.yaml
            base_url: https://api.example.com
            auth: {type: login-broker, login_url: "http://[::1]:9000/login"}
        sealing: {keys: [{id: k, secret: %s}]}
        """.formatted(OWN_KEY));
    assertThat(warnings()).containsExactly(
        "torii-mcp configuration warning: " + FILE + ":1: key 'public_url': plain http to"
            + " 'mcp.example.com', which is not a loopback host: users' backend passwords,"
            + " authorization codes and tokens cross the network unencrypted; use an https URL",
        "torii-mcp configuration warning: " + FILE + ":5: backend 'pets': key"
            + " 'backends[0].base_url': plain http to 'api.example.com', which is not a loopback"
            + " host: tool calls with each user's upstream credential cross the network"
            + " unencrypted; use an https URL",
        "torii-mcp configuration warning: " + FILE + ":6: backend 'pets': key"
            + " 'backends[0].auth.login_url': plain http to 'api.example.com', which is not a"
            + " loopback host: users' passwords and the credentials the backend returns cross the"
            + " network unencrypted; use an https URL");
  }

  @Test
  void theLoopbackHostsAreRecognisedWithoutResolvingAnything() {
    assertThat(YamlNodes.loopback("localhost")).isTrue();
    assertThat(YamlNodes.loopback("app.localhost")).isTrue();
    assertThat(YamlNodes.loopback("127.8.9.10")).isTrue();
    assertThat(YamlNodes.loopback("[::1]")).isTrue();
    assertThat(YamlNodes.loopback("localhost.example.com")).isFalse();
    assertThat(YamlNodes.loopback("10.0.0.1")).isFalse();
    assertThat(YamlNodes.loopback("[2001:db8::1]")).isFalse();
  }

  @Test
  void thePublishedDemoSealingKeyIsRefusedOutsideTheDemo() {
    String config = """
        public_url: https://mcp.example.com
        backends:
          - name: pets
            spec_url: a.yaml
            auth: {type: login-broker, login_url: "https://api.example.com/login"}
        sealing:
          keys:
            - {id: demo-1, secret: "${DEMO_SEALING_KEY}"}
        """;
    ConfigurationException e = catchThrowableOfType(ConfigurationException.class,
        () -> reader.read(FILE, config));
    assertThat(e.problems()).hasSize(1);
    assertThat(e.getMessage()).contains(FILE + ":8: key 'sealing.keys[0].secret': this is the demo"
        + " key published with torii-mcp (examples/mcp-proxy.yaml): anyone can open what it seals.")
        .contains("-Dtorii.demo=true").doesNotContain(DEMO_KEY);

    GatewayConfiguration demo = new ConfigurationReader(placeholders, true).read(FILE, config);
    assertThat(demo.sealing().keys()).hasSize(1);
  }

  private List<String> warnings() {
    return logged.stream().filter(r -> r.getLevel() == Level.WARNING)
        .map(LogRecord::getMessage).toList();
  }
}
