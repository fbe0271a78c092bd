package dev.toriimcp.mcp.boundary;

import static org.assertj.core.api.Assertions.assertThat;

import dev.toriimcp.mcp.boundary.McpServlet.Framing;
import org.junit.jupiter.api.Test;

/**
 * How the {@code Accept} header frames a reply (research §1.2: lenient, 406 only if neither),
 * and which {@code Host} a loopback gateway accepts (DNS rebinding).
 */
class McpServletTest {

  @Test
  void jsonWheneverTheClientTakesIt() {
    assertThat(McpServlet.framing(null)).isEqualTo(Framing.JSON);
    assertThat(McpServlet.framing(" ")).isEqualTo(Framing.JSON);
    assertThat(McpServlet.framing("application/json, text/event-stream")).isEqualTo(Framing.JSON);
    assertThat(McpServlet.framing("text/event-stream, application/json")).isEqualTo(Framing.JSON);
    assertThat(McpServlet.framing("*/*")).isEqualTo(Framing.JSON);
    assertThat(McpServlet.framing("Application/JSON; charset=utf-8")).isEqualTo(Framing.JSON);
    assertThat(McpServlet.framing("application/*;q=0.5")).isEqualTo(Framing.JSON);
  }

  @Test
  void aStreamOnlyWhenJsonIsNotAccepted() {
    assertThat(McpServlet.framing("text/event-stream")).isEqualTo(Framing.EVENT_STREAM);
    assertThat(McpServlet.framing("text/*")).isEqualTo(Framing.EVENT_STREAM);
    assertThat(McpServlet.framing("application/json;q=0, text/event-stream"))
        .isEqualTo(Framing.EVENT_STREAM);
    assertThat(McpServlet.framing("application/json; q=0.000, text/event-stream;q=1"))
        .isEqualTo(Framing.EVENT_STREAM);
  }

  @Test
  void neitherWhenTheClientRefusesBoth() {
    assertThat(McpServlet.framing("text/html")).isEqualTo(Framing.NONE);
    assertThat(McpServlet.framing("application/xml, image/png")).isEqualTo(Framing.NONE);
    assertThat(McpServlet.framing("text/event-stream;q=0")).isEqualTo(Framing.NONE);
  }

  @Test
  void aLoopbackGatewayAcceptsOnlyLoopbackHosts() {
    assertThat(McpServlet.hostAllowed("localhost", "localhost:8080")).isTrue();
    assertThat(McpServlet.hostAllowed("localhost", "127.0.0.1:8080")).isTrue();
    assertThat(McpServlet.hostAllowed("127.0.0.1", "LOCALHOST")).isTrue();
    assertThat(McpServlet.hostAllowed("[::1]", "[::1]:8080")).isTrue();
    assertThat(McpServlet.hostAllowed("localhost", "[::1]")).isTrue();

    assertThat(McpServlet.hostAllowed("localhost", "evil.example:8080")).isFalse();
    assertThat(McpServlet.hostAllowed("localhost", "evil.example")).isFalse();
    assertThat(McpServlet.hostAllowed("127.0.0.1", "localhost.evil.example")).isFalse();
    assertThat(McpServlet.hostAllowed("localhost", "127.0.0.1.evil.example:80")).isFalse();
    assertThat(McpServlet.hostAllowed("localhost", "[::2]:8080")).isFalse();
  }

  @Test
  void aGatewayWithAPublicNameDoesNotCheckHost() {
    assertThat(McpServlet.hostAllowed("mcp.example.com", "internal-lb:8080")).isTrue();
    assertThat(McpServlet.hostAllowed("mcp.example.com", "evil.example")).isTrue();
  }

  @Test
  void jsonBodiesMayCarryParametersAndMayLeaveTheTypeOut() {
    assertThat(McpServlet.jsonContent(null)).isTrue();
    assertThat(McpServlet.jsonContent("application/json")).isTrue();
    assertThat(McpServlet.jsonContent("Application/JSON; charset=UTF-8")).isTrue();
    assertThat(McpServlet.jsonContent("application/json-rpc+json")).isTrue();

    assertThat(McpServlet.jsonContent("text/plain")).isFalse();
    assertThat(McpServlet.jsonContent("application/x-www-form-urlencoded")).isFalse();
    assertThat(McpServlet.jsonContent("application/jsonp")).isFalse();
  }

  @Test
  void sessionIdsAreVisibleAscii() {
    assertThat(McpServlet.visibleAscii("a1-_.~!Z")).isTrue();

    assertThat(McpServlet.visibleAscii("")).isFalse();
    assertThat(McpServlet.visibleAscii("a b")).isFalse();
    assertThat(McpServlet.visibleAscii("caf\u00e9")).isFalse();
    assertThat(McpServlet.visibleAscii("a\u0001")).isFalse();
  }
}
