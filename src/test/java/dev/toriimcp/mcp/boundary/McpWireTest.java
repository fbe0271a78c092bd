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
  void aGetStreamNeedsAnAcceptThatAdmitsIt() {
    assertThat(McpWire.acceptsStream("text/event-stream")).isTrue();
    assertThat(McpWire.acceptsStream("application/json, text/event-stream")).isTrue();
    assertThat(McpWire.acceptsStream("text/*")).isTrue();
    assertThat(McpWire.acceptsStream("*/*")).isTrue();
    assertThat(McpWire.acceptsStream(null)).as("MCP: the client lists text/event-stream").isFalse();
    assertThat(McpWire.acceptsStream("application/json")).isFalse();
    assertThat(McpWire.acceptsStream("text/event-stream;q=0")).isFalse();
  }

  @Test
  void aStreamIsAcceptedWhereverTheClientNamesOne() {
    assertThat(McpWire.acceptsEventStream("application/json, text/event-stream")).isTrue();
    assertThat(McpWire.acceptsEventStream("Text/Event-Stream;q=0.5")).isTrue();
    assertThat(McpWire.acceptsEventStream("application/json")).isFalse();
    assertThat(McpWire.acceptsEventStream("text/event-stream;q=0, application/json")).isFalse();
    assertThat(McpWire.acceptsEventStream("*/*")).as("a log message is worth no guess").isFalse();
    assertThat(McpWire.acceptsEventStream(null)).isFalse();
  }

  @Test
  void aLoopbackGatewayTakesLoopbackOriginsOnAnyPort() {
    assertThat(McpWire.loopbackOrigin("localhost", "http://localhost:5173")).isTrue();
    assertThat(McpWire.loopbackOrigin("127.0.0.1", "http://127.0.0.1:40123")).isTrue();
    assertThat(McpWire.loopbackOrigin("localhost", "https://[::1]:8443")).isTrue();
    assertThat(McpWire.loopbackOrigin("localhost", "http://LOCALHOST")).isTrue();
    // DNS rebinding: the page's own name, whatever it resolves to.
    assertThat(McpWire.loopbackOrigin("localhost", "http://evil.example.com")).isFalse();
    assertThat(McpWire.loopbackOrigin("localhost", "http://localhost.evil.example")).isFalse();
    assertThat(McpWire.loopbackOrigin("localhost", "http://127.0.0.1.nip.io")).isFalse();
    assertThat(McpWire.loopbackOrigin("localhost", "null")).isFalse();
    assertThat(McpWire.loopbackOrigin("localhost", "file://localhost")).isFalse();
    assertThat(McpWire.loopbackOrigin("localhost", "http://localhost/path")).isFalse();
    assertThat(McpWire.loopbackOrigin("localhost", "http://u@localhost")).isFalse();
    // A gateway with a public name: only its own and the listed origins (checked elsewhere).
    assertThat(McpWire.loopbackOrigin("gw.example.com", "http://localhost:5173")).isFalse();
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
