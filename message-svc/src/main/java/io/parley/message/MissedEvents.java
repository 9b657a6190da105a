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
 * <p>An event concerns a stream as routing decides live: the one user it names, or a participant
 * of its private conversation, or a member of its group (asked of group-svc, as PullMessages does;
 * an event from before the member joined is not replayed), never the session whose action caused
 * it. Typing signals are not replayed: they are stale by then.
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
  private final GroupDirectory groups;
  private final RateLimiter limiter;
  private final int maxScanned;
  private final int maxEvents;

  MissedEvents(EventLog log, GroupDirectory groups, RateLimiter limiter, int maxScanned, int maxEvents) {
    this.log = requireNonNull(log, "log");
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
    List<Subscriber.Queued> missed = new ArrayList<>();
    Map<String, Long> joinedAt = new HashMap<>();
    EntryId from = base.entry();
    int scanned = 0;
    while (from.compareTo(end.entry()) <= 0) {
      Optional<List<Entry>> page = log.range(cursor.epoch(), from, end.entry(), PAGE);
      if (page.isEmpty()) {
        logger.debug("session {} resumes from {}, past the event log's window: too old", sessionId, base);
        return Replay.TOO_OLD;
      }
      for (Entry entry : page.get()) {
        if (entry.payload().length == 0) {
          logger.debug("session {} resumes across lost events: too old", sessionId);
          return Replay.TOO_OLD;
        }
        List<LiveEvent> events = LiveEvent.decodeAll(entry.payload());
        scanned += events.size();
        if (scanned > maxScanned) {
          logger.debug("session {} resumes from {}, more than {} events ago: too old", sessionId, base, maxScanned);
          return Replay.TOO_OLD;
        }
        for (int i = 0; i < events.size(); i++) {
          LogPosition position = new LogPosition(entry.id(), i);
          if (position.compareTo(base) < 0 || position.compareTo(end) >= 0 || cursor.ahead().contains(position)
              || snapshot.inFlight().contains(position) || !concerns(userId, sessionId, events.get(i), joinedAt)) {
            continue;
          }
          if (missed.size() == maxEvents) {
            logger.debug("session {} missed more than {} events: too old", sessionId, maxEvents);
            return Replay.TOO_OLD;
          }
          missed.add(new Subscriber.Queued(events.get(i).event(), position));
        }
      }
      if (page.get().size() < PAGE) {
        break;
      }
      EntryId last = page.get().get(page.get().size() - 1).id();
      from = new EntryId(last.millis(), last.sequence() + 1);
    }
    return new Replay(ResumeOutcome.RESUME_OUTCOME_RESUMED, inSeqOrder(missed));
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
    if (event.getKindCase() == Event.KindCase.TYPING || live.originSessionId().equals(sessionId)) {
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
