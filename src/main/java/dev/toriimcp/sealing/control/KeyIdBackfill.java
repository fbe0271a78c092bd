package dev.toriimcp.sealing.control;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import liquibase.change.custom.CustomTaskChange;
import liquibase.database.Database;
import liquibase.database.jvm.JdbcConnection;
import liquibase.exception.CustomChangeException;
import liquibase.exception.ValidationErrors;
import liquibase.resource.ResourceAccessor;

/**
 * Liquibase step of changeset 0004: fills {@code upstream_credential.key_id} of the rows that
 * existed before the column, from the {@code kid} in each sealed value's JWE header (RFC 7516
 * §4.1.6). Reads only the header; nothing is opened, so it needs no key.
 */
public class KeyIdBackfill implements CustomTaskChange {

  /** The key id of a value that is not a sealed value; no configured key id can be this. */
  public static final String UNREADABLE = "?";

  private int filled;

  @Override
  public void execute(Database database) throws CustomChangeException {
    Connection connection = ((JdbcConnection) database.getConnection()).getUnderlyingConnection();
    List<String[]> keyIds = new ArrayList<>(); // subject, backend, key id
    try (PreparedStatement select = connection.prepareStatement(
            "SELECT subject, backend, sealed FROM upstream_credential WHERE key_id IS NULL");
        ResultSet rows = select.executeQuery()) {
      while (rows.next()) {
        keyIds.add(new String[] {rows.getString(1), rows.getString(2),
            Sealer.keyId(rows.getString(3)).orElse(UNREADABLE)});
      }
    } catch (SQLException e) {
      throw new CustomChangeException("cannot read upstream_credential: " + e.getMessage(), e);
    }
    try (PreparedStatement update = connection.prepareStatement(
        "UPDATE upstream_credential SET key_id = ? WHERE subject = ? AND backend = ?")) {
      for (String[] row : keyIds) {
        update.setString(1, row[2]);
        update.setString(2, row[0]);
        update.setString(3, row[1]);
        filled += update.executeUpdate();
      }
    } catch (SQLException e) {
      throw new CustomChangeException("cannot fill upstream_credential.key_id: " + e.getMessage(), e);
    }
  }

  @Override
  public String getConfirmationMessage() {
    return "filled the sealing key id of " + filled + " upstream credential(s)";
  }

  @Override
  public void setUp() {}

  @Override
  public void setFileOpener(ResourceAccessor resourceAccessor) {}

  @Override
  public ValidationErrors validate(Database database) {
    return new ValidationErrors();
  }
}
