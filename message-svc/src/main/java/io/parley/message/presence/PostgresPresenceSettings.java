package io.parley.message.presence;

import static java.util.Objects.requireNonNull;

import io.parley.database.Database;
import io.parley.database.HotQuery;
import io.parley.message.v1.PresenceVisibility;
import java.sql.Array;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link PresenceSettings} in message-svc's PostgreSQL schema, table {@code presence_setting} (one
 * row per user who chose, keyed and distributed by user id). Thread-safe.
 */
public final class PostgresPresenceSettings implements PresenceSettings {
  private static final String SELECT = "SELECT user_id, visibility FROM presence_setting WHERE user_id = ANY(?)";
  private static final String UPSERT = "INSERT INTO presence_setting (user_id, visibility) VALUES (?, ?)"
      + " ON CONFLICT (user_id) DO UPDATE SET visibility = EXCLUDED.visibility";

  /** The statements on hot paths (Subscribe with watched users, GetPresence), and their keys. */
  public static final List<HotQuery> HOT_QUERIES = List.of(
      new HotQuery("presence visibility", "presence_setting", "user_id", SELECT),
      new HotQuery("SetPresenceVisibility", "presence_setting", "user_id", UPSERT));

  private final Database database;

  public PostgresPresenceSettings(Database database) {
    this.database = requireNonNull(database, "database");
  }

  @Override
  public Map<String, PresenceVisibility> visibility(Collection<String> userIds) {
    Map<String, PresenceVisibility> found = new HashMap<>();
    for (String userId : userIds) {
      found.put(userId, DEFAULT);
    }
    if (userIds.isEmpty()) {
      return found;
    }
    return database.read(connection -> {
      try (PreparedStatement select = connection.prepareStatement(SELECT)) {
        Array ids = connection.createArrayOf("text", userIds.toArray());
        select.setArray(1, ids);
        try (ResultSet rs = select.executeQuery()) {
          while (rs.next()) {
            PresenceVisibility visibility = PresenceVisibility.forNumber(rs.getInt(2));
            found.put(rs.getString(1), visibility == null ? DEFAULT : visibility);
          }
        }
      }
      return found;
    });
  }

  @Override
  public void setVisibility(String userId, PresenceVisibility visibility) {
    requireNonNull(userId, "userId");
    requireNonNull(visibility, "visibility");
    database.transaction(connection -> {
      try (PreparedStatement upsert = connection.prepareStatement(UPSERT)) {
        upsert.setString(1, userId);
        upsert.setInt(2, visibility.getNumber());
        upsert.executeUpdate();
      }
      return null;
    });
  }
}
