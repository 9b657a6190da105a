package io.parley.group;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import io.parley.data.Ids;
import io.parley.webhook.WebhookDispatcher;
import io.parley.webhook.WebhookEvent;
import io.parley.webhook.WebhookSettings;
import java.time.Clock;
import java.util.List;
import java.util.Locale;

/**
 * The membership webhooks of group-svc: {@code group.member.joined}, {@code group.member.left} and
 * {@code group.member.removed}, each with data {@code {"groupId","userId","actorId"}} ({@code
 * "via"} too for a join: created, joined, invitation_accepted, request_approved, added). They are
 * queued right after the change is committed, by the call that made it: a process that dies
 * between the commit and the queueing loses the event (a small window; the outbox is not written
 * in the change's transaction). Never throws, never waits for an endpoint. Thread-safe.
 */
final class MembershipWebhooks {
  /** How a user became a member. */
  enum Via {
    /** Created the group (as its owner). */
    CREATED,
    /** Joined an OPEN group. */
    JOINED,
    /** Accepted an invitation. */
    INVITATION_ACCEPTED,
    /** Had a join request approved. */
    REQUEST_APPROVED,
    /** Was added at once by the actor. */
    ADDED
  }

  private static final JsonFormat.Printer JSON = JsonFormat.printer().omittingInsignificantWhitespace();

  private final WebhookDispatcher dispatcher;
  private final Clock clock;

  MembershipWebhooks(WebhookDispatcher dispatcher, Clock clock) {
    this.dispatcher = requireNonNull(dispatcher, "dispatcher");
    this.clock = requireNonNull(clock, "clock");
  }

  /** {@code userId} became a member of {@code groupId} by {@code actorId}'s doing ({@code via}). */
  void joined(String groupId, String userId, String actorId, Via via) {
    publish(WebhookSettings.GROUP_MEMBER_JOINED, data(groupId, userId, actorId)
        .putFields("via", string(via.name().toLowerCase(Locale.ROOT))));
  }

  /** {@code userId} left {@code groupId}. */
  void left(String groupId, String userId) {
    publish(WebhookSettings.GROUP_MEMBER_LEFT, data(groupId, userId, userId));
  }

  /** {@code actorId} removed {@code userId} from {@code groupId}. */
  void removed(String groupId, String userId, String actorId) {
    publish(WebhookSettings.GROUP_MEMBER_REMOVED, data(groupId, userId, actorId));
  }

  private static Struct.Builder data(String groupId, String userId, String actorId) {
    return Struct.newBuilder()
        .putFields("groupId", string(groupId))
        .putFields("userId", string(userId))
        .putFields("actorId", string(actorId));
  }

  private static Value string(String value) {
    return Value.newBuilder().setStringValue(value).build();
  }

  private void publish(String type, Struct.Builder data) {
    if (!dispatcher.wants(type)) {
      return;
    }
    String json;
    try {
      json = JSON.print(data);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("a Struct of strings always prints as JSON", e);
    }
    dispatcher.publish(List.of(new WebhookEvent(Ids.newId("wh"), type, clock.instant(), json)));
  }
}
