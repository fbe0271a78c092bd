package dev.toriimcp.mcp.control;

import com.fasterxml.jackson.databind.JsonNode;
import dev.toriimcp.oauth.control.Secrets;
import dev.toriimcp.platform.control.DeadlineTimers;
import dev.toriimcp.platform.control.Storage;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The upstream calls in flight on this node, by conversation and JSON-RPC request id, so that
 * {@code notifications/cancelled} (MCP 2025-11-25 basic/utilities/cancellation) can abort the
 * one it names. A conversation is one user, client and backend, plus the MCP session when the
 * client has one: request ids are only unique there, and nobody can cancel another user's call.
 * A cancellation for an unknown or finished request is ignored, as the specification asks.
 *
 * <p>When several nodes share the database ({@link Storage#shared()}), the node that receives a
 * cancellation for a call it does not run writes it to {@code mcp_cancellation}; every node with
 * calls in flight reads the recent rows every {@value #DEFAULT_POLL_MILLIS} ms and cancels the
 * calls they name (ADR 0034). A row also cancels a call that registers just after it arrived,
 * but not one registered later with a reused id. Conversations are stored hashed.
 */
@ApplicationScoped
public class InFlightCalls {

  static final String POLL_PROPERTY = "torii.cluster.cancel-poll-ms";
  static final long DEFAULT_POLL_MILLIS = 100;
  /** How far back a poll looks: longer than any pause of a node, shorter than any reuse of an id. */
  static final long WINDOW_MILLIS = 30_000;
  /** A row may come from a node whose clock is this much behind the one running the call. */
  static final long SKEW_MILLIS = 2_000;
  private static final long PURGE_EVERY_MILLIS = 10_000;
  private static final Logger LOG = Logger.getLogger(InFlightCalls.class.getName());

  private static final String RELAY = "INSERT INTO mcp_cancellation"
      + " (conversation_hash, request_id, created_at) VALUES (?, ?, ?)";
  private static final String RECENT = "SELECT conversation_hash, request_id, created_at"
      + " FROM mcp_cancellation WHERE created_at > ?";
  private static final String PURGE = "DELETE FROM mcp_cancellation WHERE created_at < ?";

  private record Key(String conversation, String requestId) {}

  private record Call(CompletableFuture<?> future, long registeredAt) {}

  @Inject Storage storage;

  private final ConcurrentHashMap<Key, Call> calls = new ConcurrentHashMap<>();
  private ScheduledExecutorService poller;
  private long purgedAt;
  private long warnedAt;

  /** Registers a call; close the returned handle when the call has ended. */
  public Registration register(String conversation, JsonNode requestId, CompletableFuture<?> call) {
    Key key = key(conversation, requestId);
    Call entry = new Call(call, System.currentTimeMillis());
    calls.put(key, entry);
    if (shared()) {
      startPolling();
    }
    return () -> calls.remove(key, entry);
  }

  /**
   * Cancels the named call if it runs on this node and returns whether it did; with several
   * nodes, relays the cancellation to the others otherwise.
   */
  public boolean cancel(String conversation, JsonNode requestId) {
    if (requestId == null || !(requestId.isTextual() || requestId.isIntegralNumber())) {
      return false;
    }
    Key key = key(conversation, requestId);
    Call call = calls.remove(key);
    if (call != null) {
      return call.future().cancel(true);
    }
    if (shared()) {
      relay(key);
    }
    return false;
  }

  private boolean shared() {
    return storage != null && storage.shared();
  }

  private Key key(String conversation, JsonNode requestId) {
    return new Key(shared() ? Secrets.hash(conversation) : conversation, requestId.toString());
  }

  private void relay(Key key) {
    if (key.requestId().length() > 200) {
      return; // no call of ours has such an id: the column is as wide as any we register
    }
    try {
      storage.withConnection(connection -> {
        try (PreparedStatement insert = connection.prepareStatement(RELAY)) {
          insert.setString(1, key.conversation());
          insert.setString(2, key.requestId());
          insert.setLong(3, System.currentTimeMillis());
          insert.executeUpdate();
        } catch (SQLException e) {
          if (e.getSQLState() == null || !e.getSQLState().startsWith("23")) {
            throw e;
          } // the same cancellation twice: once is enough
        }
        return null;
      });
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "torii-mcp: a cancellation could not be passed to the other nodes", e);
    }
  }

  private synchronized void startPolling() {
    if (poller != null) {
      return;
    }
    long interval = Math.max(10, Long.getLong(POLL_PROPERTY, DEFAULT_POLL_MILLIS));
    poller = DeadlineTimers.create("torii-cancellations");
    poller.scheduleWithFixedDelay(this::poll, interval, interval, TimeUnit.MILLISECONDS);
  }

  /** Cancels the calls of this node that recent rows name; purges old rows now and then. */
  void poll() {
    if (calls.isEmpty()) {
      return;
    }
    long now = System.currentTimeMillis();
    try {
      storage.withConnection(connection -> {
        try (PreparedStatement recent = connection.prepareStatement(RECENT)) {
          recent.setLong(1, now - WINDOW_MILLIS);
          try (ResultSet rows = recent.executeQuery()) {
            while (rows.next()) {
              Key key = new Key(rows.getString(1), rows.getString(2));
              Call call = calls.get(key);
              if (call != null && call.registeredAt() <= rows.getLong(3) + SKEW_MILLIS
                  && calls.remove(key, call)) {
                call.future().cancel(true);
              }
            }
          }
        }
        if (now - purgedAt > PURGE_EVERY_MILLIS) {
          purgedAt = now;
          try (PreparedStatement purge = connection.prepareStatement(PURGE)) {
            purge.setLong(1, now - 2 * WINDOW_MILLIS);
            purge.executeUpdate();
          }
        }
        return null;
      });
    } catch (RuntimeException e) {
      if (now - warnedAt > 60_000) { // the poll repeats ten times a second: say it once a minute
        warnedAt = now;
        LOG.log(Level.WARNING, "torii-mcp: cancellations from other nodes could not be read", e);
      }
    }
  }

  @PreDestroy
  synchronized void stop() {
    if (poller != null) {
      poller.shutdownNow();
      poller = null;
    }
  }

  /** Removes a registration; never throws. */
  @FunctionalInterface
  public interface Registration extends AutoCloseable {
    @Override
    void close();
  }
}
