package io.parley.group;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.Timestamps;
import io.parley.events.EventBus;
import io.parley.group.v1.Announcement;
import io.parley.group.v1.GroupEvent;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live events group-svc publishes so that users other than the actor learn of a change at
 * once: an invitation received, accepted, declined or withdrawn, a member added, a join request
 * filed, approved, rejected or withdrawn, an announcement changed.
 *
 * <p><b>Contract.</b> On the {@link EventBus} channel {@value #CHANNEL}, the payload is a {@link
 * GroupEvent} in the protobuf binary encoding ({@link #decode}): the group, the kind, the actor,
 * the user concerned, the time, the audience (user ids, never the actor; or every member, with
 * {@code audience_all_members}), and the invitation, join request or announcement. message-svc
 * routes each to its audience's Subscribe streams. Events are published after the change is
 * committed; their order across concurrent changes is not defined, delivery is at most once, and a
 * change whose event cannot be published still succeeds (the failure is logged): clients list
 * again after a reconnect. An event with nobody to tell is not published. The cache-invalidation
 * events of {@link MembershipEvents} are separate and unchanged. Thread-safe.
 */
public final class GroupEvents {
  private static final Logger logger = LoggerFactory.getLogger(GroupEvents.class);

  /** The channel every group event is published on. */
  public static final String CHANNEL = "parley.group.events";

  private final EventBus bus;
  private final Clock clock;

  GroupEvents(EventBus bus, Clock clock) {
    this.bus = requireNonNull(bus, "bus");
    this.clock = requireNonNull(clock, "clock");
  }

  /**
   * The event in a payload published on {@link #CHANNEL}.
   *
   * @throws InvalidProtocolBufferException if the payload is not a GroupEvent
   */
  public static GroupEvent decode(byte[] payload) throws InvalidProtocolBufferException {
    return GroupEvent.parseFrom(payload);
  }

  /** {@code invitation}'s invitee was invited by its inviter. */
  void invited(StoredInvitation invitation) {
    publish(event(invitation.groupId(), GroupEvent.Kind.INVITATION_RECEIVED, invitation.inviterId())
        .setSubjectUserId(invitation.inviteeId())
        .setInvitation(invitation.toInvitation()), List.of(invitation.inviteeId()));
  }

  /** {@code actorId} added {@code userId} at once. */
  void added(String groupId, String actorId, String userId) {
    publish(event(groupId, GroupEvent.Kind.MEMBER_ADDED, actorId).setSubjectUserId(userId), List.of(userId));
  }

  /**
   * The invitee answered {@code invitation} ({@code kind} INVITATION_ACCEPTED or
   * INVITATION_DECLINED): its inviter and {@code staff} are told.
   */
  void invitationAnswered(GroupEvent.Kind kind, StoredInvitation invitation, List<String> staff) {
    List<String> audience = new ArrayList<>(List.of(invitation.inviterId()));
    audience.addAll(staff);
    publish(event(invitation.groupId(), kind, invitation.inviteeId()).setInvitation(invitation.toInvitation()),
        audience);
  }

  /** {@code actorId} withdrew {@code invitation}: its invitee is told. */
  void invitationCancelled(String actorId, StoredInvitation invitation) {
    publish(event(invitation.groupId(), GroupEvent.Kind.INVITATION_CANCELLED, actorId)
        .setSubjectUserId(invitation.inviteeId())
        .setInvitation(invitation.toInvitation()), List.of(invitation.inviteeId()));
  }

  /** The requester filed ({@code kind} JOIN_REQUESTED) or withdrew (JOIN_REQUEST_CANCELLED) {@code request}: {@code staff} are told. */
  void requested(GroupEvent.Kind kind, StoredJoinRequest request, List<String> staff) {
    publish(event(request.groupId(), kind, request.userId()).setJoinRequest(request.toJoinRequest()), staff);
  }

  /**
   * {@code actorId} answered {@code requesterId}'s join request ({@code kind}
   * JOIN_REQUEST_APPROVED or JOIN_REQUEST_REJECTED): the requester and {@code staff} are told.
   */
  void requestAnswered(GroupEvent.Kind kind, String groupId, String actorId, String requesterId, List<String> staff) {
    List<String> audience = new ArrayList<>(List.of(requesterId));
    audience.addAll(staff);
    publish(event(groupId, kind, actorId).setSubjectUserId(requesterId), audience);
  }

  /** {@code actorId} set the announcement, or cleared it ({@code announcement} null): every member is told. */
  void announcementChanged(String groupId, String actorId, StoredAnnouncement announcement) {
    publish(event(groupId, GroupEvent.Kind.ANNOUNCEMENT_CHANGED, actorId)
        .setAudienceAllMembers(true)
        .setAnnouncement(announcement == null ? Announcement.getDefaultInstance() : announcement.toAnnouncement()),
        List.of());
  }

  private static GroupEvent.Builder event(String groupId, GroupEvent.Kind kind, String actorId) {
    return GroupEvent.newBuilder().setGroupId(groupId).setKind(kind).setActorId(actorId);
  }

  /**
   * Publishes {@code event}, stamped now, to {@code audience} without the actor (an empty audience
   * publishes nothing, unless the event is for every member).
   *
   * @param event the group, kind, actor and detail; the time and the audience are set here
   */
  private void publish(GroupEvent.Builder event, Collection<String> audience) {
    Set<String> told = new LinkedHashSet<>(audience);
    told.remove(event.getActorId());
    if (told.isEmpty() && !event.getAudienceAllMembers()) {
      return;
    }
    GroupEvent built = event.setTime(Timestamps.fromMillis(clock.millis())).addAllAudienceUserIds(told).build();
    try {
      bus.publish(CHANNEL, built.toByteArray());
    } catch (RuntimeException e) {
      logger.warn("could not publish group event {} of group {}; clients catch up by listing", built.getKind(),
          built.getGroupId(), e);
    }
  }
}
