package io.parley.webhook;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import io.parley.database.Database;
import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * An outbox in the table {@code webhook_outbox} of a service's own schema (each service that sends
 * webhooks has the table among its migrations), so deliveries outlive the process. Claiming locks
 * rows with {@code SKIP LOCKED} and leases them, so replicas of a service share the work and none
 * delivers a row another is delivering, unless its lease ran out. Thread-safe.
 */
final class PostgresWebhookOutbox implements WebhookOutbox {
  private static final String INSERT =
      "INSERT INTO webhook_outbox (event_id, endpoint, body, attempts, due_at, created_at) VALUES (?, ?, ?, 0, ?, ?)";
  private static final String CLAIM = """
      UPDATE webhook_outbox SET due_at = ?
      WHERE id IN (SELECT id FROM webhook_outbox WHERE due_at <= ? ORDER BY due_at LIMIT ? FOR UPDATE SKIP LOCKED)
      RETURNING id, event_id, endpoint, body, attempts""";
  private static final String DELETE = "DELETE FROM webhook_outbox WHERE id = ?";
  private static final String RETRY = "UPDATE webhook_outbox SET attempts = ?, due_at = ? WHERE id = ?";

  private final Database database;

  PostgresWebhookOutbox(Database database) {
    this.database = requireNonNull(database, "database");
  }

  @Override
  public int add(List<WebhookEvent> events, List<URI> endpoints, Instant now) {
    if (events.isEmpty() || endpoints.isEmpty()) {
      return 0;
    }
    return database.transaction(c -> insert(c, events, endpoints, now));
  }

  /** Adds the deliveries on {@code c}, in the caller's transaction; answers how many. */
  static int insert(Connection c, List<WebhookEvent> events, List<URI> endpoints, Instant now) throws SQLException {
    try (PreparedStatement insert = c.prepareStatement(INSERT)) {
      Timestamp at = Timestamp.from(now);
      for (WebhookEvent event : events) {
        String body = new String(event.body(), UTF_8);
        for (URI endpoint : endpoints) {
          insert.setString(1, event.id());
          insert.setString(2, endpoint.toString());
          insert.setString(3, body);
          insert.setTimestamp(4, at);
          insert.setTimestamp(5, at);
          insert.addBatch();
        }
      }
      insert.executeBatch();
    }
    return events.size() * endpoints.size();
  }

  @Override
  public List<Delivery> claim(int max, Instant now, Instant leaseUntil) {
    return database.transaction(c -> {
      List<Delivery> due = new ArrayList<>();
      try (PreparedStatement claim = c.prepareStatement(CLAIM)) {
        claim.setTimestamp(1, Timestamp.from(leaseUntil));
        claim.setTimestamp(2, Timestamp.from(now));
        claim.setInt(3, max);
        try (ResultSet rows = claim.executeQuery()) {
          while (rows.next()) {
            due.add(new Delivery(rows.getLong(1), rows.getString(2), URI.create(rows.getString(3)),
                rows.getString(4).getBytes(UTF_8), rows.getInt(5)));
          }
        }
      }
      return due;
    });
  }

  @Override
  public void remove(Delivery delivery) {
    database.read(c -> {
      try (PreparedStatement delete = c.prepareStatement(DELETE)) {
        delete.setLong(1, delivery.key());
        return delete.executeUpdate();
      }
    });
  }

  @Override
  public void retry(Delivery delivery, Instant dueAt) {
    database.read(c -> {
      try (PreparedStatement retry = c.prepareStatement(RETRY)) {
        retry.setInt(1, delivery.attempts() + 1);
        retry.setTimestamp(2, Timestamp.from(dueAt));
        retry.setLong(3, delivery.key());
        return retry.executeUpdate();
      }
    });
  }
}
