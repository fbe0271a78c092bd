package dev.toriimcp.mcp.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toriimcp.mcp.entity.McpOutcome;

/**
 * What every result of the stateless era carries (MCP 2026-07-28 schema {@code Result},
 * server/utilities/caching): {@code resultType} (the gateway asks for no input, so always
 * {@code complete}), the server's identity in {@code _meta}, and on list results the caching
 * hints.
 *
 * <p>The hints are honest for a catalog: it is the same for every user of the backend (the
 * policy is per backend, not per user), so it is {@code public}; it changes only when the
 * configuration or the spec does (a live reload, ADR 0032), and {@link #TTL_MS} bounds how long
 * a client keeps the old one after that.
 */
public final class StatelessResults {

  /** Five minutes: how long a client may keep a list before asking again. */
  public static final long TTL_MS = 300_000;
  static final String SERVER_INFO = "io.modelcontextprotocol/serverInfo";

  private StatelessResults() {}

  /** The result with the caching hints of a catalog. */
  static ObjectNode cacheable(ObjectNode result) {
    return result.put("ttlMs", TTL_MS).put("cacheScope", "public");
  }

  /** The outcome, its result (if it has one) marked complete and signed with {@code serverInfo}. */
  static McpOutcome complete(McpOutcome outcome, ObjectNode serverInfo) {
    if (outcome instanceof McpOutcome.Pending pending) {
      return new McpOutcome.Pending(pending.outcome().thenApply(done -> complete(done, serverInfo)));
    }
    if (outcome instanceof McpOutcome.Reply reply
        && reply.body().get("result") instanceof ObjectNode result) {
      result.put("resultType", "complete");
      JsonNode meta = result.get("_meta");
      (meta instanceof ObjectNode existing ? existing : result.putObject("_meta"))
          .set(SERVER_INFO, serverInfo);
    }
    return outcome;
  }
}
