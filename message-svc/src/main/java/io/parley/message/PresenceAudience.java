package io.parley.message;

import static java.util.Objects.requireNonNull;

import io.parley.message.presence.PresenceSettings;
import io.parley.message.v1.PresenceVisibility;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may see whose presence: a user always sees themselves; anyone else sees a user only if
 * neither blocked the other and the user's {@link PresenceVisibility} lets them: FRIENDS_AND_GROUPS
 * (the default) friends and members of a group both belong to, FRIENDS friends, NOBODY nobody. The
 * settings of many users are read at once; friend-svc ({@code CheckRelation}) and group-svc ({@code
 * SharesGroup}) are asked in parallel, through message-svc's caches. A question that cannot be
 * answered (an upstream fails) counts as not visible. Thread-safe.
 */
final class PresenceAudience {
  private static final Logger logger = LoggerFactory.getLogger(PresenceAudience.class);

  private final PresenceSettings settings;
  private final FriendDirectory friends;
  private final GroupDirectory groups;
  private final Duration timeout;

  PresenceAudience(PresenceSettings settings, FriendDirectory friends, GroupDirectory groups, Duration timeout) {
    this.settings = requireNonNull(settings, "settings");
    this.friends = requireNonNull(friends, "friends");
    this.groups = requireNonNull(groups, "groups");
    this.timeout = requireNonNull(timeout, "timeout");
  }

  /** Those of {@code targets} whose presence {@code viewer} may see, in the order given. */
  Set<String> visibleTo(String viewer, Collection<String> targets) {
    Map<String, PresenceVisibility> chosen = settings.visibility(
        targets.stream().filter(t -> !t.equals(viewer)).distinct().toList());
    Map<String, CompletableFuture<Boolean>> asked = new LinkedHashMap<>();
    for (String target : targets) {
      asked.computeIfAbsent(target, t -> t.equals(viewer)
          ? CompletableFuture.completedFuture(true)
          : sees(viewer, t, chosen.getOrDefault(t, PresenceSettings.DEFAULT)));
    }
    return answeredTrue(asked);
  }

  /**
   * Those of {@code viewers} who may see {@code target}'s presence: the same rule as {@link
   * #visibleTo}, with the target's setting read once.
   */
  Set<String> viewersOf(String target, Collection<String> viewers) {
    PresenceVisibility visibility = settings.visibility(List.of(target)).getOrDefault(target, PresenceSettings.DEFAULT);
    Map<String, CompletableFuture<Boolean>> asked = new LinkedHashMap<>();
    for (String viewer : viewers) {
      asked.computeIfAbsent(viewer, v -> v.equals(target)
          ? CompletableFuture.completedFuture(true)
          : sees(v, target, visibility));
    }
    return answeredTrue(asked);
  }

  /** The keys whose question was answered yes within the timeout. */
  private Set<String> answeredTrue(Map<String, CompletableFuture<Boolean>> asked) {
    CompletableFuture<Void> all = CompletableFuture.allOf(asked.values().toArray(CompletableFuture[]::new));
    try {
      all.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      logger.debug("some presence visibility questions were not answered: {}", e.toString());
    }
    Set<String> yes = new LinkedHashSet<>();
    asked.forEach((key, answer) -> {
      if (answer.isDone() && !answer.isCompletedExceptionally() && answer.join()) {
        yes.add(key);
      }
    });
    return yes;
  }

  private CompletableFuture<Boolean> sees(String viewer, String target, PresenceVisibility visibility) {
    if (visibility == PresenceVisibility.NOBODY) {
      return CompletableFuture.completedFuture(false);
    }
    return friends.relationAsync(viewer, target).thenCompose(relation -> {
      if (relation.blocked()) {
        return CompletableFuture.completedFuture(false);
      }
      if (relation.friends()) {
        return CompletableFuture.completedFuture(true);
      }
      return visibility == PresenceVisibility.FRIENDS
          ? CompletableFuture.completedFuture(false)
          : groups.sharesGroupAsync(viewer, target);
    });
  }

  /** Whether {@code viewer} may see {@code target}'s presence. */
  boolean sees(String viewer, String target) {
    return visibleTo(viewer, List.of(target)).contains(target);
  }
}
