package io.parley.message;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.util.Timestamps;
import io.parley.common.v1.ErrorReason;
import io.parley.common.v1.Terminal;
import io.parley.data.Ids;
import io.parley.error.ParleyException;
import io.parley.message.presence.DeviceLease;
import io.parley.message.presence.PresenceChange;
import io.parley.message.presence.PresenceSettings;
import io.parley.message.presence.PresenceStore;
import io.parley.message.presence.UserPresence;
import io.parley.message.v1.Event;
import io.parley.message.v1.GetPresenceResponse;
import io.parley.message.v1.Presence;
import io.parley.message.v1.PresenceDevice;
import io.parley.message.v1.PresenceVisibility;
import io.parley.session.Session;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Presence, as this replica sees it: which devices are online here, who watches whom, and the rules
 * of GetPresence and SetPresenceVisibility.
 *
 * <ul>
 *   <li>A device (a session) is online while it has a Subscribe stream open on some replica. This
 *       replica holds a lease in the {@link PresenceStore} for each session with a stream here,
 *       renews it every {@link Timing#renewEvery()}, and lets go of it when the session's last
 *       stream here ends. A replica killed without closing its streams stops renewing, and its
 *       leases run out within {@link Timing#lease()}: every replica sweeps expired leases as often as
 *       it renews, and the store lets exactly one report each.
 *   <li>Each change (a device came or went) is published once on message-svc's live events as a
 *       {@code presence} event with the user's whole presence, and every replica hands it to the
 *       streams here that watch the user ({@link PresenceWatchers}): the cost of a change is its
 *       watchers, whatever the user's friends.
 *   <li>When a user's last device goes, the replica that made the change queues the {@code
 *       user.offline} webhook ({@link PresenceWebhooks}).
 *   <li>Who sees whom: {@link PresenceAudience}, decided for a stream when it opens, and decided
 *       again for the streams that watch B when B's visibility may have shrunk: when friend-svc
 *       announces a change between A and B (a block, an unfriend: {@link #relationChanged}, heard
 *       by every replica), streams of A watching B and of B watching A; when B sets FRIENDS or
 *       NOBODY, every stream watching B. The setting is stored where every replica reads it
 *       (PostgreSQL), and replicas hear of the change the way they hear of presence changes: a
 *       {@code presence} event of B on the live events that carries B's new {@code visibility},
 *       which is never handed to watchers (no periodic sweep: its cost would grow with every watch,
 *       changed or not). A stream that may no longer see B is handed B's presence as GetPresence
 *       answers for users one may not see (the user id alone), and nothing of B after it. A watch
 *       that becomes allowed again is not restored: the client subscribes again. Not re-checked:
 *       the end of a shared group's membership, relation events lost while the event bus was
 *       interrupted, and a stream whose open raced with the change (it was checked just before).
 * </ul>
 *
 * <p>Presence is a convenience, like every live event: a store that cannot be reached is logged,
 * and the device is connected again at the next renewal. Thread-safe: a session's streams here are
 * counted under one of a few locks, which are held while its lease is taken or let go.
 */
final class PresenceTracker implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(PresenceTracker.class);

  /** Users one Subscribe stream may watch. */
  static final int MAX_WATCHED = 1000;
  /** Users one GetPresence call may ask about. */
  static final int MAX_ASKED = 200;
  /** Expired leases removed by one sweep step. */
  private static final int SWEEP_BATCH = 500;
  private static final int LOCK_STRIPES = 64;

  /**
   * How long a lease holds, and how often this replica renews its leases and sweeps expired ones.
   * {@code renewEvery} must be less than {@code lease}.
   */
  record Timing(Duration lease, Duration renewEvery) {
    Timing {
      requireNonNull(lease, "lease");
      requireNonNull(renewEvery, "renewEvery");
      if (renewEvery.isNegative() || renewEvery.isZero() || renewEvery.compareTo(lease) >= 0) {
        throw new IllegalArgumentException("renewEvery must be positive and less than lease: " + renewEvery
            + " vs " + lease);
      }
    }

    /** A lease of 60 seconds, renewed every 20. */
    static Timing defaults() {
      return new Timing(Duration.ofSeconds(60), Duration.ofSeconds(20));
    }
  }

  /** A session with streams here: how many, and its lease. Guarded by its stripe's lock. */
  private static final class LocalDevice {
    final String userId;
    final String sessionId;
    final Terminal terminal;
    int streams;

    LocalDevice(String userId, String sessionId, Terminal terminal) {
      this.userId = userId;
      this.sessionId = sessionId;
      this.terminal = terminal;
    }
  }

  private final PresenceStore store;
  private final PresenceSettings settings;
  private final PresenceAudience audience;
  private final PresenceWatchers watchers = new PresenceWatchers();
  private final PresenceWebhooks webhooks;
  private final Consumer<LiveEvent> publisher;
  private final Clock clock;
  private final Timing timing;
  private final String replicaId = Ids.newId("r");
  private final Map<String, LocalDevice> devices = new ConcurrentHashMap<>();
  private final Map<Subscriber, LocalDevice> streams = new ConcurrentHashMap<>();
  private final Object[] locks = new Object[LOCK_STRIPES];
  private final ScheduledExecutorService timer;
  /** Re-checks watchers, which may wait for friend-svc and group-svc: apart from the renewals. */
  private final ExecutorService rechecks;
  private volatile boolean halted;

  PresenceTracker(PresenceStore store, PresenceSettings settings, PresenceAudience audience,
      PresenceWebhooks webhooks, Consumer<LiveEvent> publisher, Clock clock, Timing timing) {
    this.store = requireNonNull(store, "store");
    this.settings = requireNonNull(settings, "settings");
    this.audience = requireNonNull(audience, "audience");
    this.webhooks = requireNonNull(webhooks, "webhooks");
    this.publisher = requireNonNull(publisher, "publisher");
    this.clock = requireNonNull(clock, "clock");
    this.timing = requireNonNull(timing, "timing");
    for (int i = 0; i < locks.length; i++) {
      locks[i] = new Object();
    }
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "parley-msg-presence");
      t.setDaemon(true);
      return t;
    });
    long every = timing.renewEvery().toMillis();
    timer.scheduleWithFixedDelay(this::renewAndSweep, every, every, TimeUnit.MILLISECONDS);
    this.rechecks = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "parley-msg-presence-recheck");
      t.setDaemon(true);
      return t;
    });
  }

  private Object lock(String deviceKey) {
    return locks[Math.floorMod(deviceKey.hashCode(), locks.length)];
  }

  // Streams.

  /**
   * The distinct users a Subscribe request asks to watch.
   *
   * @throws ParleyException INVALID_ARGUMENT beyond {@value #MAX_WATCHED} ids
   */
  static List<String> watchList(List<String> requested) {
    if (requested.size() > MAX_WATCHED) {
      throw ParleyException.invalidField("presence_user_ids",
          "at most " + MAX_WATCHED + " users may be watched on one stream, not " + requested.size());
    }
    Set<String> ids = new LinkedHashSet<>();
    for (String id : requested) {
      if (!id.isEmpty()) {
        ids.add(id);
      }
    }
    return List.copyOf(ids);
  }

  /**
   * A Subscribe stream opened: its session is online, and the stream watches those of {@code
   * watched} its user may see, receiving each one's current presence first.
   */
  void opened(Session session, Subscriber stream, List<String> watched) {
    String key = session.userId() + " " + session.sessionId();
    synchronized (lock(key)) {
      LocalDevice device = devices.computeIfAbsent(key,
          k -> new LocalDevice(session.userId(), session.sessionId(), session.terminal()));
      device.streams++;
      streams.put(stream, device);
      if (device.streams == 1) {
        connect(device);
      }
    }
    if (!watched.isEmpty()) {
      watch(session.userId(), stream, watched);
    }
    if (stream.isFinished()) {
      closed(stream);  // it ended meanwhile, perhaps before it could be reported
    }
  }

  private void watch(String viewer, Subscriber stream, List<String> watched) {
    Set<String> visible;
    try {
      visible = audience.visibleTo(viewer, watched);
    } catch (RuntimeException e) {
      // The settings cannot be read: the stream works, without presence (a client subscribes again).
      logger.warn("stream of {} watches no presence: visibility unknown ({})", viewer, e.toString());
      return;
    }
    watchers.watch(stream, List.copyOf(visible));
    for (String userId : visible) {
      try {
        watchers.offer(stream, event(presence(store.read(userId))));
      } catch (RuntimeException e) {
        logger.debug("could not read the presence of {}: {}", userId, e.toString());
      }
    }
  }

  /** A Subscribe stream ended (idempotent): its session goes offline here with its last stream. */
  void closed(Subscriber stream) {
    watchers.forget(stream);
    LocalDevice device = streams.remove(stream);
    if (device == null || halted) {
      return;
    }
    String key = device.userId + " " + device.sessionId;
    synchronized (lock(key)) {
      if (--device.streams > 0 || !devices.remove(key, device)) {
        return;  // other streams hold it, or close() let go of it already
      }
      disconnect(device);
    }
  }

  /** Lets go of a device's lease and announces the change. Call under the device's lock. */
  private void disconnect(LocalDevice device) {
    try {
      store.disconnect(device.userId, DeviceLease.device(device.sessionId, replicaId), clock.millis())
          .ifPresent(this::announce);
    } catch (RuntimeException e) {
      logger.warn("could not take device {} of user {} offline ({}); its lease runs out", device.sessionId,
          device.userId, e.toString());
    }
  }

  private void connect(LocalDevice device) {
    long now = clock.millis();
    try {
      announce(store.connect(new DeviceLease(device.userId, device.sessionId, replicaId, device.terminal, now,
          now + timing.lease().toMillis())));
    } catch (RuntimeException e) {
      logger.warn("could not put device {} of user {} online ({}); retrying at the next renewal",
          device.sessionId, device.userId, e.toString());
    }
  }

  /** Publishes a change to every replica, and queues {@code user.offline} if it took the last device. */
  private void announce(PresenceChange change) {
    publisher.accept(new LiveEvent("", "", event(presence(change.presence()))));
    if (change.wentOffline()) {
      webhooks.offline(change.presence().userId(), change.presence().lastSeenMillis());
    }
  }

  /**
   * Hands a {@code presence} live event (from any replica) to its watchers here; one that carries a
   * visibility (a user's new setting, see {@link #setVisibility}) instead re-checks the user's
   * watchers here.
   */
  void deliver(Event event) {
    Presence presence = event.getPresence();
    if (presence.getVisibility() != PresenceVisibility.PRESENCE_VISIBILITY_UNSPECIFIED) {
      recheckLater(presence.getUserId(), watchers.watchersOf(presence.getUserId()));
      return;
    }
    watchers.deliver(event);
  }

  /**
   * friend-svc announced a change between {@code userA} and {@code userB} (after message-svc's cache
   * of their relation was dropped): the streams here of each that watch the other are re-checked,
   * on a thread of their own.
   */
  void relationChanged(String userA, String userB) {
    recheckLater(userB, streamsOf(userA, watchers.watchersOf(userB)));
    recheckLater(userA, streamsOf(userB, watchers.watchersOf(userA)));
  }

  /**
   * group-svc announced a change of {@code userId} in a group (they joined, left or were removed, or
   * the group was dismissed), after message-svc's cache of it was dropped. A shared group is one way
   * to see a user's presence, so the streams here that watch {@code userId}, and the watches of
   * {@code userId}'s own streams here, are re-checked, on a thread of their own.
   */
  void memberChanged(String userId) {
    recheckLater(userId, watchers.watchersOf(userId));
    watchers.watchesOf(userId).forEach(this::recheckWatchesLater);
  }

  private static List<Subscriber> streamsOf(String userId, List<Subscriber> streams) {
    return streams.stream().filter(stream -> stream.userId().equals(userId)).toList();
  }

  private void recheckLater(String target, List<Subscriber> streams) {
    if (streams.isEmpty() || halted) {
      return;
    }
    try {
      rechecks.execute(() -> recheck(target, streams));
    } catch (RejectedExecutionException e) {
      logger.debug("not re-checking the watchers of {}: closing", target);
    }
  }

  private void recheckWatchesLater(Subscriber stream, List<String> targets) {
    if (halted) {
      return;
    }
    try {
      rechecks.execute(() -> recheckWatches(stream, targets));
    } catch (RejectedExecutionException e) {
      logger.debug("not re-checking the watches of a stream of {}: closing", stream.userId());
    }
  }

  /**
   * Ends the watches of {@code targets} by {@code stream} that its user may no longer see, as {@link
   * #recheck} does for the watchers of one user.
   */
  private void recheckWatches(Subscriber stream, List<String> targets) {
    Set<String> visible;
    try {
      visible = audience.visibleTo(stream.userId(), targets);
    } catch (RuntimeException e) {
      logger.warn("a stream of {} stops watching {} users: visibility unknown ({})", stream.userId(), targets.size(),
          e.toString());
      visible = Set.of();
    }
    for (String target : targets) {
      if (!visible.contains(target)) {
        watchers.unwatch(stream, target, event(Presence.newBuilder().setUserId(target).build()));
      }
    }
  }

  /**
   * Ends the watches of {@code target} by those of {@code streams} whose users may no longer see
   * them, with a last presence event showing {@code target} as never seen. A question that cannot
   * be answered counts as not visible, as when a stream opens.
   */
  private void recheck(String target, List<Subscriber> streams) {
    Set<String> viewers = new LinkedHashSet<>();
    streams.forEach(stream -> viewers.add(stream.userId()));
    Set<String> allowed;
    try {
      allowed = audience.viewersOf(target, viewers);
    } catch (RuntimeException e) {
      logger.warn("watchers of {} stop watching: visibility unknown ({})", target, e.toString());
      allowed = Set.of();
    }
    Event hidden = event(Presence.newBuilder().setUserId(target).build());
    for (Subscriber stream : streams) {
      if (!allowed.contains(stream.userId())) {
        watchers.unwatch(stream, target, hidden);
      }
    }
  }

  /** Renews this replica's leases, then sweeps expired ones (on the presence thread). */
  void renewAndSweep() {
    if (halted) {
      return;
    }
    long now = clock.millis();
    for (Map.Entry<String, LocalDevice> entry : devices.entrySet()) {
      LocalDevice device = entry.getValue();
      synchronized (lock(entry.getKey())) {
        if (device.streams == 0 || devices.get(entry.getKey()) != device) {
          continue;
        }
        try {
          if (!store.renew(device.userId, DeviceLease.device(device.sessionId, replicaId), now,
              now + timing.lease().toMillis())) {
            connect(device);
          }
        } catch (RuntimeException e) {
          logger.debug("could not renew device {} of user {}: {}", device.sessionId, device.userId, e.toString());
        }
      }
    }
    sweep();
  }

  /** Removes expired leases (those of replicas gone) and announces what changed. */
  void sweep() {
    try {
      List<PresenceChange> changes;
      do {
        changes = store.sweep(clock.millis(), SWEEP_BATCH);
        changes.forEach(this::announce);
      } while (changes.size() == SWEEP_BATCH && !halted);
    } catch (RuntimeException e) {
      logger.debug("could not sweep expired presence leases: {}", e.toString());
    }
  }

  // GetPresence and SetPresenceVisibility.

  /**
   * The users a GetPresence names, without repeats.
   *
   * @throws ParleyException INVALID_ARGUMENT for none, more than {@value #MAX_ASKED}, or an empty id
   */
  static Set<String> askedUsers(List<String> userIds) {
    if (userIds.isEmpty()) {
      throw ParleyException.invalidField("user_ids", "name at least one user");
    }
    if (userIds.size() > MAX_ASKED) {
      throw ParleyException.invalidField("user_ids",
          "at most " + MAX_ASKED + " users may be asked at once, not " + userIds.size());
    }
    Set<String> asked = new LinkedHashSet<>();
    for (int i = 0; i < userIds.size(); i++) {
      if (userIds.get(i).isEmpty()) {
        throw ParleyException.invalidField("user_ids[" + i + "]", "must not be empty");
      }
      asked.add(userIds.get(i));
    }
    return asked;
  }

  /**
   * The presence of each of {@code asked} ({@link #askedUsers}) that {@code viewer} may see; the
   * others are answered as users never seen.
   */
  GetPresenceResponse get(String viewer, Set<String> asked) {
    Set<String> visible = audience.visibleTo(viewer, asked);
    GetPresenceResponse.Builder out = GetPresenceResponse.newBuilder();
    for (String userId : asked) {
      if (!visible.contains(userId)) {
        out.addPresences(Presence.newBuilder().setUserId(userId));
        continue;
      }
      Presence.Builder presence = presence(readOrFail(userId)).toBuilder();
      if (userId.equals(viewer)) {
        presence.setVisibility(settings.visibility(List.of(viewer)).get(viewer));
      }
      out.addPresences(presence);
    }
    return out.build();
  }

  private UserPresence readOrFail(String userId) {
    try {
      return store.read(userId);
    } catch (ParleyException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new ParleyException(ErrorReason.STORE_UNAVAILABLE, "presence cannot be read now: retry");
    }
  }

  /** INVALID_ARGUMENT unless {@code visibility} is FRIENDS_AND_GROUPS, FRIENDS or NOBODY. */
  static void checkVisibility(PresenceVisibility visibility) {
    if (visibility != PresenceVisibility.FRIENDS_AND_GROUPS && visibility != PresenceVisibility.FRIENDS
        && visibility != PresenceVisibility.NOBODY) {
      throw ParleyException.invalidField("visibility", "must be FRIENDS_AND_GROUPS, FRIENDS or NOBODY");
    }
  }

  /**
   * Stores {@code userId}'s setting; INVALID_ARGUMENT unless FRIENDS_AND_GROUPS, FRIENDS or NOBODY.
   * FRIENDS and NOBODY may hide the user from some who watch them: every replica is told (a {@code
   * presence} event with the setting, see {@link #deliver}) and re-checks the user's watchers.
   * FRIENDS_AND_GROUPS, the widest, hides the user from nobody.
   */
  PresenceVisibility setVisibility(String userId, PresenceVisibility visibility) {
    checkVisibility(visibility);
    settings.setVisibility(userId, visibility);
    if (visibility != PresenceVisibility.FRIENDS_AND_GROUPS) {
      try {
        // Version -1 is never newer than what a watcher was handed: a replica that does not know this
        // signal hands it to nobody.
        publisher.accept(new LiveEvent("", "", event(Presence.newBuilder().setUserId(userId)
            .setVisibility(visibility).setVersion(-1).build())));
      } catch (RuntimeException e) {
        logger.warn("could not tell the replicas that {} narrowed their presence visibility ({})", userId,
            e.toString());
      }
    }
    return visibility;
  }

  // Lifecycle.

  /** How many streams here watch {@code userId} (tests). */
  int watcherCount(String userId) {
    return watchers.watcherCount(userId);
  }

  /**
   * Stops renewing and sweeping and ignores streams that end from now on, as a replica killed -9
   * would (tests): its leases run out and other replicas report them.
   */
  void halt() {
    halted = true;
    timer.shutdownNow();
    rechecks.shutdownNow();
  }

  /**
   * Stops renewing and sweeping, and lets go of every lease this replica holds, announcing each
   * change: call it once the streams were told to end, and before live events are closed, so that
   * the other replicas hear of it.
   */
  @Override
  public void close() {
    timer.shutdownNow();
    rechecks.shutdownNow();
    if (halted) {
      return;
    }
    for (Map.Entry<String, LocalDevice> entry : devices.entrySet()) {
      synchronized (lock(entry.getKey())) {
        if (devices.remove(entry.getKey(), entry.getValue())) {
          disconnect(entry.getValue());
        }
      }
    }
  }

  private Event event(Presence presence) {
    return Event.newBuilder().setTime(Timestamps.fromMillis(clock.millis())).setPresence(presence).build();
  }

  static Presence presence(UserPresence presence) {
    Presence.Builder out = Presence.newBuilder()
        .setUserId(presence.userId())
        .setOnline(presence.online())
        .setVersion(presence.version());
    for (UserPresence.Device device : presence.devices()) {
      out.addDevices(PresenceDevice.newBuilder()
          .setTerminal(device.terminal())
          .setOnlineSince(Timestamps.fromMillis(device.onlineSinceMillis())));
    }
    if (!presence.online() && presence.lastSeenMillis() > 0) {
      out.setLastSeen(Timestamps.fromMillis(presence.lastSeenMillis()));
    }
    return out.build();
  }
}
