package dev.toriimcp.platform.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.toriimcp.configuration.entity.Cidr;
import dev.toriimcp.configuration.entity.TrustedProxies;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClientAddressTest {

  private static final TrustedProxies PROXY = new TrustedProxies(
      List.of(Cidr.parse("10.0.0.0/8").orElseThrow(), Cidr.parse("fd00::/8").orElseThrow()),
      TrustedProxies.X_FORWARDED_FOR);

  @Test
  void withoutTrustedProxiesTheHeaderIsIgnored() {
    assertThat(ClientAddress.resolve(TrustedProxies.NONE, "198.51.100.7", List.of("203.0.113.1")))
        .isEqualTo("198.51.100.7");
  }

  @Test
  void aPeerThatIsNoTrustedProxyIsTheClientWhateverItSends() {
    assertThat(ClientAddress.resolve(PROXY, "198.51.100.7", List.of("203.0.113.1")))
        .isEqualTo("198.51.100.7");
  }

  @Test
  void behindATrustedProxyTheRightmostUntrustedHopIsTheClient() {
    assertThat(ClientAddress.resolve(PROXY, "10.0.0.2", List.of("203.0.113.1")))
        .isEqualTo("203.0.113.1");
    // The client wrote the leftmost entries itself; only the hop the proxies saw counts.
    assertThat(ClientAddress.resolve(PROXY, "10.0.0.2",
        List.of("1.1.1.1, 198.51.100.9", "203.0.113.1, 10.0.0.5"))).isEqualTo("203.0.113.1");
    assertThat(ClientAddress.resolve(PROXY, "10.0.0.2", List.of("10.0.0.9, 10.0.0.5")))
        .isEqualTo("10.0.0.9");
    assertThat(ClientAddress.resolve(PROXY, "10.0.0.2", List.of())).isEqualTo("10.0.0.2");
    assertThat(ClientAddress.resolve(PROXY, "10.0.0.2", List.of("203.0.113.1:4711")))
        .isEqualTo("203.0.113.1");
  }

  @Test
  void aHopThatIsNoAddressEndsTheWalkWithoutADnsLookup() {
    assertThat(ClientAddress.resolve(PROXY, "10.0.0.2", List.of("evil.example.com, 10.0.0.5")))
        .isEqualTo("10.0.0.5");
    assertThat(ClientAddress.resolve(PROXY, "10.0.0.2", List.of("999.1.1.1"))).isEqualTo("10.0.0.2");
    assertThat(ClientAddress.resolve(PROXY, "10.0.0.2", List.of("unknown"))).isEqualTo("10.0.0.2");
  }

  @Test
  void theForwardedHeaderIsReadByItsForParameter() {
    TrustedProxies forwarded = new TrustedProxies(PROXY.addresses(), TrustedProxies.FORWARDED);
    assertThat(ClientAddress.resolve(forwarded, "fd00::1", List.of(
        "for=198.51.100.1;proto=https, for=\"[2001:db8:cafe::17]:4711\";by=10.0.0.1")))
        .isEqualTo("2001:db8:cafe:0:0:0:0:17");
    assertThat(ClientAddress.resolve(forwarded, "fd00::1", List.of("for=_hidden, for=10.1.1.1")))
        .isEqualTo("10.1.1.1");
  }

  @Test
  void keysGroupIpv6ByItsSlash64() {
    assertThat(ClientAddress.key("2001:db8:0:1:aaaa:bbbb:cccc:dddd"))
        .isEqualTo(ClientAddress.key("2001:db8:0:1::9"))
        .isEqualTo("2001:db8:0:1:0:0:0:0/64");
    assertThat(ClientAddress.key("2001:db8:0:2::9")).isNotEqualTo(ClientAddress.key("2001:db8:0:1::9"));
    assertThat(ClientAddress.key("203.0.113.1")).isEqualTo("203.0.113.1");
    assertThat(ClientAddress.key("::ffff:203.0.113.1")).isEqualTo("203.0.113.1");
  }

  @Test
  void blocksContainWhatTheirPrefixCovers() {
    Cidr block = Cidr.parse("192.168.10.77/24").orElseThrow();
    assertThat(block.toString()).isEqualTo("192.168.10.0/24");
    assertThat(block.contains(Cidr.literal("192.168.10.200").orElseThrow())).isTrue();
    assertThat(block.contains(Cidr.literal("192.168.11.1").orElseThrow())).isFalse();
    assertThat(block.contains(Cidr.literal("::1").orElseThrow())).isFalse();
    assertThat(Cidr.parse("127.0.0.1").orElseThrow().prefix()).isEqualTo(32);
    assertThat(Cidr.parse("10.0.0.0/33")).isEmpty();
    assertThat(Cidr.parse("localhost")).isEmpty();
    assertThat(Cidr.parse("10.0.0.0/x")).isEmpty();
  }
}
