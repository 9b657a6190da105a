package io.parley.message.store;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnsafeByteOperations;
import com.google.protobuf.util.Timestamps;
import io.parley.database.Database;
import io.parley.database.DatabaseSettings;
import io.parley.database.HotQuery;
import io.parley.database.SqlWork;
import io.parley.message.store.AppendPlan.Head;
import io.parley.message.store.AppendPlan.ReadAdvance;
import io.parley.message.store.AppendPlan.SendKey;
import io.parley.message.v1.ConversationSettings;
import io.parley.message.v1.Message;
import io.parley.message.v1.MessageVersion;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The store of record: a {@link MessageStore} on PostgreSQL through {@link Database} (schema {@value
 * #SCHEMA}, migrations under {@value #MIGRATIONS}).
 *
 * <p>Tables: {@code conversation} (the seq counter), {@code message} (the history, keyed by
 * conversation and seq, unique per sender and client_msg_id), {@code reader} (read seqs, keyed by
 * user) and {@code user_conversation} (private conversations and their last activity, keyed by
 * user). Every statement in {@link #HOT_QUERIES} names its table's distribution key.
 *
 * <p><b>An append batch is one statement</b> ({@link #WRITE_BATCH}: the messages, the
 * conversations' counters, the senders' read seqs that follow their messages, each private
 * conversation's last activity for both users), one round trip whatever its size, when the store
 * knows the heads of the batch's conversations (their last seq and time): those it committed last,
 * or read in the event log's message events. The statement locks the conversation rows in id order
 * and writes only if their heads are those the batch was planned on. Where another replica has
 * moved one since, it writes nothing and answers the current heads, and the batch is planned again
 * on those. Else (a conversation the store has not written lately, or heads that moved again) the
 * batch is one transaction of three round trips: lock the conversation rows in id order ({@code
 * SELECT … FOR UPDATE}, creating those that do not exist yet: two more round trips, for new
 * conversations only); the same statement; commit. A batch that repeats a send of an earlier
 * batch (a client's retry) is refused whole by the unique constraint on client_msg_id, rolled back,
 * and stored again in such a transaction after looking its client_msg_ids up (exact under the
 * conversation locks, since every insert into a conversation holds its row). A rolled back batch
 * leaves no trace, so seqs stay gapless. Every write commits synchronously ({@link
 * #SESSION_SETTINGS}): a server default of off cannot weaken the acknowledgement.
 *
 * <p>Messages are stored as columns plus a {@code payload}: the protobuf {@link Message} without the
 * fields the columns hold. Thread-safe.
 */
public final class PostgresMessageStore implements MessageStore {
  /** The schema message-svc owns. */
  public static final String SCHEMA = "parley_message";
  /** Where its Flyway migrations are on the classpath. */
  public static final String MIGRATIONS = "io/parley/message/db/migration";

  /** 9999-12-31T23:59:59.999Z: later than any activity, the cursor of a first page. */
  private static final long END_OF_TIME_MILLIS = 253_402_300_799_999L;

  /**
   * The width of the buckets by which a user's private conversations are indexed by last activity
   * ({@code user_conversation.activity_bucket}: epoch milliseconds / this). A send moves a row's
   * exact time, which no index holds, so that it is updated in place (HOT) unless it enters a new
   * bucket; a page of the conversation list sorts the rows of the buckets it reaches by exact time.
   * Wider buckets make more of the updates HOT and give each page more rows to sort (migration V8).
   */
  static final long ACTIVITY_BUCKET_MILLIS = 10_000;

  private static final String VISIBLE_FROM = "timestamptz 'epoch' + v.visible_ms * interval '1 millisecond'";

  private static final String LOCK_CONVERSATIONS = """
      SELECT conversation_id, last_seq, last_time FROM conversation
      WHERE conversation_id = ANY(?) ORDER BY conversation_id FOR UPDATE""";
  private static final String CREATE_CONVERSATIONS = """
      INSERT INTO conversation (conversation_id, last_seq, last_time)
      SELECT id, 0, timestamptz 'epoch' FROM unnest(?::text[]) AS id ORDER BY id
      ON CONFLICT (conversation_id) DO NOTHING""";
  /**
   * One probe of the unique index per draft: LATERAL makes each draft's three values the index's
   * key. (A plain join let the planner read every message of the batch's conversations by the
   * primary key and filter them, a cost that grew with the history: 3.5 ms a batch at 10,000
   * messages per conversation.)
   */
  private static final String FIND_SENDS = """
      SELECT m.conversation_id, m.sender_id, m.client_msg_id, m.seq, m.message_id, m.server_time
      FROM unnest(?::text[], ?::text[], ?::text[]) AS d(conversation_id, sender_id, client_msg_id)
      CROSS JOIN LATERAL (
        SELECT f.conversation_id, f.sender_id, f.client_msg_id, f.seq, f.message_id, f.server_time FROM message f
        WHERE f.conversation_id = d.conversation_id AND f.sender_id = d.sender_id AND f.client_msg_id = d.client_msg_id
      ) m
      WHERE d.conversation_id = ANY(?)""";
  /** SQLSTATE of a unique constraint's refusal: in a batch's write, only client_msg_id's can refuse. */
  private static final String UNIQUE_VIOLATION = "23505";
  /** SQLSTATE of {@code NOWAIT}'s refusal: a row another transaction holds. */
  private static final String LOCK_NOT_AVAILABLE = "55P03";
  private static final String AT_MILLIS = "timestamptz 'epoch' + %s * interval '1 millisecond'";
  /**
   * A batch's every write, one statement whatever its size (each array holds one element per row):
   * the messages, the conversations' counters, the senders' read seqs that follow their messages
   * (an update where the sender had read everything; a first read seq where there was none), and
   * each private conversation's last activity for both users (an update of the rows that exist; an
   * insert of those that do not, which its first message creates). Each row is written by exactly
   * one part, so the parts cannot see or undo each other. The last activity is not an upsert:
   * {@code ON CONFLICT DO UPDATE} locks the row it updates first, one more WAL record for each of
   * the two rows of every message (the bench's {@code messaging}: 17.3 records a message with it,
   * 15.1 without).
   *
   * <p>Each part names its table's distribution key as one element of an array parameter: in its
   * insert's column list, or by joining the key with the array ({@code unnest}), which finds each
   * row by its whole primary key. So a sharded deployment touches only the shards the batch names.
   * The updates once also pinned the key with {@code = ANY(?)} beside the join. In a prepared
   * statement's generic plan that is a filter no index serves, and it compared each row read with
   * each key of the batch, one by one. It also led the planner to read every row of the batch's
   * users. An isolated batch of 169 messages took about a quarter longer with it. In the
   * bench's {@code messaging} it turned one update into a scan of the whole table: 12 ms of a
   * 20-ms statement.
   *
   * <p><b>The heads it was planned on.</b> The statement first locks the batch's conversations in id
   * order and compares each one's last seq and time with the head the batch was planned on; every
   * part writes only if all of them match ({@code gate}). Where one does not, the statement writes
   * nothing and answers the heads it locked instead. So a writer that knows the heads (it committed
   * them last) stores a batch in this one statement, in auto-commit mode: one round trip, where
   * reading the heads first under lock took three (the locking read, this statement, COMMIT).
   *
   * <p>It never waits for a lock ({@code NOWAIT}): a conversation another batch holds is about to
   * get a new head, and the batch goes the locking way, which waits. A statement in auto-commit mode
   * that waited could commit after its caller had given up on it (a socket timeout, a dropped
   * connection), leaving a stored message its sender was told had failed; waiting in a transaction,
   * before COMMIT, it rolls back instead. (Under the locking read's locks, NOWAIT finds them held by
   * its own transaction and goes on.)
   */
  private static final String WRITE_BATCH = """
      WITH locked AS (
        SELECT conversation_id, last_seq, last_time FROM conversation
        WHERE conversation_id = ANY(?) ORDER BY conversation_id FOR UPDATE NOWAIT),
      gate AS (
        SELECT count(*) = ? AS ok
        FROM locked l JOIN unnest(?::text[], ?::bigint[], ?::bigint[]) AS e(conversation_id, last_seq, ms)
          ON e.conversation_id = l.conversation_id
        WHERE l.last_seq = e.last_seq AND l.last_time = %5$s),
      inserted AS (
        INSERT INTO message (conversation_id, seq, message_id, sender_id, client_msg_id, server_time, payload)
        SELECT d.conversation_id, d.seq, d.message_id, d.sender_id, d.client_msg_id, %1$s, d.payload
        FROM unnest(?::text[], ?::bigint[], ?::text[], ?::text[], ?::text[], ?::bigint[], ?::bytea[])
          AS d(conversation_id, seq, message_id, sender_id, client_msg_id, ms, payload)
        WHERE (SELECT ok FROM gate)
        RETURNING 1),
      advanced AS (
        UPDATE conversation c SET last_seq = h.last_seq, last_time = %2$s
        FROM unnest(?::text[], ?::bigint[], ?::bigint[]) AS h(conversation_id, last_seq, ms)
        WHERE c.conversation_id = h.conversation_id AND (SELECT ok FROM gate)
        RETURNING 1),
      followed AS (
        UPDATE reader r SET read_seq = a.new_seq
        FROM unnest(?::text[], ?::text[], ?::bigint[], ?::bigint[]) AS a(user_id, conversation_id, expected_seq, new_seq)
        WHERE r.user_id = a.user_id AND r.conversation_id = a.conversation_id AND r.read_seq = a.expected_seq
          AND a.expected_seq > 0 AND (SELECT ok FROM gate)
        RETURNING 1),
      first_read AS (
        INSERT INTO reader (user_id, conversation_id, read_seq)
        SELECT a.user_id, a.conversation_id, a.new_seq
        FROM unnest(?::text[], ?::text[], ?::bigint[], ?::bigint[]) AS a(user_id, conversation_id, expected_seq, new_seq)
        WHERE a.expected_seq = 0 AND (SELECT ok FROM gate)
        ON CONFLICT (user_id, conversation_id) DO UPDATE SET read_seq = EXCLUDED.read_seq
        WHERE reader.read_seq = 0
        RETURNING 1),
      moved AS (
        UPDATE user_conversation u SET last_time = %3$s, activity_bucket = p.ms / %4$d
        FROM unnest(?::text[], ?::text[], ?::bigint[]) AS p(user_id, conversation_id, ms)
        WHERE u.user_id = p.user_id AND u.conversation_id = p.conversation_id AND u.last_time < %3$s
          AND (SELECT ok FROM gate)
        RETURNING u.user_id, u.conversation_id),
      private AS (
        INSERT INTO user_conversation (user_id, conversation_id, last_time, activity_bucket)
        SELECT p.user_id, p.conversation_id, %3$s, p.ms / %4$d
        FROM unnest(?::text[], ?::text[], ?::bigint[]) AS p(user_id, conversation_id, ms)
        WHERE NOT EXISTS (SELECT 1 FROM moved m WHERE m.user_id = p.user_id AND m.conversation_id = p.conversation_id)
          AND (SELECT ok FROM gate)
        ON CONFLICT (user_id, conversation_id) DO NOTHING
        RETURNING 1)
      SELECT g.ok, (SELECT count(*) FROM inserted), (SELECT count(*) FROM advanced),
             l.conversation_id, l.last_seq, l.last_time
      FROM gate g LEFT JOIN locked l ON NOT g.ok""".formatted(
      AT_MILLIS.formatted("d.ms"), AT_MILLIS.formatted("h.ms"), AT_MILLIS.formatted("p.ms"), ACTIVITY_BUCKET_MILLIS,
      AT_MILLIS.formatted("e.ms"));
  private static final String FIND_SEND = """
      SELECT seq, message_id, server_time FROM message
      WHERE conversation_id = ? AND sender_id = ? AND client_msg_id = ?""";
  /** The first visible seq: the first at or after the visibility time, else past the last. */
  private static final String FIRST_VISIBLE = """
      COALESCE((SELECT f.seq FROM message f WHERE f.conversation_id = c.conversation_id AND f.server_time >= ?
                ORDER BY f.server_time, f.seq LIMIT 1), c.last_seq + 1)""";
  /**
   * Reads name both ends of the seq range they read, so that their cost is the page, never the
   * history after or before the anchor. This relies on the stored messages of a conversation being
   * the contiguous seqs from its oldest kept one to its last: seqs are gapless, a recall keeps a
   * tombstone, and retention deletes each conversation's oldest messages first (in the order of
   * {@code message_time}, which is seq order since server times never decrease along seqs, so that a
   * step stops after the rows it deletes). The anchor is clamped to the last seq, so that no sum
   * overflows whatever seq a client names. (With only one end given, the planner, which cannot know
   * how long a conversation is, may fetch every message past the anchor and sort them: 5,000 rows
   * for a pull of 200 from the middle of 10,000.) Parameters: visible from, anchor, how many,
   * conversation (twice).
   */
  private static final String READ_AFTER = """
      SELECT c.last_seq, m.seq, m.message_id, m.sender_id, m.client_msg_id, m.server_time, m.payload
      FROM conversation c
      CROSS JOIN LATERAL (SELECT %s AS seq) fv
      CROSS JOIN LATERAL (SELECT LEAST(GREATEST(?::bigint, fv.seq - 1), c.last_seq) AS after_seq, ?::int AS n) r
      LEFT JOIN LATERAL (
        SELECT m.seq, m.message_id, m.sender_id, m.client_msg_id, m.server_time, m.payload FROM message m
        WHERE m.conversation_id = ? AND m.seq > r.after_seq AND m.seq <= r.after_seq + r.n
        ORDER BY m.seq LIMIT r.n) m ON true
      WHERE c.conversation_id = ?""".formatted(FIRST_VISIBLE);
  /** As {@link #READ_AFTER}, backwards from the anchor. */
  private static final String READ_BEFORE = """
      SELECT c.last_seq, m.seq, m.message_id, m.sender_id, m.client_msg_id, m.server_time, m.payload
      FROM conversation c
      CROSS JOIN LATERAL (SELECT %s AS seq) fv
      CROSS JOIN LATERAL (SELECT LEAST(?::bigint, c.last_seq + 1) AS before_seq, ?::int AS n) r
      LEFT JOIN LATERAL (
        SELECT m.seq, m.message_id, m.sender_id, m.client_msg_id, m.server_time, m.payload FROM message m
        WHERE m.conversation_id = ? AND m.seq < r.before_seq
          AND m.seq >= GREATEST(fv.seq, r.before_seq - r.n)
        ORDER BY m.seq DESC LIMIT r.n) m ON true
      WHERE c.conversation_id = ?""".formatted(FIRST_VISIBLE);
  private static final String FIND = """
      SELECT seq, message_id, sender_id, client_msg_id, server_time, payload FROM message
      WHERE conversation_id = ? AND seq = ?""";
  private static final String RECALL = """
      UPDATE message SET payload = ?, recalled = true
      WHERE conversation_id = ? AND seq = ? AND NOT recalled""";
  private static final String DROP_VERSIONS = "DELETE FROM message_version WHERE conversation_id = ? AND seq = ?";
  private static final String LOCK_MESSAGE = """
      SELECT seq, message_id, sender_id, client_msg_id, server_time, payload FROM message
      WHERE conversation_id = ? AND seq = ? AND NOT recalled FOR UPDATE""";
  private static final String KEEP_VERSION = """
      INSERT INTO message_version (conversation_id, seq, version, content, create_time) VALUES (?, ?, ?, ?, ?)""";
  private static final String WRITE_PAYLOAD = "UPDATE message SET payload = ? WHERE conversation_id = ? AND seq = ?";
  private static final String DROP_REACTIONS = "DELETE FROM message_reaction WHERE conversation_id = ? AND seq = ?";
  private static final String MY_REACTIONS_ON = """
      SELECT emoji FROM message_reaction WHERE conversation_id = ? AND seq = ? AND user_id = ?""";
  private static final String ADD_REACTION = """
      INSERT INTO message_reaction (conversation_id, seq, user_id, emoji) VALUES (?, ?, ?, ?)""";
  private static final String REMOVE_REACTION = """
      DELETE FROM message_reaction WHERE conversation_id = ? AND seq = ? AND user_id = ? AND emoji = ?""";
  private static final String REACTIONS_OF = """
      SELECT seq, emoji FROM message_reaction WHERE conversation_id = ? AND user_id = ? AND seq = ANY(?)""";
  private static final String EARLIER_VERSIONS = """
      SELECT version, content, create_time FROM message_version
      WHERE conversation_id = ? AND seq = ? ORDER BY version""";
  private static final String VIEWS = """
      SELECT conversation_id, pinned_time IS NOT NULL, mute_until, archived, cleared_seq, hidden_count
      FROM conversation_setting WHERE user_id = ? AND conversation_id = ANY(?)""";
  private static final String CLEAR_HISTORY = """
      INSERT INTO conversation_setting (user_id, conversation_id, cleared_seq) VALUES (?, ?, ?)
      ON CONFLICT (user_id, conversation_id) DO UPDATE
      SET cleared_seq = GREATEST(conversation_setting.cleared_seq, EXCLUDED.cleared_seq)""";
  /** Hides the messages that exist and are not hidden yet, and counts them on the user's view. */
  private static final String HIDE = """
      WITH hidden AS (
        INSERT INTO hidden_message (conversation_id, seq, user_id)
        SELECT m.conversation_id, m.seq, ? FROM message m WHERE m.conversation_id = ? AND m.seq = ANY(?)
        ON CONFLICT DO NOTHING
        RETURNING seq)
      , counted AS (
        INSERT INTO conversation_setting (user_id, conversation_id, hidden_count)
        SELECT ?, ?, count(*) FROM hidden HAVING count(*) > 0
        ON CONFLICT (user_id, conversation_id) DO UPDATE
        SET hidden_count = conversation_setting.hidden_count + EXCLUDED.hidden_count)
      SELECT seq FROM hidden ORDER BY seq""";
  private static final String HIDDEN_OF = """
      SELECT seq FROM hidden_message WHERE conversation_id = ? AND user_id = ? AND seq = ANY(?)""";
  private static final String PINNED = """
      SELECT conversation_id FROM conversation_setting WHERE user_id = ? AND pinned_time IS NOT NULL
      ORDER BY pinned_time DESC, conversation_id""";
  /** Serializes one user's pins, so that the count is exact: a transaction-scoped lock on the user. */
  private static final String LOCK_USER_PINS = "SELECT pg_advisory_xact_lock(hashtextextended(?, 7))";
  private static final String OTHER_PINS = """
      SELECT count(*) FROM conversation_setting
      WHERE user_id = ? AND pinned_time IS NOT NULL AND conversation_id <> ?""";
  private static final String SAVE_SETTINGS = """
      INSERT INTO conversation_setting (user_id, conversation_id, pinned_time, mute_until, archived)
      VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (user_id, conversation_id) DO UPDATE SET
        pinned_time = CASE WHEN EXCLUDED.pinned_time IS NULL THEN NULL
                           ELSE COALESCE(conversation_setting.pinned_time, EXCLUDED.pinned_time) END,
        mute_until = EXCLUDED.mute_until,
        archived = EXCLUDED.archived""";
  private static final String ADVANCE_READ_SEQ = """
      INSERT INTO reader (user_id, conversation_id, read_seq) VALUES (?, ?, ?)
      ON CONFLICT (user_id, conversation_id) DO UPDATE SET read_seq = EXCLUDED.read_seq
      WHERE reader.read_seq < EXCLUDED.read_seq""";
  private static final String READ_SEQS = """
      SELECT conversation_id, read_seq FROM reader WHERE user_id = ? AND conversation_id = ANY(?)""";
  private static final String STATES = """
      SELECT c.conversation_id, c.last_seq, c.last_time,
             (SELECT f.seq FROM message f
              WHERE f.conversation_id = c.conversation_id AND f.server_time >= %1$s
              ORDER BY f.server_time, f.seq LIMIT 1) AS first_visible,
             m.message_id, m.sender_id, m.client_msg_id, m.server_time, m.payload
      FROM conversation c
      JOIN unnest(?::text[], ?::bigint[]) AS v(conversation_id, visible_ms) ON v.conversation_id = c.conversation_id
      LEFT JOIN message m ON m.conversation_id = c.conversation_id AND m.seq = c.last_seq
        AND m.server_time >= %1$s
      WHERE c.conversation_id = ANY(?) AND c.last_seq > 0""".formatted(VISIBLE_FROM);
  private static final String OVERVIEW = String.join(";\n", VIEWS, STATES, READ_SEQS);
  /**
   * A pull's two reads as one statement of two, which pgjdbc sends at once: the user's view, then
   * {@link #READ_AFTER}. Each names its own distribution key (the user, then the conversation).
   */
  private static final String PAGE_AFTER = VIEWS + ";\n" + READ_AFTER;
  /** As {@link #PAGE_AFTER}, with {@link #READ_BEFORE}. */
  private static final String PAGE_BEFORE = VIEWS + ";\n" + READ_BEFORE;
  private static final String OWN_MESSAGES_AFTER = """
      SELECT v.conversation_id,
             (SELECT count(*) FROM message m
              WHERE m.conversation_id = v.conversation_id AND m.sender_id = ? AND m.seq > v.after_seq)
      FROM unnest(?::text[], ?::bigint[]) AS v(conversation_id, after_seq)
      WHERE v.conversation_id = ANY(?)""";
  /**
   * A page of a user's conversations by last activity: their private conversations from their rows
   * in activity order, and the given groups' conversations (one probe each), merged. The private
   * rows are read from the activity index in two ranges, whatever the planner thinks of the table:
   * the page's first rows in bucket order find the oldest bucket the page reaches; then the rows
   * from there to the cursor are sorted by exact time. That is the page and the rest of the last
   * bucket it reached, however many conversations the user has. (Asked for the exact order
   * directly, the planner sorted every row of the user when it took the table for a small one.)
   */
  static final String LATEST = """
      SELECT conversation_id, last_time FROM (
        (SELECT u.conversation_id, u.last_time FROM user_conversation u
         WHERE u.user_id = ? AND u.last_time >= ? AND u.activity_bucket <= ?::bigint / %2$d
           AND u.activity_bucket >= (
             SELECT min(f.activity_bucket) FROM (
               SELECT e.activity_bucket FROM user_conversation e
               WHERE e.user_id = ? AND e.last_time >= ? AND e.activity_bucket <= ?::bigint / %2$d
                 AND (e.last_time, e.conversation_id COLLATE "C") < (?, ? COLLATE "C")
               ORDER BY e.user_id, e.activity_bucket DESC
               LIMIT ?) f)
           AND (u.last_time, u.conversation_id COLLATE "C") < (?, ? COLLATE "C")
         ORDER BY u.last_time DESC, u.conversation_id COLLATE "C" DESC
         LIMIT ?)
        UNION ALL
        (SELECT c.conversation_id, c.last_time
         FROM conversation c
         JOIN unnest(?::text[], ?::bigint[]) AS v(conversation_id, visible_ms) ON v.conversation_id = c.conversation_id
         WHERE c.conversation_id = ANY(?) AND c.last_seq > 0 AND c.last_time >= %1$s
           AND (c.last_time, c.conversation_id COLLATE "C") < (?, ? COLLATE "C")
         ORDER BY c.last_time DESC, c.conversation_id COLLATE "C" DESC
         LIMIT ?)
      ) latest
      ORDER BY last_time DESC, conversation_id COLLATE "C" DESC
      LIMIT ?""".formatted(VISIBLE_FROM, ACTIVITY_BUCKET_MILLIS);
  private static final String CONVERSATIONS_AFTER =
      "SELECT conversation_id FROM conversation WHERE conversation_id > ? ORDER BY conversation_id LIMIT ?";
  private static final String DELETE_OLDER_THAN = """
      DELETE FROM message WHERE (conversation_id, seq) IN (
        SELECT conversation_id, seq FROM message WHERE conversation_id = ANY(?) AND server_time < ?
        ORDER BY conversation_id, server_time, seq LIMIT ?)""";

  /**
   * The statements every message, pull, read or conversation list costs, with the distribution key
   * each names: the conversation for conversations and messages, the user for read seqs and a
   * user's private conversations.
   */
  public static final List<HotQuery> HOT_QUERIES = List.of(
      new HotQuery("SendMessage: lock the conversations", "conversation", "conversation_id", LOCK_CONVERSATIONS),
      new HotQuery("SendMessage on known heads: lock the conversations, check their heads", "conversation",
          "conversation_id", WRITE_BATCH),
      new HotQuery("SendMessage, a batch that repeats a send: find earlier sends", "message", "conversation_id", FIND_SENDS),
      new HotQuery("SendMessage: store the messages", "message", "conversation_id", WRITE_BATCH),
      new HotQuery("SendMessage: move the seq counters", "conversation", "conversation_id", WRITE_BATCH),
      new HotQuery("SendMessage: the sender's read seq follows", "reader", "user_id", WRITE_BATCH),
      new HotQuery("SendMessage: each private conversation's last activity, for both users", "user_conversation",
          "user_id", WRITE_BATCH),
      new HotQuery("PullMessages: after a seq", "message", "conversation_id", READ_AFTER),
      new HotQuery("PullMessages: before a seq", "message", "conversation_id", READ_BEFORE),
      new HotQuery("MarkRead: move the read seq", "reader", "user_id", ADVANCE_READ_SEQ),
      new HotQuery("ListConversations: the user's private conversations, latest activity first",
          "user_conversation", "user_id", LATEST),
      new HotQuery("ListConversations: the user's groups, latest activity first", "conversation", "conversation_id",
          LATEST),
      new HotQuery("ListConversations, MarkRead: the user's read seqs", "reader", "user_id", READ_SEQS),
      new HotQuery("ListConversations, MarkRead: last seq, join point, last message", "message", "conversation_id",
          STATES),
      new HotQuery("ListConversations, MarkRead: own messages after the read seq", "message", "conversation_id",
          OWN_MESSAGES_AFTER),
      new HotQuery("EditMessage, AddReaction, RemoveReaction: lock the message", "message", "conversation_id",
          LOCK_MESSAGE),
      new HotQuery("EditMessage: keep the earlier version", "message_version", "conversation_id", KEEP_VERSION),
      new HotQuery("EditMessage, AddReaction, RemoveReaction: write the message", "message", "conversation_id",
          WRITE_PAYLOAD),
      new HotQuery("AddReaction, RemoveReaction: the user's reactions on the message", "message_reaction",
          "conversation_id", MY_REACTIONS_ON),
      new HotQuery("AddReaction: store it", "message_reaction", "conversation_id", ADD_REACTION),
      new HotQuery("RemoveReaction: delete it", "message_reaction", "conversation_id", REMOVE_REACTION),
      new HotQuery("PullMessages: the caller's reactions", "message_reaction", "conversation_id", REACTIONS_OF),
      new HotQuery("RecallMessage: drop the reactions", "message_reaction", "conversation_id", DROP_REACTIONS),
      new HotQuery("Every call on a conversation, ListConversations: the user's view", "conversation_setting",
          "user_id", VIEWS),
      new HotQuery("ClearHistoryForMe", "conversation_setting", "user_id", CLEAR_HISTORY),
      new HotQuery("DeleteMessagesForMe: hide", "hidden_message", "conversation_id", HIDE),
      new HotQuery("DeleteMessagesForMe: count on the user's view", "conversation_setting", "user_id", HIDE),
      new HotQuery("PullMessages of a user who hid some: which", "hidden_message", "conversation_id", HIDDEN_OF),
      new HotQuery("ListConversations: the user's pinned conversations", "conversation_setting", "user_id", PINNED),
      new HotQuery("UpdateConversationSettings: count the user's other pins", "conversation_setting", "user_id",
          OTHER_PINS),
      new HotQuery("UpdateConversationSettings: write", "conversation_setting", "user_id", SAVE_SETTINGS),
      new HotQuery("ListMessageVersions: the earlier versions", "message_version", "conversation_id",
          EARLIER_VERSIONS),
      new HotQuery("RecallMessage: drop the earlier versions", "message_version", "conversation_id", DROP_VERSIONS));

  /**
   * In force on every connection of the store's database: every write commits synchronously (its
   * commit waits for the WAL to be flushed), whatever the server's, the database's or the role's
   * default, so that an acknowledged send, recall or read survives a crash of PostgreSQL. Set once
   * per connection, it costs a batch no round trip.
   *
   * <p>And every prepared statement runs its generic plan, planned once per connection. Left to
   * choose, PostgreSQL plans {@link #WRITE_BATCH} afresh for every batch of a few messages, because
   * its plan for those parameters looks cheaper than the generic one. That is six parts to plan at
   * each batch: a batch of two messages took 1.0-1.2 ms so, and 0.38 ms on the generic plan (an idle
   * machine, BENCHMARKS.md, messaging). In the bench's {@code messaging} at 1,000 messages a second,
   * that was 480 plans a second. The reads already ran their generic plans: 150 plans for 69,000
   * pulls in {@code history}.
   *
   * <p>And no plan scans a whole table where an index would do ({@code enable_seqscan} off; a
   * statement with no other way still scans). A generic plan is made once, for the table as it is
   * then. Made while a table was small, it scanned the table for every batch and kept doing so as
   * the table grew: in the bench's {@code messaging}, the batch's update of the conversations'
   * counters read all 1,000 of them for every batch, and the last activity's update every page of a
   * {@code user_conversation} bloated to 1,115 pages (6 ms of a batch). Every statement here finds
   * its rows by a key.
   */
  public static final Map<String, String> SESSION_SETTINGS = Map.of(
      "synchronous_commit", "on",
      "plan_cache_mode", "force_generic_plan",
      "enable_seqscan", "off");

  /**
   * How many conversations' heads a store keeps, those it wrote last: the conversations active
   * within seconds on a busy replica, at a few hundred bytes each (the conversation's id included),
   * about 10 MB at most. A conversation whose head was let go takes the locking read once.
   */
  static final int HEADS_KEPT = 32_768;
  /**
   * Batches stored on the heads known, before the locking read: the first attempt, and one more on
   * the heads its statement answered when another replica had moved one.
   */
  private static final int KNOWN_HEAD_ATTEMPTS = 2;

  private final Database database;
  private final StoredMessagesOutbox outbox;
  /**
   * The last seq and time this store committed (or read under lock) for each conversation it wrote
   * lately: a hint, checked by {@link #WRITE_BATCH} under lock, never trusted.
   */
  private final Cache<ConversationId, Head> heads = Caffeine.newBuilder().maximumSize(HEADS_KEPT)
      .executor(Runnable::run).build();
  /** Attempts on known heads that found one moved or held (by another replica, or a restore). */
  private final LongAdder staleHeads = new LongAdder();
  private final LongAdder lockedBatches = new LongAdder();

  /** Opens (and migrates) the database a store needs: schema {@link #SCHEMA}, {@link #SESSION_SETTINGS}. */
  public static Database openDatabase(DatabaseSettings settings) {
    return Database.open(settings, SCHEMA, MIGRATIONS, SESSION_SETTINGS);
  }

  /** A store on {@code database}, which must have been opened by {@link #openDatabase}. */
  public PostgresMessageStore(Database database) {
    this(database, null);
  }

  /**
   * A store on {@code database} that also writes {@code outbox}'s rows in the transaction of each
   * batch of new messages.
   *
   * @param outbox null for none
   */
  public PostgresMessageStore(Database database, StoredMessagesOutbox outbox) {
    this.database = requireNonNull(database, "database");
    this.outbox = outbox;
  }

  @Override
  public List<Appended> append(List<Draft> drafts) {
    requireNonNull(drafts, "drafts");
    if (drafts.isEmpty()) {
      return List.of();
    }
    // Every id the batch names, from the drafts: rows read back are mapped without parsing them.
    TreeMap<String, ConversationId> ids = new TreeMap<>();
    drafts.forEach(d -> ids.put(d.conversation().value(), d.conversation()));
    try {
      for (int attempt = 0; attempt < KNOWN_HEAD_ATTEMPTS; attempt++) {
        Map<ConversationId, Head> known = heads.getAllPresent(ids.values());
        if (known.size() < ids.size()) {
          break;
        }
        AppendPlan plan = AppendPlan.of(drafts, known, Map.of());
        boolean stored;
        try {
          stored = writesOutbox()
              ? durably(c -> write(c, plan, known) && writeOutbox(c, plan))
              : database.read(c -> write(c, plan, known));
        } catch (HeadsBusy e) {
          staleHeads.increment();
          break;
        }
        if (stored) {
          remember(plan.heads());
          return plan.results();
        }
        staleHeads.increment();
      }
      return appendLocked(drafts, ids, false);
    } catch (RepeatedSend e) {
      return appendLocked(drafts, ids, true);
    }
  }

  /** Attempts on known heads that found one moved or held by another batch: for tests. */
  long staleHeads() {
    return staleHeads.sum();
  }

  /** Batches stored after reading their heads under lock: for tests. */
  long lockedBatches() {
    return lockedBatches.sum();
  }

  /** Stores {@code drafts} in a transaction that reads their conversations' heads under lock first. */
  private List<Appended> appendLocked(List<Draft> drafts, TreeMap<String, ConversationId> ids, boolean findEarlier) {
    lockedBatches.increment();
    AppendPlan plan = durably(c -> appendLocked(c, drafts, ids, findEarlier));
    remember(plan.heads());
    return plan.results();
  }

  /**
   * Thrown out of a batch's statement when another batch holds one of its conversations; nothing
   * was written, and the batch is stored the locking way.
   */
  private static final class HeadsBusy extends RuntimeException {
    HeadsBusy(SQLException cause) {
      super(cause.getMessage(), cause, false, false);
    }
  }

  /**
   * Thrown out of a batch's transaction, which it rolls back, when a draft repeats a send stored by
   * an earlier batch; the batch is then stored again, looking for earlier sends first.
   */
  private static final class RepeatedSend extends RuntimeException {
    RepeatedSend(SQLException cause) {
      super(cause.getMessage(), cause, false, false);
    }
  }

  /**
   * Locks the batch's conversations and stores it. Retries of a send that an earlier batch stored are
   * rare, so the first attempt does not look for them: the unique constraint on client_msg_id
   * refuses such a batch as a whole ({@link RepeatedSend}), and only the second attempt ({@code
   * findEarlier}) reads them first. The common batch thus costs no lookup at all.
   */
  private AppendPlan appendLocked(Connection c, List<Draft> drafts, TreeMap<String, ConversationId> ids,
      boolean findEarlier) throws SQLException {
    Map<ConversationId, Head> locked = lockConversations(c, ids, ids.keySet());
    if (locked.size() < ids.size()) {
      List<String> missing = ids.values().stream().filter(id -> !locked.containsKey(id))
          .map(ConversationId::value).toList();
      try (PreparedStatement create = c.prepareStatement(CREATE_CONVERSATIONS)) {
        create.setArray(1, c.createArrayOf("text", missing.toArray()));
        create.executeUpdate();
      }
      locked.putAll(lockConversations(c, ids, missing));
    }
    AppendPlan plan = AppendPlan.of(drafts, locked, findEarlier ? findSends(c, drafts, ids) : Map.of());
    boolean written;
    try {
      written = write(c, plan, locked);
    } catch (RepeatedSend e) {
      if (findEarlier) {
        throw (SQLException) e.getCause();
      }
      throw e;
    }
    if (!written) {
      // Under the batch's locks the heads cannot move; if they did, the transaction must not commit.
      throw new SQLException("a message batch found heads other than those it had locked");
    }
    writeOutbox(c, plan);
    return plan;
  }

  private boolean writesOutbox() {
    return outbox != null && outbox.active();
  }

  /** Writes the outbox's rows of the plan's new messages; true, to chain after {@link #write}. */
  private boolean writeOutbox(Connection c, AppendPlan plan) throws SQLException {
    if (!writesOutbox()) {
      return true;
    }
    List<Message> stored = plan.inserts();
    if (!stored.isEmpty()) {
      outbox.write(c, stored);
    }
    return true;
  }

  /**
   * Moves the head known of a conversation this store wrote lately to a message another replica
   * stored after it, so that this store's next batch there is planned on the current head (as when
   * the two users of a chat are on different replicas, and each reply moves the other's head).
   */
  @Override
  public void observed(ConversationId conversation, long seq, long serverTimeMillis) {
    heads.asMap().computeIfPresent(conversation,
        (id, known) -> seq > known.lastSeq() ? new Head(seq, serverTimeMillis) : known);
  }

  /** Keeps the heads a batch committed, unless a later one is already known. */
  private void remember(Map<ConversationId, Head> committed) {
    committed.forEach((id, head) -> heads.asMap().merge(id, head,
        (known, mine) -> mine.lastSeq() >= known.lastSeq() ? mine : known));
  }

  /**
   * Runs {@code work} in a transaction, whose commit waits for the WAL to be flushed ({@link
   * #SESSION_SETTINGS}).
   */
  private <T> T durably(SqlWork<T> work) {
    return database.transaction(work);
  }

  private static Map<ConversationId, Head> lockConversations(Connection c, Map<String, ConversationId> byId,
      Collection<String> ids) throws SQLException {
    Map<ConversationId, Head> heads = new HashMap<>();
    try (PreparedStatement lock = c.prepareStatement(LOCK_CONVERSATIONS)) {
      lock.setArray(1, c.createArrayOf("text", ids.toArray()));
      try (ResultSet rs = lock.executeQuery()) {
        while (rs.next()) {
          heads.put(byId.get(rs.getString(1)), new Head(rs.getLong(2), millis(rs, 3)));
        }
      }
    }
    return heads;
  }

  private static Map<SendKey, Appended> findSends(Connection c, List<Draft> drafts, Map<String, ConversationId> byId)
      throws SQLException {
    String[] conversations = new String[drafts.size()];
    String[] senders = new String[drafts.size()];
    String[] clientMsgIds = new String[drafts.size()];
    for (int i = 0; i < drafts.size(); i++) {
      Draft draft = drafts.get(i);
      conversations[i] = draft.conversation().value();
      senders[i] = draft.senderId();
      clientMsgIds[i] = draft.clientMsgId();
    }
    Map<SendKey, Appended> found = new HashMap<>();
    try (PreparedStatement find = c.prepareStatement(FIND_SENDS)) {
      find.setArray(1, c.createArrayOf("text", conversations));
      find.setArray(2, c.createArrayOf("text", senders));
      find.setArray(3, c.createArrayOf("text", clientMsgIds));
      find.setArray(4, c.createArrayOf("text", byId.keySet().toArray()));
      try (ResultSet rs = find.executeQuery()) {
        while (rs.next()) {
          found.put(new SendKey(byId.get(rs.getString(1)), rs.getString(2), rs.getString(3)),
              new Appended(rs.getString(5), rs.getLong(4), millis(rs, 6), true));
        }
      }
    }
    return found;
  }

  /**
   * Writes the plan in one statement ({@link #WRITE_BATCH}), if the batch's conversations still have
   * the heads it was planned on.
   *
   * @param expected the head the plan started from, of every conversation of the batch
   * @return true if written; false if a head had moved, and nothing was written (the heads read under
   *     lock then replace those known)
   * @throws RepeatedSend if a draft repeats a send stored by an earlier batch; nothing was written
   */
  private boolean write(Connection c, AppendPlan plan, Map<ConversationId, Head> expected) throws SQLException {
    List<Message> inserts = plan.inserts();
    if (inserts.isEmpty()) {
      return true;
    }
    int n = inserts.size();
    String[] conversations = new String[n];
    Long[] seqs = new Long[n];
    String[] messageIds = new String[n];
    String[] senders = new String[n];
    String[] clientMsgIds = new String[n];
    Long[] times = new Long[n];
    byte[][] payloads = new byte[n][];
    for (int i = 0; i < n; i++) {
      Message message = inserts.get(i);
      conversations[i] = message.getConversationId();
      seqs[i] = message.getSeq();
      messageIds[i] = message.getMessageId();
      senders[i] = message.getSenderId();
      clientMsgIds[i] = message.getClientMsgId();
      times[i] = Timestamps.toMillis(message.getServerTime());
      payloads[i] = payload(message);
    }
    Map<ConversationId, Head> after = plan.heads();
    String[] headIds = new String[after.size()];
    Long[] lastSeqs = new Long[after.size()];
    Long[] lastTimes = new Long[after.size()];
    int h = 0;
    for (Map.Entry<ConversationId, Head> head : after.entrySet()) {
      headIds[h] = head.getKey().value();
      lastSeqs[h] = head.getValue().lastSeq();
      lastTimes[h++] = head.getValue().lastTimeMillis();
    }
    List<ReadAdvance> advances = plan.readAdvances();
    String[] readers = new String[advances.size()];
    String[] readConversations = new String[advances.size()];
    Long[] expectedSeqs = new Long[advances.size()];
    Long[] newSeqs = new Long[advances.size()];
    for (int i = 0; i < advances.size(); i++) {
      ReadAdvance advance = advances.get(i);
      readers[i] = advance.userId();
      readConversations[i] = advance.conversation().value();
      expectedSeqs[i] = advance.expectedSeq();
      newSeqs[i] = advance.newSeq();
    }
    List<String> privateUsers = new ArrayList<>();
    List<String> privateConversations = new ArrayList<>();
    List<Long> privateTimes = new ArrayList<>();
    for (Map.Entry<ConversationId, Head> head : after.entrySet()) {
      ConversationId conversation = head.getKey();
      if (!conversation.isGroup()) {
        for (String user : List.of(conversation.firstUser(), conversation.secondUser())) {
          privateUsers.add(user);
          privateConversations.add(conversation.value());
          privateTimes.add(head.getValue().lastTimeMillis());
        }
      }
    }
    String[] plannedIds = new String[expected.size()];
    Long[] plannedSeqs = new Long[expected.size()];
    Long[] plannedTimes = new Long[expected.size()];
    int e = 0;
    for (Map.Entry<ConversationId, Head> head : expected.entrySet()) {
      plannedIds[e] = head.getKey().value();
      plannedSeqs[e] = head.getValue().lastSeq();
      plannedTimes[e++] = head.getValue().lastTimeMillis();
    }
    try (PreparedStatement write = c.prepareStatement(WRITE_BATCH)) {
      int p = 1;
      Array locked = c.createArrayOf("text", plannedIds);
      write.setArray(p++, locked);
      write.setInt(p++, expected.size());
      write.setArray(p++, locked);
      write.setArray(p++, c.createArrayOf("bigint", plannedSeqs));
      write.setArray(p++, c.createArrayOf("bigint", plannedTimes));
      write.setArray(p++, c.createArrayOf("text", conversations));
      write.setArray(p++, c.createArrayOf("bigint", seqs));
      write.setArray(p++, c.createArrayOf("text", messageIds));
      write.setArray(p++, c.createArrayOf("text", senders));
      write.setArray(p++, c.createArrayOf("text", clientMsgIds));
      write.setArray(p++, c.createArrayOf("bigint", times));
      write.setArray(p++, c.createArrayOf("bytea", payloads));
      write.setArray(p++, c.createArrayOf("text", headIds));
      write.setArray(p++, c.createArrayOf("bigint", lastSeqs));
      write.setArray(p++, c.createArrayOf("bigint", lastTimes));
      // The read seqs' and the last activity's arrays are each bound to two parts: encoded once.
      Array[] reads = {c.createArrayOf("text", readers), c.createArrayOf("text", readConversations),
          c.createArrayOf("bigint", expectedSeqs), c.createArrayOf("bigint", newSeqs)};
      Array[] activity = {c.createArrayOf("text", privateUsers.toArray()),
          c.createArrayOf("text", privateConversations.toArray()), c.createArrayOf("bigint", privateTimes.toArray())};
      for (Array[] arrays : List.of(reads, reads, activity, activity)) {
        for (Array array : arrays) {
          write.setArray(p++, array);
        }
      }
      try (ResultSet rs = write.executeQuery()) {
        rs.next();
        if (rs.getBoolean(1)) {
          if (rs.getLong(2) != n || rs.getLong(3) != after.size()) {
            // Under the batch's locks neither can happen (in auto-commit mode this would come after
            // the commit, and only report it).
            throw new SQLException("a message batch wrote " + rs.getLong(2) + " of " + n + " messages and "
                + rs.getLong(3) + " of " + after.size() + " conversations");
          }
          return true;
        }
        Map<ConversationId, Head> current = new HashMap<>();
        do {
          String id = rs.getString(4);
          if (id != null) {
            current.put(conversation(id), new Head(rs.getLong(5), millis(rs, 6)));
          }
        } while (rs.next());
        // Only where the head planned on is still the one kept: a later one kept meanwhile stays.
        expected.forEach((id, planned) -> {
          Head now = current.get(id);
          if (now == null) {
            heads.asMap().remove(id, planned);
          } else {
            heads.asMap().replace(id, planned, now);
          }
        });
        return false;
      }
    } catch (SQLException failure) {
      if (UNIQUE_VIOLATION.equals(failure.getSQLState())) {
        throw new RepeatedSend(failure);
      }
      if (LOCK_NOT_AVAILABLE.equals(failure.getSQLState())) {
        throw new HeadsBusy(failure);
      }
      throw failure;
    }
  }

  @Override
  public Optional<Appended> findSend(ConversationId conversation, String senderId, String clientMsgId) {
    return database.read(c -> {
      try (PreparedStatement find = c.prepareStatement(FIND_SEND)) {
        find.setString(1, conversation.value());
        find.setString(2, senderId);
        find.setString(3, clientMsgId);
        try (ResultSet rs = find.executeQuery()) {
          return rs.next()
              ? Optional.of(new Appended(rs.getString(2), rs.getLong(1), millis(rs, 3), true))
              : Optional.empty();
        }
      }
    });
  }

  @Override
  public MessageSlice readAfter(ConversationId conversation, long afterSeq, int limit, long visibleFromMillis) {
    return read(READ_AFTER, conversation, afterSeq, limit, visibleFromMillis);
  }

  @Override
  public MessageSlice readBefore(ConversationId conversation, long beforeSeq, int limit, long visibleFromMillis) {
    return read(READ_BEFORE, conversation, beforeSeq, limit, visibleFromMillis);
  }

  /** Reads one more than asked: whether it exists is {@code hasMore}. */
  private MessageSlice read(String sql, ConversationId conversation, long anchor, int limit, long visibleFromMillis) {
    checkLimit(limit);
    return database.read(c -> {
      try (PreparedStatement read = c.prepareStatement(sql)) {
        setRead(read, 1, conversation, anchor, limit, visibleFromMillis);
        try (ResultSet rs = read.executeQuery()) {
          return slice(rs, conversation, limit);
        }
      }
    });
  }

  /** The parameters of {@link #READ_AFTER} or {@link #READ_BEFORE}, from the {@code first}. */
  private static void setRead(PreparedStatement read, int first, ConversationId conversation, long anchor, int limit,
      long visibleFromMillis) throws SQLException {
    read.setObject(first, time(visibleFromMillis));
    read.setLong(first + 1, anchor);
    read.setInt(first + 2, limit + 1);
    read.setString(first + 3, conversation.value());
    read.setString(first + 4, conversation.value());
  }

  /**
   * {@link #PAGE_AFTER}: one round trip, and a second read only for a user who cleared the history
   * past the anchor (the statement cannot take the view's cleared seq into the read without joining
   * two tables that are distributed by different keys).
   */
  @Override
  public Page pageAfter(String userId, ConversationId conversation, long afterSeq, int limit, long visibleFromMillis) {
    return page(true, userId, conversation, afterSeq, limit, visibleFromMillis);
  }

  /** {@link #PAGE_BEFORE}: one round trip. */
  @Override
  public Page pageBefore(String userId, ConversationId conversation, long beforeSeq, int limit,
      long visibleFromMillis) {
    return page(false, userId, conversation, beforeSeq, limit, visibleFromMillis);
  }

  private Page page(boolean forward, String userId, ConversationId conversation, long anchor, int limit,
      long visibleFromMillis) {
    requireNonNull(userId, "userId");
    checkLimit(limit);
    Page page = database.read(c -> {
      try (PreparedStatement read = c.prepareStatement(forward ? PAGE_AFTER : PAGE_BEFORE)) {
        read.setString(1, userId);
        read.setArray(2, c.createArrayOf("text", new String[] {conversation.value()}));
        setRead(read, 3, conversation, anchor, limit, visibleFromMillis);
        read.execute();
        PersonalView view;
        try (ResultSet rs = read.getResultSet()) {
          view = views(rs).getOrDefault(conversation, PersonalView.DEFAULT);
        }
        nextResult(read);
        try (ResultSet rs = read.getResultSet()) {
          return new Page(view, slice(rs, conversation, limit));
        }
      }
    });
    if (forward && page.view().clearedSeq() > anchor) {
      return new Page(page.view(), readAfter(conversation, page.view().clearedSeq(), limit, visibleFromMillis));
    }
    return page;
  }

  /** The rows of {@link #READ_AFTER} or {@link #READ_BEFORE}, one more than {@code limit} asked. */
  private static MessageSlice slice(ResultSet rs, ConversationId conversation, int limit) throws SQLException {
    List<Message> messages = new ArrayList<>(Math.min(limit + 1, 64));
    ByteString id = utf8(conversation);
    long lastSeq = 0;
    while (rs.next()) {
      lastSeq = rs.getLong(1);
      if (rs.getObject(2) != null) {
        messages.add(message(id, rs.getLong(2), rs.getBytes(3), rs.getBytes(4), rs.getBytes(5),
            millis(rs, 6), rs.getBytes(7)));
      }
    }
    boolean more = messages.size() > limit;
    return new MessageSlice(more ? messages.subList(0, limit) : messages, more, lastSeq);
  }

  @Override
  public Optional<Message> find(ConversationId conversation, long seq) {
    return database.read(c -> {
      try (PreparedStatement find = c.prepareStatement(FIND)) {
        find.setString(1, conversation.value());
        find.setLong(2, seq);
        try (ResultSet rs = find.executeQuery()) {
          return rs.next()
              ? Optional.of(message(utf8(conversation), rs.getLong(1), rs.getBytes(2), rs.getBytes(3), rs.getBytes(4),
                  millis(rs, 5), rs.getBytes(6)))
              : Optional.empty();
        }
      }
    });
  }

  @Override
  public boolean recall(ConversationId conversation, Message tombstone) {
    requireNonNull(tombstone, "tombstone");
    byte[] payload = payload(tombstone.toBuilder().setRecalled(true).build());
    return durably(c -> {
      try (PreparedStatement recall = c.prepareStatement(RECALL)) {
        recall.setBytes(1, payload);
        recall.setString(2, conversation.value());
        recall.setLong(3, tombstone.getSeq());
        if (recall.executeUpdate() != 1) {
          return false;
        }
      }
      for (String sql : List.of(DROP_VERSIONS, DROP_REACTIONS)) {
        try (PreparedStatement drop = c.prepareStatement(sql)) {
          drop.setString(1, conversation.value());
          drop.setLong(2, tombstone.getSeq());
          drop.executeUpdate();
        }
      }
      return true;
    });
  }

  /**
   * One transaction: lock the message row, check that it is not recalled and has the expected
   * number of edits, keep its content as an earlier version, write the new content.
   */
  @Override
  public boolean edit(ConversationId conversation, Message edited) {
    requireNonNull(edited, "edited");
    return durably(c -> {
      Message stored = lockMessage(c, conversation, edited.getSeq());
      if (stored == null || stored.getEditCount() != edited.getEditCount() - 1) {
        return false;
      }
      MessageVersion replaced = MessageVersions.current(stored);
      try (PreparedStatement keep = c.prepareStatement(KEEP_VERSION)) {
        keep.setString(1, conversation.value());
        keep.setLong(2, edited.getSeq());
        keep.setInt(3, replaced.getVersion());
        keep.setBytes(4, replaced.getContent().toByteArray());
        keep.setObject(5, time(Timestamps.toMillis(replaced.getCreateTime())));
        keep.executeUpdate();
      }
      writePayload(c, conversation, stored.toBuilder()
          .setContent(edited.getContent())
          .setEdited(true)
          .setEditTime(edited.getEditTime())
          .setEditCount(edited.getEditCount())
          .build());
      return true;
    });
  }

  /** The message at {@code seq}, locked until the transaction ends; null if none or recalled. */
  private static Message lockMessage(Connection c, ConversationId conversation, long seq) throws SQLException {
    try (PreparedStatement lock = c.prepareStatement(LOCK_MESSAGE)) {
      lock.setString(1, conversation.value());
      lock.setLong(2, seq);
      try (ResultSet rs = lock.executeQuery()) {
        return rs.next()
            ? message(utf8(conversation), rs.getLong(1), rs.getBytes(2), rs.getBytes(3), rs.getBytes(4), millis(rs, 5),
                rs.getBytes(6))
            : null;
      }
    }
  }

  private static void writePayload(Connection c, ConversationId conversation, Message message) throws SQLException {
    try (PreparedStatement write = c.prepareStatement(WRITE_PAYLOAD)) {
      write.setBytes(1, payload(message));
      write.setString(2, conversation.value());
      write.setLong(3, message.getSeq());
      write.executeUpdate();
    }
  }

  /**
   * One transaction: lock the message row, read the user's reactions on it, check the limits,
   * insert or delete the reaction row, write the message's new counts.
   */
  @Override
  public Reacted react(ConversationId conversation, long seq, String userId, String emoji, boolean add,
      int maxEmojiPerMessage, int maxEmojiPerUser) {
    requireNonNull(userId, "userId");
    requireNonNull(emoji, "emoji");
    return durably(c -> {
      Message stored = lockMessage(c, conversation, seq);
      if (stored == null) {
        return new Reacted(Reacted.Outcome.NO_MESSAGE, null);
      }
      List<String> mine = new ArrayList<>();
      try (PreparedStatement read = c.prepareStatement(MY_REACTIONS_ON)) {
        read.setString(1, conversation.value());
        read.setLong(2, seq);
        read.setString(3, userId);
        try (ResultSet rs = read.executeQuery()) {
          while (rs.next()) {
            mine.add(rs.getString(1));
          }
        }
      }
      if (add == mine.contains(emoji)) {
        return new Reacted(Reacted.Outcome.UNCHANGED, stored);
      }
      if (add) {
        Reacted.Outcome refused = Reactions.refusal(stored, emoji, mine.size(), maxEmojiPerMessage, maxEmojiPerUser);
        if (refused != null) {
          return new Reacted(refused, stored);
        }
      }
      try (PreparedStatement change = c.prepareStatement(add ? ADD_REACTION : REMOVE_REACTION)) {
        change.setString(1, conversation.value());
        change.setLong(2, seq);
        change.setString(3, userId);
        change.setString(4, emoji);
        change.executeUpdate();
      }
      Message changed = Reactions.counted(stored, emoji, add ? 1 : -1);
      writePayload(c, conversation, changed);
      return new Reacted(add ? Reacted.Outcome.ADDED : Reacted.Outcome.REMOVED, changed);
    });
  }

  @Override
  public Map<Long, Set<String>> reactionsOf(ConversationId conversation, String userId, Collection<Long> seqs) {
    requireNonNull(userId, "userId");
    if (seqs.isEmpty()) {
      return Map.of();
    }
    return database.read(c -> {
      try (PreparedStatement read = c.prepareStatement(REACTIONS_OF)) {
        read.setString(1, conversation.value());
        read.setString(2, userId);
        read.setArray(3, c.createArrayOf("bigint", seqs.toArray()));
        Map<Long, Set<String>> out = new HashMap<>();
        try (ResultSet rs = read.executeQuery()) {
          while (rs.next()) {
            out.computeIfAbsent(rs.getLong(1), s -> new HashSet<>()).add(rs.getString(2));
          }
        }
        return out;
      }
    });
  }

  @Override
  public List<MessageVersion> versions(ConversationId conversation, long seq) {
    Optional<Message> current = find(conversation, seq).filter(m -> !m.getRecalled());
    if (current.isEmpty()) {
      return List.of();
    }
    List<MessageVersion> versions = new ArrayList<>();
    if (current.get().getEditCount() > 0) {
      database.read(c -> {
        try (PreparedStatement read = c.prepareStatement(EARLIER_VERSIONS)) {
          read.setString(1, conversation.value());
          read.setLong(2, seq);
          try (ResultSet rs = read.executeQuery()) {
            while (rs.next()) {
              versions.add(MessageVersion.newBuilder()
                  .setVersion(rs.getInt(1))
                  .setContent(MessageVersions.content(rs.getBytes(2), conversation, seq))
                  .setCreateTime(Timestamps.fromMillis(millis(rs, 3)))
                  .build());
            }
          }
        }
        return null;
      });
    }
    versions.add(MessageVersions.current(current.get()));
    return versions;
  }

  @Override
  public Map<ConversationId, PersonalView> views(String userId, Collection<ConversationId> conversations) {
    requireNonNull(userId, "userId");
    if (conversations.isEmpty()) {
      return Map.of();
    }
    return database.read(c -> {
      try (PreparedStatement read = c.prepareStatement(VIEWS)) {
        read.setString(1, userId);
        read.setArray(2, ids(c, conversations));
        try (ResultSet rs = read.executeQuery()) {
          return views(rs);
        }
      }
    });
  }

  private static Map<ConversationId, PersonalView> views(ResultSet rs) throws SQLException {
    Map<ConversationId, PersonalView> out = new HashMap<>();
    while (rs.next()) {
      ConversationSettings.Builder settings = ConversationSettings.newBuilder()
          .setPinned(rs.getBoolean(2))
          .setArchived(rs.getBoolean(4));
      if (rs.getObject(3) != null) {
        settings.setMuteUntil(Timestamps.fromMillis(millis(rs, 3)));
      }
      out.put(conversation(rs.getString(1)), new PersonalView(settings.build(), rs.getLong(5), rs.getInt(6)));
    }
    return out;
  }

  @Override
  public List<ConversationId> pinned(String userId) {
    requireNonNull(userId, "userId");
    return database.read(c -> {
      try (PreparedStatement read = c.prepareStatement(PINNED)) {
        read.setString(1, userId);
        List<ConversationId> out = new ArrayList<>();
        try (ResultSet rs = read.executeQuery()) {
          while (rs.next()) {
            out.add(conversation(rs.getString(1)));
          }
        }
        return out;
      }
    });
  }

  @Override
  public boolean saveSettings(String userId, ConversationId conversation, ConversationSettings settings,
      long nowMillis, int maxPinned) {
    requireNonNull(userId, "userId");
    requireNonNull(settings, "settings");
    return durably(c -> {
      if (settings.getPinned()) {
        try (PreparedStatement lock = c.prepareStatement(LOCK_USER_PINS)) {
          lock.setString(1, userId);
          lock.executeQuery().close();
        }
        try (PreparedStatement count = c.prepareStatement(OTHER_PINS)) {
          count.setString(1, userId);
          count.setString(2, conversation.value());
          try (ResultSet rs = count.executeQuery()) {
            rs.next();
            if (rs.getLong(1) >= maxPinned) {
              return false;
            }
          }
        }
      }
      try (PreparedStatement save = c.prepareStatement(SAVE_SETTINGS)) {
        save.setString(1, userId);
        save.setString(2, conversation.value());
        if (settings.getPinned()) {
          save.setObject(3, time(nowMillis));
        } else {
          save.setNull(3, Types.TIMESTAMP_WITH_TIMEZONE);
        }
        if (settings.hasMuteUntil()) {
          save.setObject(4, time(Timestamps.toMillis(settings.getMuteUntil())));
        } else {
          save.setNull(4, Types.TIMESTAMP_WITH_TIMEZONE);
        }
        save.setBoolean(5, settings.getArchived());
        save.executeUpdate();
      }
      return true;
    });
  }

  @Override
  public void clearHistory(String userId, ConversationId conversation, long seq) {
    requireNonNull(userId, "userId");
    database.read(c -> {
      try (PreparedStatement clear = c.prepareStatement(CLEAR_HISTORY)) {
        clear.setString(1, userId);
        clear.setString(2, conversation.value());
        clear.setLong(3, seq);
        return clear.executeUpdate();
      }
    });
  }

  @Override
  public List<Long> hide(String userId, ConversationId conversation, Collection<Long> seqs) {
    requireNonNull(userId, "userId");
    if (seqs.isEmpty()) {
      return List.of();
    }
    return database.read(c -> {
      try (PreparedStatement hide = c.prepareStatement(HIDE)) {
        hide.setString(1, userId);
        hide.setString(2, conversation.value());
        hide.setArray(3, c.createArrayOf("bigint", seqs.toArray()));
        hide.setString(4, userId);
        hide.setString(5, conversation.value());
        List<Long> hidden = new ArrayList<>();
        try (ResultSet rs = hide.executeQuery()) {
          while (rs.next()) {
            hidden.add(rs.getLong(1));
          }
        }
        return hidden;
      }
    });
  }

  @Override
  public Set<Long> hiddenOf(String userId, ConversationId conversation, Collection<Long> seqs) {
    requireNonNull(userId, "userId");
    if (seqs.isEmpty()) {
      return Set.of();
    }
    return database.read(c -> {
      try (PreparedStatement read = c.prepareStatement(HIDDEN_OF)) {
        read.setString(1, conversation.value());
        read.setString(2, userId);
        read.setArray(3, c.createArrayOf("bigint", seqs.toArray()));
        Set<Long> out = new HashSet<>();
        try (ResultSet rs = read.executeQuery()) {
          while (rs.next()) {
            out.add(rs.getLong(1));
          }
        }
        return out;
      }
    });
  }

  @Override
  public boolean advanceReadSeq(ConversationId conversation, String userId, long seq) {
    requireNonNull(conversation, "conversation");
    requireNonNull(userId, "userId");
    if (seq < 1) {
      throw new IllegalArgumentException("seq must be positive: " + seq);
    }
    return database.read(c -> {
      try (PreparedStatement advance = c.prepareStatement(ADVANCE_READ_SEQ)) {
        advance.setString(1, userId);
        advance.setString(2, conversation.value());
        advance.setLong(3, seq);
        return advance.executeUpdate() == 1;
      }
    });
  }

  @Override
  public Map<ConversationId, Long> readSeqs(String userId, Collection<ConversationId> conversations) {
    requireNonNull(userId, "userId");
    if (conversations.isEmpty()) {
      return Map.of();
    }
    return database.read(c -> {
      try (PreparedStatement read = c.prepareStatement(READ_SEQS)) {
        read.setString(1, userId);
        read.setArray(2, ids(c, conversations));
        try (ResultSet rs = read.executeQuery()) {
          return readSeqs(rs);
        }
      }
    });
  }

  private static Map<ConversationId, Long> readSeqs(ResultSet rs) throws SQLException {
    Map<ConversationId, Long> out = new HashMap<>();
    while (rs.next()) {
      out.put(conversation(rs.getString(1)), rs.getLong(2));
    }
    return out;
  }

  @Override
  public Map<ConversationId, ConversationState> states(Map<ConversationId, Long> visibleFromMillis) {
    if (visibleFromMillis.isEmpty()) {
      return Map.of();
    }
    return database.read(c -> {
      try (PreparedStatement read = c.prepareStatement(STATES)) {
        setStates(c, read, 1, ids(c, visibleFromMillis.keySet()), visibleFromMillis);
        try (ResultSet rs = read.executeQuery()) {
          return states(rs, visibleFromMillis);
        }
      }
    });
  }

  /** Sets {@link #STATES}' three parameters from {@code first} on; {@code ids} are the map's keys. */
  private static void setStates(Connection c, PreparedStatement read, int first, Array ids,
      Map<ConversationId, Long> visibleFromMillis) throws SQLException {
    read.setArray(first, ids);
    read.setArray(first + 1, c.createArrayOf("bigint", visibleFromMillis.values().toArray()));
    read.setArray(first + 2, ids);
  }

  private static Map<ConversationId, ConversationState> states(ResultSet rs, Map<ConversationId, Long> visibleFromMillis)
      throws SQLException {
    Map<ConversationId, ConversationState> out = new LinkedHashMap<>();
    visibleFromMillis.keySet().forEach(id -> out.put(id, ConversationState.EMPTY));
    while (rs.next()) {
      ConversationId id = conversation(rs.getString(1));
      long lastSeq = rs.getLong(2);
      Object firstVisible = rs.getObject(4);
      byte[] lastId = rs.getBytes(5);
      Message last = lastId == null ? null
          : message(utf8(id), lastSeq, lastId, rs.getBytes(6), rs.getBytes(7), millis(rs, 8), rs.getBytes(9));
      out.put(id, new ConversationState(lastSeq, millis(rs, 3),
          firstVisible == null ? lastSeq + 1 : ((Number) firstVisible).longValue(), last));
    }
    return out;
  }

  /**
   * The three reads of an overview as one statement of three ({@link #VIEWS}, {@link #STATES},
   * {@link #READ_SEQS}): pgjdbc sends them together and PostgreSQL answers them in turn, one round
   * trip in all.
   */
  @Override
  public Overview overview(String userId, Map<ConversationId, Long> visibleFromMillis) {
    requireNonNull(userId, "userId");
    if (visibleFromMillis.isEmpty()) {
      return new Overview(Map.of(), Map.of(), Map.of());
    }
    return database.read(c -> {
      try (PreparedStatement read = c.prepareStatement(OVERVIEW)) {
        Array ids = ids(c, visibleFromMillis.keySet());
        read.setString(1, userId);
        read.setArray(2, ids);
        setStates(c, read, 3, ids, visibleFromMillis);
        read.setString(6, userId);
        read.setArray(7, ids);
        read.execute();
        Map<ConversationId, PersonalView> views;
        try (ResultSet rs = read.getResultSet()) {
          views = views(rs);
        }
        Map<ConversationId, ConversationState> states;
        nextResult(read);
        try (ResultSet rs = read.getResultSet()) {
          states = states(rs, visibleFromMillis);
        }
        nextResult(read);
        try (ResultSet rs = read.getResultSet()) {
          return new Overview(states, views, readSeqs(rs));
        }
      }
    });
  }

  private static void nextResult(PreparedStatement statement) throws SQLException {
    if (!statement.getMoreResults()) {
      throw new SQLException("a statement of several answered fewer results than it has statements");
    }
  }

  @Override
  public Map<ConversationId, Long> ownMessagesAfter(String userId, Map<ConversationId, Long> afterSeqs) {
    requireNonNull(userId, "userId");
    if (afterSeqs.isEmpty()) {
      return Map.of();
    }
    return database.read(c -> {
      try (PreparedStatement count = c.prepareStatement(OWN_MESSAGES_AFTER)) {
        Array ids = ids(c, afterSeqs.keySet());
        count.setString(1, userId);
        count.setArray(2, ids);
        count.setArray(3, c.createArrayOf("bigint", afterSeqs.values().toArray()));
        count.setArray(4, ids);
        Map<ConversationId, Long> out = new HashMap<>();
        try (ResultSet rs = count.executeQuery()) {
          while (rs.next()) {
            out.put(conversation(rs.getString(1)), rs.getLong(2));
          }
        }
        return out;
      }
    });
  }

  @Override
  public List<ConversationRef> latest(String userId, long privateVisibleFromMillis,
      Map<ConversationId, Long> groupVisibleFromMillis, ConversationRef after, int limit) {
    requireNonNull(userId, "userId");
    checkLimit(limit);
    return database.read(c -> {
      try (PreparedStatement read = c.prepareStatement(LATEST)) {
        long beforeMillis = after == null ? END_OF_TIME_MILLIS : after.activityMillis();
        Object before = time(beforeMillis);
        String beforeId = after == null ? "" : after.conversation().value();
        Array groups = ids(c, groupVisibleFromMillis.keySet());
        Object privateVisibleFrom = time(privateVisibleFromMillis);
        int p = 0;
        for (int part = 0; part < 2; part++) {  // the page's private rows, and where in the index it ends
          read.setString(++p, userId);
          read.setObject(++p, privateVisibleFrom);
          read.setLong(++p, beforeMillis);
        }
        for (int part = 0; part < 2; part++) {  // where in the index the page ends, and the page
          read.setObject(++p, before);
          read.setString(++p, beforeId);
          read.setInt(++p, limit);
        }
        read.setArray(++p, groups);
        read.setArray(++p, c.createArrayOf("bigint", groupVisibleFromMillis.values().toArray()));
        read.setArray(++p, groups);
        read.setObject(++p, before);
        read.setString(++p, beforeId);
        read.setInt(++p, limit);
        read.setInt(++p, limit);
        List<ConversationRef> out = new ArrayList<>(limit);
        try (ResultSet rs = read.executeQuery()) {
          while (rs.next()) {
            out.add(new ConversationRef(conversation(rs.getString(1)), millis(rs, 2)));
          }
        }
        return out;
      }
    });
  }

  @Override
  public List<ConversationId> conversationsAfter(ConversationId after, int limit) {
    checkLimit(limit);
    return database.read(c -> {
      try (PreparedStatement read = c.prepareStatement(CONVERSATIONS_AFTER)) {
        read.setString(1, after == null ? "" : after.value());
        read.setInt(2, limit);
        List<ConversationId> out = new ArrayList<>(limit);
        try (ResultSet rs = read.executeQuery()) {
          while (rs.next()) {
            out.add(conversation(rs.getString(1)));
          }
        }
        return out;
      }
    });
  }

  @Override
  public int deleteOlderThan(long cutoffMillis, Collection<ConversationId> conversations, int maxMessages) {
    checkLimit(maxMessages);
    if (conversations.isEmpty()) {
      return 0;
    }
    return database.read(c -> {
      try (PreparedStatement delete = c.prepareStatement(DELETE_OLDER_THAN)) {
        delete.setArray(1, ids(c, conversations));
        delete.setObject(2, time(cutoffMillis));
        delete.setInt(3, maxMessages);
        return delete.executeUpdate();
      }
    });
  }

  /** The stored form: the message without what the columns hold. */
  static byte[] payload(Message message) {
    return message.toBuilder()
        .clearMessageId()
        .clearConversationId()
        .clearSeq()
        .clearSenderId()
        .clearClientMsgId()
        .clearServerTime()
        .build()
        .toByteArray();
  }

  /**
   * A stored message from its row. The ids are taken as the UTF-8 bytes PostgreSQL sent ({@code
   * getBytes} of a text column), which is what protobuf writes: a page of messages is then encoded
   * without decoding its ids into Strings and encoding them back (BENCHMARKS.md, history).
   *
   * @param conversation the conversation's id as UTF-8, shared by the messages of a page
   */
  private static Message message(ByteString conversation, long seq, byte[] messageId, byte[] senderId,
      byte[] clientMsgId, long serverTimeMillis, byte[] payload) {
    Message.Builder message = Message.newBuilder();
    try {
      message.mergeFrom(payload);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("corrupt stored message " + conversation.toStringUtf8() + "/" + seq, e);
    }
    return message
        .setMessageIdBytes(UnsafeByteOperations.unsafeWrap(messageId))
        .setConversationIdBytes(conversation)
        .setSeq(seq)
        .setSenderIdBytes(UnsafeByteOperations.unsafeWrap(senderId))
        .setClientMsgIdBytes(UnsafeByteOperations.unsafeWrap(clientMsgId))
        .setServerTime(Timestamps.fromMillis(serverTimeMillis))
        .build();
  }

  private static ByteString utf8(ConversationId conversation) {
    return ByteString.copyFromUtf8(conversation.value());
  }

  private static Array ids(Connection c, Collection<ConversationId> conversations) throws SQLException {
    String[] ids = new String[conversations.size()];
    int i = 0;
    for (ConversationId conversation : conversations) {
      ids[i++] = conversation.value();
    }
    return c.createArrayOf("text", ids);
  }

  private static ConversationId conversation(String id) {
    return ConversationId.parse(id).orElseThrow(() -> new IllegalStateException("malformed stored conversation id " + id));
  }

  private static OffsetDateTime time(long millis) {
    return OffsetDateTime.ofInstant(Instant.ofEpochMilli(millis), ZoneOffset.UTC);
  }

  private static long millis(ResultSet rs, int column) throws SQLException {
    return rs.getObject(column, OffsetDateTime.class).toInstant().toEpochMilli();
  }

  private static void checkLimit(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be positive: " + limit);
    }
  }
}
