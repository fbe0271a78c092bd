package dev.toriimcp.mcp.boundary;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class StatelessEraTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode message(String json) throws Exception {
    return JSON.readTree(json);
  }

  private static JsonNode call(String name) throws Exception {
    return message("{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": \"tools/call\", \"params\":"
        + " {\"name\": " + JSON.writeValueAsString(name) + "}}");
  }

  /** Header lookup as the container does it: names are case-insensitive. */
  private static String mismatch(JsonNode message, String... headers) {
    Map<String, String> map = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    for (int i = 0; i < headers.length; i += 2) {
      map.put(headers[i], headers[i + 1]);
    }
    return StatelessEra.mismatch(map::get, message);
  }

  @Test
  void initializeAndHandshakeEraVersionsStayInTheHandshakeEra() throws Exception {
    JsonNode list = message("{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": \"tools/list\"}");
    JsonNode init = message("{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": \"initialize\"}");

    assertThat(StatelessEra.selects((String) null, list)).isFalse();
    for (String version : new String[] {"2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"}) {
      assertThat(StatelessEra.selects(version, list)).as(version).isFalse();
    }
    assertThat(StatelessEra.selects("2025-11-25", init)).isFalse();
    assertThat(StatelessEra.selects("2099-01-01", init)).as("initialize ignores the header").isFalse();
    assertThat(StatelessEra.selects((String) null, message("[{\"method\": \"tools/list\"}]"))).isFalse();
  }

  @Test
  void aModernOrUnknownVersionSelectsTheStatelessEra() throws Exception {
    JsonNode list = message("{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": \"tools/list\"}");
    JsonNode declared = message("{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": \"tools/list\","
        + " \"params\": {\"_meta\": {\"io.modelcontextprotocol/protocolVersion\": \"2026-07-28\"}}}");
    JsonNode declaredOld = message("{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": \"tools/list\","
        + " \"params\": {\"_meta\": {\"io.modelcontextprotocol/protocolVersion\": \"2025-11-25\"}}}");

    assertThat(StatelessEra.selects("2026-07-28", list)).isTrue();
    assertThat(StatelessEra.selects("2026-07-28", message("{\"jsonrpc\": \"2.0\", \"id\": 1,"
        + " \"method\": \"initialize\"}"))).as("a removed method, 404").isTrue();
    assertThat(StatelessEra.selects("2099-01-01", list)).as("answered with -32022").isTrue();
    assertThat(StatelessEra.selects((String) null, declared)).as("then -32020: no header").isTrue();
    assertThat(StatelessEra.selects((String) null, declaredOld)).isFalse();
    assertThat(StatelessEra.selects("2026-07-28", message("[]"))).as("then 400: no batches").isTrue();
  }

  @Test
  void headersMustMirrorTheBodyExactly() throws Exception {
    JsonNode call = call("getPet");

    assertThat(mismatch(call, "MCP-Protocol-Version", "2026-07-28", "Mcp-Method", "tools/call",
        "Mcp-Name", "getPet")).isNull();
    assertThat(mismatch(call, "mcp-protocol-version", "2026-07-28", "MCP-METHOD", "tools/call",
        "mcp-name", "getPet")).as("header names are case-insensitive").isNull();
    assertThat(mismatch(call, "Mcp-Method", "tools/call", "Mcp-Name", "getPet"))
        .contains("MCP-Protocol-Version");
    assertThat(mismatch(call, "MCP-Protocol-Version", "2026-07-28", "Mcp-Name", "getPet"))
        .contains("Mcp-Method header is required");
    assertThat(mismatch(call, "MCP-Protocol-Version", "2026-07-28", "Mcp-Method", "TOOLS/CALL",
        "Mcp-Name", "getPet")).as("values are case-sensitive").contains("does not match");
    assertThat(mismatch(call, "MCP-Protocol-Version", "2026-07-28", "Mcp-Method", "tools/call"))
        .contains("Mcp-Name header is required");
    assertThat(mismatch(call, "MCP-Protocol-Version", "2026-07-28", "Mcp-Method", "tools/call",
        "Mcp-Name", "getpet")).contains("params.name");
    JsonNode list = message("{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": \"tools/list\"}");
    assertThat(mismatch(list, "MCP-Protocol-Version", "2026-07-28", "Mcp-Method", "tools/list"))
        .as("Mcp-Name only for named methods").isNull();
  }

  @Test
  void namesOutsidePlainAsciiComeAsBase64Sentinels() throws Exception {
    String name = "grüße_😀";
    String sentinel = "=?base64?" + Base64.getEncoder().encodeToString(
        name.getBytes(StandardCharsets.UTF_8)) + "?=";

    assertThat(StatelessEra.decoded(sentinel)).isEqualTo(name);
    assertThat(mismatch(call(name), "MCP-Protocol-Version", "2026-07-28", "Mcp-Method",
        "tools/call", "Mcp-Name", sentinel)).isNull();
    // A literal that looks like a sentinel was encoded by the client, so it is decoded here.
    String literal = "=?base64?literal?=";
    assertThat(StatelessEra.decoded("=?base64?" + Base64.getEncoder().encodeToString(
        literal.getBytes(StandardCharsets.UTF_8)) + "?=")).isEqualTo(literal);
  }

  @Test
  void whiteSpaceAroundAHeaderValueIsNotPartOfIt() {
    assertThat(StatelessEra.ows("  getPet\t")).isEqualTo("getPet");
    assertThat(StatelessEra.ows("get Pet")).isEqualTo("get Pet");
    assertThat(StatelessEra.ows(null)).isNull();
  }

  @Test
  void malformedHeaderValuesAreRefused() {
    assertThat(StatelessEra.decoded("=?base64?not*base64?=")).isNull();
    assertThat(StatelessEra.decoded("=?base64?" + Base64.getEncoder().encodeToString(
        new byte[] {(byte) 0xff, (byte) 0xfe}) + "?=")).as("not UTF-8").isNull();
    assertThat(StatelessEra.decoded("line\nbreak")).isNull();
    assertThat(StatelessEra.decoded("caf\u00e9")).as("raw non-ASCII").isNull();
    assertThat(StatelessEra.decoded("tab\tand space")).isEqualTo("tab\tand space");
  }
}
