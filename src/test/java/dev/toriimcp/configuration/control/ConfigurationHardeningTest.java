package dev.toriimcp.configuration.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.toriimcp.configuration.entity.Cidr;
import dev.toriimcp.configuration.entity.ConfigurationException;
import dev.toriimcp.configuration.entity.GatewayConfiguration;
import dev.toriimcp.configuration.entity.TrustedProxies;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The keys and checks that guard a deployment: trusted proxies. */
class ConfigurationHardeningTest {

  private static final Path FILE = Path.of("/etc/torii/mcp-proxy.yaml");

  private final PlaceholderResolver placeholders =
      new PlaceholderResolver(name -> null, name -> null, name -> Optional.empty());
  private final ConfigurationReader reader = new ConfigurationReader(placeholders);

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
}
