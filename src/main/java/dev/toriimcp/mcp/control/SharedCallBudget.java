package dev.toriimcp.mcp.control;

import dev.toriimcp.oauth.control.Secrets;
import dev.toriimcp.platform.control.Storage;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.function.LongSupplier;

/**
 * The per-minute buckets of {@link CallLimiter} in the shared database, for several nodes
 * (ADR 0034): each user's bucket on a backend is a row of {@code mcp_call_budget}, refilled and
 * taken from in one conditional {@code UPDATE}, so all nodes together admit at most
 * {@code perMinute} calls a minute per user, and no lock is held between statements. The row
 * lock of that one statement is the only serialisation, the same on PostgreSQL and Derby. Keys
 * are stored hashed, so the table names no user.
 *
 * <p>The refill uses each node's clock; a node whose clock lags another's refills nothing until
 * it catches up, never less than nothing.
 */
public final class SharedCallBudget implements CallLimiter.MinuteBudget {

  /** Tokens after refilling from {@code refilled_at} to the node's now, capped at capacity. */
  private static final String REFILLED = "(CASE WHEN tokens + (CASE WHEN refilled_at < CAST(? AS BIGINT)"
      + " THEN CAST(? AS BIGINT) - refilled_at ELSE 0 END) * CAST(? AS DOUBLE PRECISION)"
      + " > CAST(? AS DOUBLE PRECISION) THEN CAST(? AS DOUBLE PRECISION)"
      + " ELSE tokens + (CASE WHEN refilled_at < CAST(? AS BIGINT)"
      + " THEN CAST(? AS BIGINT) - refilled_at ELSE 0 END) * CAST(? AS DOUBLE PRECISION) END)";

  private static final String TAKE = "UPDATE mcp_call_budget SET tokens = " + REFILLED + " - 1,"
      + " refilled_at = CASE WHEN refilled_at < CAST(? AS BIGINT) THEN CAST(? AS BIGINT)"
      + " ELSE refilled_at END WHERE budget_key = ? AND " + REFILLED + " >= 1";

  private static final String READ =
      "SELECT tokens, refilled_at FROM mcp_call_budget WHERE budget_key = ?";

  private static final String CREATE =
      "INSERT INTO mcp_call_budget (budget_key, tokens, refilled_at) VALUES (?, ?, ?)";

  private final Storage storage;
  private final int perMinute;
  private final double perMilli;
  private final LongSupplier clock;

  public SharedCallBudget(Storage storage, int perMinute) {
    this(storage, perMinute, System::currentTimeMillis);
  }

  SharedCallBudget(Storage storage, int perMinute, LongSupplier clock) {
    this.storage = storage;
    this.perMinute = perMinute;
    this.perMilli = perMinute / 60_000.0;
    this.clock = clock;
  }

  @Override
  public String take(String key) {
    String hashed = Secrets.hash(key);
    return storage.withConnection(connection -> {
      // A lost race to create the row leaves it created, so the second round takes from it.
      for (int round = 0; round < 3; round++) {
        long now = clock.getAsLong();
        if (take(connection, hashed, now)) {
          return null;
        }
        Double tokens = refilled(connection, hashed, now);
        if (tokens != null) {
          long seconds = (long) Math.ceil((1 - tokens) / perMilli / 1000);
          return CallLimiter.perMinuteRefusal(perMinute, seconds);
        }
        if (create(connection, hashed, now)) {
          return null;
        }
      }
      throw new SQLException("mcp_call_budget row neither found nor created", "40001");
    });
  }

  private boolean take(Connection connection, String key, long now) throws SQLException {
    try (PreparedStatement update = connection.prepareStatement(TAKE)) {
      int i = refilledParameters(update, 1, now);
      update.setLong(i++, now);
      update.setLong(i++, now);
      update.setString(i++, key);
      refilledParameters(update, i, now);
      return update.executeUpdate() == 1;
    }
  }

  private int refilledParameters(PreparedStatement statement, int first, long now)
      throws SQLException {
    int i = first;
    statement.setLong(i++, now);
    statement.setLong(i++, now);
    statement.setDouble(i++, perMilli);
    statement.setDouble(i++, perMinute);
    statement.setDouble(i++, perMinute);
    statement.setLong(i++, now);
    statement.setLong(i++, now);
    statement.setDouble(i++, perMilli);
    return i;
  }

  /** The bucket's tokens as of {@code now}, or null when the key has no bucket yet. */
  private Double refilled(Connection connection, String key, long now) throws SQLException {
    try (PreparedStatement read = connection.prepareStatement(READ)) {
      read.setString(1, key);
      try (ResultSet row = read.executeQuery()) {
        if (!row.next()) {
          return null;
        }
        double tokens = row.getDouble(1) + Math.max(0, now - row.getLong(2)) * perMilli;
        return Math.min(perMinute, tokens);
      }
    }
  }

  /** A full bucket less this call; false if another node created it first. */
  private boolean create(Connection connection, String key, long now) throws SQLException {
    try (PreparedStatement insert = connection.prepareStatement(CREATE)) {
      insert.setString(1, key);
      insert.setDouble(2, perMinute - 1.0);
      insert.setLong(3, now);
      insert.executeUpdate();
      return true;
    } catch (SQLException e) {
      if (e.getSQLState() != null && e.getSQLState().startsWith("23")) {
        return false; // integrity constraint: the row exists now
      }
      throw e;
    }
  }
}
