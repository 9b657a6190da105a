package io.parley.message;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.util.Timestamps;
import io.parley.events.EventLog;
import io.parley.events.EventLog.Entry;
import io.parley.events.EventLog.EntryId;
import io.parley.group.v1.CheckMembershipResponse;
import io.parley.message.store.ConversationId;
import io.parley.message.v1.Event;
import io.parley.message.v1.ResumeOutcome;
import io.parley.ratelimit.RateLimit;
import io.parley.ratelimit.RateLimiter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a resuming Subscribe stream missed: the events of the log from its cursor's base up to where
 * this replica had routed when the stream registered, that concern the stream's user, less those
 * its cursor says it has and those still in flight (they come live), in log order.
 *
 * <p>The entries come from what this replica read lately ({@link RecentEntries}) when that goes
 * back far enough, else from the log. An event concerns a stream as routing decides live: the one user it names, or a participant
 * of its private conversation, or a member of its group (asked of group-svc, as PullMessages does;
 * an event from before the member joined is not replayed), never the session whose action caused
 * it. Typing signals are not replayed: they are stale by then; nor are presence changes, since a
 * stream that resumes is sent the current presence of the users it watches as it opens.
 *
 * <p>Each conversation's messages are replayed in seq order, as live. The replay is refused ({@link ResumeOutcome#RESUME_OUTCOME_TOO_OLD}, the client pulls) when
 * the cursor is of another log or older than its window, when the log says events were lost on
 * the way in (a replica could not publish), when more than {@code maxScanned} events would have to
 * be read, when more than {@code maxEvents} concern the stream, or when the user resumes more often
 * than {@link #LIMIT}. Thread-safe.
 */
final class MissedEvents {
  private static final Logger logger = LoggerFactory.getLogger(MissedEvents.class);

  /** Log entries read from the log at a time. */
  private static final int PAGE = 500;

  /** The outcome, and the events to write first (empty unless resumed). */
  record Replay(ResumeOutcome outcome, List<Subscriber.Queued> events) {
    static final Replay TOO_OLD = new Replay(ResumeOutcome.RESUME_OUTCOME_TOO_OLD, List.of());
  }

  /**
   * Replays per user, across replicas: a client resumes on every reconnect, but a replay reads the
   * whole log since the cursor (everyone's events), so a client looping on an old cursor would be
   * expensive. Beyond the limit a stream is told to pull instead, which costs nothing more here.
   */
  static final RateLimit LIMIT = RateLimit.parse("message.resume", "10/1m,burst=20");

  private final EventLog log;
  private final RecentEntries recent;
  private final GroupDirectory groups;
  private final RateLimiter limiter;
  private final int maxScanned;
  private final int maxEvents;

  MissedEvents(EventLog log, RecentEntries recent, GroupDirectory groups, RateLimiter limiter, int maxScanned,
      int maxEvents) {
    this.log = requireNonNull(log, "log");
    this.recent = requireNonNull(recent, "recent");
    this.groups = requireNonNull(groups, "groups");
    this.limiter = requireNonNull(limiter, "limiter");
    this.maxScanned = maxScanned;
    this.maxEvents = maxEvents;
  }

  /**
   * The events {@code sessionId} of {@code userId} missed since {@code cursor}, given where routing
   * stood when its new stream registered.
   *
   * @throws io.parley.error.ParleyException STORE_UNAVAILABLE if the log cannot be read
   */
  Replay replay(String userId, String sessionId, StreamCursor cursor, StreamPositions.Snapshot snapshot) {
    if (limiter.tryAcquire(LIMIT, userId).isPresent()) {
      logger.debug("user {} resumes too often ({}): told to pull", userId, LIMIT);
      return Replay.TOO_OLD;
    }
    if (!cursor.epoch().equals(snapshot.epoch())) {
      logger.debug("session {} resumes from another event log ({}): too old", sessionId, cursor.epoch());
      return Replay.TOO_OLD;
    }
    LogPosition base = cursor.base();
    LogPosition end = snapshot.readUpTo();
    Scan scan = new Scan(userId, sessionId, cursor, snapshot);
    Optional<List<RecentEntries.Decoded>> cached = recent.slice(cursor.epoch(), base.entry(), end.entry());
    if (cached.isPresent()) {
      for (RecentEntries.Decoded entry : cached.get()) {
        if (!scan.add(entry)) {
          return Replay.TOO_OLD;
        }
      }
      return new Replay(ResumeOutcome.RESUME_OUTCOME_RESUMED, inSeqOrder(scan.missed));
    }
    EntryId from = base.entry();
    while (from.compareTo(end.entry()) <= 0) {
      Optional<List<Entry>> page = log.range(cursor.epoch(), from, end.entry(), PAGE);
      if (page.isEmpty()) {
        logger.debug("session {} resumes from {}, past the event log's window: too old", sessionId, base);
        return Replay.TOO_OLD;
      }
      for (Entry entry : page.get()) {
        boolean lossMark = entry.payload().length == 0;
        if (!scan.add(new RecentEntries.Decoded(entry.id(), lossMark ? List.of() : decode(entry), lossMark))) {
          return Replay.TOO_OLD;
        }
      }
      if (page.get().size() < PAGE) {
        break;
      }
      EntryId last = page.get().get(page.get().size() - 1).id();
      from = new EntryId(last.millis(), last.sequence() + 1);
    }
    return new Replay(ResumeOutcome.RESUME_OUTCOME_RESUMED, inSeqOrder(scan.missed));
  }

  /** An entry's events; none for a malformed one, which routing skipped too. */
  private static List<LiveEvent> decode(Entry entry) {
    try {
      return LiveEvent.decodeAll(entry.payload());
    } catch (IllegalArgumentException e) {
      return List.of();
    }
  }

  /** One replay's walk over the log's entries, in order. */
  private final class Scan {
    final String userId;
    final String sessionId;
    final StreamCursor cursor;
    final StreamPositions.Snapshot snapshot;
    final List<Subscriber.Queued> missed = new ArrayList<>();
    final Map<String, Long> joinedAt = new HashMap<>();
    int scanned;

    Scan(String userId, String sessionId, StreamCursor cursor, StreamPositions.Snapshot snapshot) {
      this.userId = userId;
      this.sessionId = sessionId;
      this.cursor = cursor;
      this.snapshot = snapshot;
    }

    /** Takes in an entry's events that the stream missed; false if the stream must pull instead. */
    boolean add(RecentEntries.Decoded entry) {
      if (entry.lossMark()) {
        logger.debug("session {} resumes across lost events: too old", sessionId);
        return false;
      }
      scanned += entry.events().size();
      if (scanned > maxScanned) {
        logger.debug("session {} resumes from {}, more than {} events ago: too old", sessionId, cursor.base(),
            maxScanned);
        return false;
      }
      for (int i = 0; i < entry.events().size(); i++) {
        LogPosition position = new LogPosition(entry.id(), i);
        LiveEvent event = entry.events().get(i);
        if (position.compareTo(cursor.base()) < 0 || position.compareTo(snapshot.readUpTo()) >= 0
            || cursor.ahead().contains(position) || snapshot.inFlight().contains(position)
            || !concerns(userId, sessionId, event, joinedAt)) {
          continue;
        }
        if (missed.size() == maxEvents) {
          logger.debug("session {} missed more than {} events: too old", sessionId, maxEvents);
          return false;
        }
        missed.add(new Subscriber.Queued(event.event(), position));
      }
      return true;
    }
  }

  /**
   * Puts each conversation's messages in seq order among the places they hold, as {@link
   * EventOrder} does live: two replicas may append a conversation's seqs 5 and 6 in either order.
   */
  static List<Subscriber.Queued> inSeqOrder(List<Subscriber.Queued> events) {
    Map<String, List<Integer>> places = new HashMap<>();
    for (int i = 0; i < events.size(); i++) {
      Event event = events.get(i).event();
      if (event.hasMessage()) {
        places.computeIfAbsent(event.getMessage().getConversationId(), c -> new ArrayList<>()).add(i);
      }
    }
    List<Subscriber.Queued> ordered = new ArrayList<>(events);
    for (List<Integer> slots : places.values()) {
      List<Subscriber.Queued> messages = new ArrayList<>(slots.size());
      slots.forEach(i -> messages.add(events.get(i)));
      messages.sort(java.util.Comparator.comparingLong(q -> q.event().getMessage().getSeq()));
      for (int i = 0; i < slots.size(); i++) {
        ordered.set(slots.get(i), messages.get(i));
      }
    }
    return ordered;
  }

  private boolean concerns(String userId, String sessionId, LiveEvent live, Map<String, Long> joinedAt) {
    Event event = live.event();
    if (event.getKindCase() == Event.KindCase.TYPING || event.getKindCase() == Event.KindCase.PRESENCE
        || live.originSessionId().equals(sessionId)) {
      return false;
    }
    if (!live.audienceUserId().isEmpty()) {
      return live.audienceUserId().equals(userId);
    }
    ConversationId conversation = live.conversation();
    if (!conversation.isGroup()) {
      return conversation.hasParticipant(userId);
    }
    long joined = joinedAt.computeIfAbsent(conversation.groupId(), groupId -> {
      CheckMembershipResponse membership = groups.membership(groupId, userId);
      if (!membership.getGroupExists() || !membership.getMember()) {
        return Long.MAX_VALUE;
      }
      return membership.hasJoinTime() ? Timestamps.toMillis(membership.getJoinTime()) : 0L;
    });
    long at = event.hasMessage() ? Timestamps.toMillis(event.getMessage().getServerTime())
        : Timestamps.toMillis(event.getTime());
    return at >= joined;
  }
}
