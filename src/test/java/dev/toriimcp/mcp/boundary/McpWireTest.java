package dev.toriimcp.mcp.boundary;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * How the {@code Accept} header frames a reply (research §1.2: lenient, 406 only if neither),
 * and which {@code Host} a loopback gateway accepts (DNS rebinding).
 */
class McpWireTest {

  @Test
  void jsonWheneverTheClientTakesIt() {
    assertThat(McpWire.framing(null)).isEqualTo(McpWire.Framing.JSON);
    assertThat(McpWire.framing(" ")).isEqualTo(McpWire.Framing.JSON);
    assertThat(McpWire.framing("application/json, text/event-stream")).isEqualTo(McpWire.Framing.JSON);
    assertThat(McpWire.framing("text/event-stream, application/json")).isEqualTo(McpWire.Framing.JSON);
    assertThat(McpWire.framing("*/*")).isEqualTo(McpWire.Framing.JSON);
    assertThat(McpWire.framing("Application/JSON; charset=utf-8")).isEqualTo(McpWire.Framing.JSON);
    assertThat(McpWire.framing("application/*;q=0.5")).isEqualTo(McpWire.Framing.JSON);
  }

  @Test
  void aStreamOnlyWhenJsonIsNotAccepted() {
    assertThat(McpWire.framing("text/event-stream")).isEqualTo(McpWire.Framing.EVENT_STREAM);
    assertThat(McpWire.framing("text/*")).isEqualTo(McpWire.Framing.EVENT_STREAM);
    assertThat(McpWire.framing("application/json;q=0, text/event-stream"))
        .isEqualTo(McpWire.Framing.EVENT_STREAM);
    assertThat(McpWire.framing("application/json; q=0.000, text/event-stream;q=1"))
        .isEqualTo(McpWire.Framing.EVENT_STREAM);
  }

  @Test
  void neitherWhenTheClientRefusesBoth() {
    assertThat(McpWire.framing("text/html")).isEqualTo(McpWire.Framing.NONE);
    assertThat(McpWire.framing("application/xml, image/png")).isEqualTo(McpWire.Framing.NONE);
    assertThat(McpWire.framing("text/event-stream;q=0")).isEqualTo(McpWire.Framing.NONE);
  }

  @Test
  void aLoopbackGatewayAcceptsOnlyLoopbackHosts() {
    assertThat(McpWire.hostAllowed("localhost", "localhost:8080")).isTrue();
    assertThat(McpWire.hostAllowed("localhost", "127.0.0.1:8080")).isTrue();
    assertThat(McpWire.hostAllowed("127.0.0.1", "LOCALHOST")).isTrue();
    assertThat(McpWire.hostAllowed("[::1]", "[::1]:8080")).isTrue();
    assertThat(McpWire.hostAllowed("localhost", "[::1]")).isTrue();

    assertThat(McpWire.hostAllowed("localhost", "evil.example:8080")).isFalse();
    assertThat(McpWire.hostAllowed("localhost", "evil.example")).isFalse();
    assertThat(McpWire.hostAllowed("127.0.0.1", "localhost.evil.example")).isFalse();
    assertThat(McpWire.hostAllowed("localhost", "127.0.0.1.evil.example:80")).isFalse();
    assertThat(McpWire.hostAllowed("localhost", "[::2]:8080")).isFalse();
  }

  @Test
  void aGatewayWithAPublicNameDoesNotCheckHost() {
    assertThat(McpWire.hostAllowed("mcp.example.com", "internal-lb:8080")).isTrue();
    assertThat(McpWire.hostAllowed("mcp.example.com", "evil.example")).isTrue();
  }

  @Test
  void jsonBodiesMayCarryParametersAndMayLeaveTheTypeOut() {
    assertThat(McpWire.jsonContent(null)).isTrue();
    assertThat(McpWire.jsonContent("application/json")).isTrue();
    assertThat(McpWire.jsonContent("Application/JSON; charset=UTF-8")).isTrue();
    assertThat(McpWire.jsonContent("application/json-rpc+json")).isTrue();

    assertThat(McpWire.jsonContent("text/plain")).isFalse();
    assertThat(McpWire.jsonContent("application/x-www-form-urlencoded")).isFalse();
    assertThat(McpWire.jsonContent("application/jsonp")).isFalse();
  }

  @Test
  void sessionIdsAreVisibleAscii() {
    assertThat(McpWire.visibleAscii("a1-_.~!Z")).isTrue();

    assertThat(McpWire.visibleAscii("")).isFalse();
    assertThat(McpWire.visibleAscii("a b")).isFalse();
    assertThat(McpWire.visibleAscii("caf\u00e9")).isFalse();
    assertThat(McpWire.visibleAscii("a\u0001")).isFalse();
  }
}
