package dev.toriimcp.mcp.boundary;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The bound on the replies to one batch (ADR 0013). */
class JsonRpcBatchTest {

  private static JsonNode reply(int id, int textLength) {
    ObjectNode reply = JsonNodeFactory.instance.objectNode().put("jsonrpc", "2.0").put("id", id);
    reply.putObject("result").put("text", "x".repeat(textLength));
    return reply;
  }

  @Test
  void repliesPastTheBoundAreWithheldWithTheirIdAndSmallerOnesStillFit() throws Exception {
    List<JsonNode> replies = List.of(reply(1, 1500), reply(2, 1500), reply(3, 1500), reply(4, 10));

    ArrayNode bounded = JsonRpcBatch.bounded(replies, 4000);

    assertThat(bounded).hasSize(4);
    assertThat(bounded.get(0)).isSameAs(replies.get(0));
    assertThat(bounded.get(1)).isSameAs(replies.get(1));
    assertThat(bounded.get(2).path("id").asInt()).isEqualTo(3);
    assertThat(bounded.get(2).at("/error/code").asInt()).isEqualTo(-32000);
    assertThat(bounded.get(2).at("/error/message").asText()).isEqualTo("The request was handled,"
        + " but its reply is withheld: the replies to one batch may take at most 4000 bytes."
        + " Send large requests on their own");
    assertThat(bounded.get(3)).isSameAs(replies.get(3));
  }

  @Test
  void theBoundIsFourMebibytes() throws Exception {
    assertThat(JsonRpcBatch.MAX_REPLY_BYTES).isEqualTo(4 * 1024 * 1024);
    assertThat(JsonRpcBatch.MAX_MESSAGES).isEqualTo(32);
    List<JsonNode> replies = List.of(reply(1, 3 * 1024 * 1024), reply(2, 2 * 1024 * 1024));
    assertThat(JsonRpcBatch.bounded(replies, JsonRpcBatch.MAX_REPLY_BYTES).get(1).has("error"))
        .isTrue();
  }
}
