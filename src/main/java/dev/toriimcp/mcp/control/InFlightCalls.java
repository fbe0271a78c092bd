package dev.toriimcp.mcp.control;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The upstream calls in flight on this node, by conversation and JSON-RPC request id, so that
 * {@code notifications/cancelled} (MCP 2025-11-25 basic/utilities/cancellation) can abort the
 * one it names. A conversation is one user, client and backend, plus the MCP session when the
 * client has one: request ids are only unique there, and nobody can cancel another user's call.
 * A cancellation for an unknown or finished request is ignored, as the specification asks.
 */
@ApplicationScoped
public class InFlightCalls {

  private record Key(String conversation, String requestId) {}

  private final ConcurrentHashMap<Key, CompletableFuture<?>> calls = new ConcurrentHashMap<>();

  /** Registers a call; close the returned handle when the call has ended. */
  public Registration register(String conversation, JsonNode requestId, CompletableFuture<?> call) {
    Key key = new Key(conversation, requestId.toString());
    calls.put(key, call);
    return () -> calls.remove(key, call);
  }

  /** Cancels the named call if it is still running; returns whether there was one. */
  public boolean cancel(String conversation, JsonNode requestId) {
    if (requestId == null || !(requestId.isTextual() || requestId.isIntegralNumber())) {
      return false;
    }
    CompletableFuture<?> call = calls.remove(new Key(conversation, requestId.toString()));
    return call != null && call.cancel(true);
  }

  /** Removes a registration; never throws. */
  @FunctionalInterface
  public interface Registration extends AutoCloseable {
    @Override
    void close();
  }
}
