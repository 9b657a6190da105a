package io.parley.friend;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import io.parley.data.Ids;
import java.util.List;

/**
 * The relation events friend-svc publishes, for services that cache what {@code CheckRelation}
 * answers (message-svc).
 *
 * <p><b>Contract.</b> After every change that may alter {@code CheckRelation}'s answer for two
 * users (a request accepted, a friend removed, a user blocked or unblocked), friend-svc publishes
 * on {@link io.parley.server.Platform#events()} channel {@value #CHANNEL} the UTF-8 payload {@code
 * "<userIdA> <userIdB>"}: the two user ids, the smaller (by {@link String#compareTo}) first,
 * separated by one space. It says which pair changed, not how: a subscriber drops what it cached
 * about the pair and asks {@code CheckRelation} again when it next needs to.
 *
 * <ul>
 *   <li>The event is published after the change is stored, so a {@code CheckRelation} made after
 *       receiving it sees the change (or a later one).
 *   <li>Sending, rejecting or cancelling a request and setting a remark publish nothing:
 *       {@code CheckRelation}'s answer does not depend on them.
 *   <li>Delivery is at most once ({@link io.parley.events.EventBus}), and a publish that fails is
 *       logged and does not fail the call whose change is already stored. Subscribers must drop
 *       their whole cache when their subscription reports {@code disconnected()}, and should bound
 *       how long an entry lives regardless.
 * </ul>
 */
public final class RelationEvents {
  /** The event bus channel of relation events. */
  public static final String CHANNEL = "parley.friend.relation";

  private RelationEvents() {}

  /** The payload of a change between the two users of {@code pair}. */
  static byte[] payload(UserPair pair) {
    return (pair.low() + " " + pair.high()).getBytes(UTF_8);
  }

  /**
   * The two user ids of an event's payload, the smaller first.
   *
   * @throws IllegalArgumentException if {@code payload} is not a relation event's
   */
  public static List<String> userIds(byte[] payload) {
    String text = new String(requireNonNull(payload, "payload"), UTF_8);
    String[] ids = text.split(" ", -1);
    if (ids.length != 2 || !Ids.isValid(ids[0], "u") || !Ids.isValid(ids[1], "u") || ids[0].compareTo(ids[1]) >= 0) {
      throw new IllegalArgumentException("not a relation event payload: '" + text + "'");
    }
    return List.of(ids[0], ids[1]);
  }
}
