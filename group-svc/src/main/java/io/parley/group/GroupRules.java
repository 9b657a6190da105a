package io.parley.group;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.util.Timestamps;
import io.parley.data.Ids;
import io.parley.group.GroupStore.GroupTx;
import io.parley.group.v1.CheckMembershipResponse;
import io.parley.group.v1.Group;
import io.parley.group.v1.GroupRole;
import io.parley.group.v1.Invitation;
import io.parley.group.v1.JoinPolicy;
import io.parley.group.v1.JoinRequest;
import io.parley.group.v1.Member;
import io.parley.group.v1.UserGroup;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * group-svc's rules, written once: who may see and change a group, the order in which refusals
 * come, the limits, ownership, mutes, join policies, join times, and the state machines of
 * invitations and join requests. They run against a {@link GroupStore}, which only persists.
 *
 * <p><b>Consent.</b> Nobody becomes a member without asking for it: by joining an OPEN group, by
 * accepting an invitation, or by asking to join an APPROVAL group and being approved. An admin's
 * invitation adds at once only a user who had asked to join, or a friend of the admin where {@link
 * GroupSettings#friendsAddDirectly} says so. Nobody invites a user who blocks them or whom they
 * block (friend-svc is asked, {@link FriendDirectory}), nor asks to join a group whose owner and
 * they are in such a block. A user holds at most {@link GroupSettings#maxPendingInvitations}
 * pending invitations, and a group may not invite again a user who declined it, nor be asked again
 * by a user it rejected, for {@link GroupSettings#refusalCooldown}.
 *
 * <p><b>State machines.</b> An invitation is pending until the invitee accepts (it is deleted and
 * the invitee joins, if the group has room then), declines (it stays declined, as a mark, until the
 * cooldown is over and the group invites again) or an admin cancels it (deleted). A join request is
 * pending until an admin approves (deleted, the user joins if there is room) or rejects it (it
 * stays rejected, as a mark, until the cooldown is over and the user asks again), or the user
 * withdraws it (deleted). Becoming a member by any way deletes the user's invitation and join
 * request to the group; dismissing the group deletes them all.
 *
 * <p><b>Atomicity.</b> Every change checks the actor's role, the target's role, the limits and the
 * group's existence and writes in one {@link GroupStore#change}, against the group's current
 * state, never against a copy read earlier. So concurrent calls, such as two admins adding and
 * removing at once or approving the same request, serialize per group: the member count always
 * equals the member list and never exceeds {@code max_members}, there is always exactly one owner,
 * a request or invitation is answered once, and a refusal changes nothing (an invitation is all or
 * nothing). Changes that raise what a user holds across groups (groups owned, pending invitations
 * and join requests) also lock that user ({@link GroupTx#lockUsers}), so the per-user limits hold
 * under concurrency too.
 *
 * <p><b>Order of checks.</b> Each change refuses with the first failing of: the group exists
 * (GROUP_NOT_FOUND); the actor is a member (NOT_GROUP_MEMBER for an OPEN or APPROVAL group,
 * GROUP_NOT_FOUND otherwise); the actor's role suffices (GROUP_ROLE_INSUFFICIENT); the target is a
 * member (MEMBER_NOT_FOUND), or has a pending invitation (INVITATION_NOT_FOUND) or join request
 * (JOIN_REQUEST_NOT_FOUND); the actor outranks the target ({@link #outranks}); the limits hold
 * (GROUP_FULL, then the per-user ones). Where new members must exist (CreateGroup, InviteMembers),
 * the actor's role is checked first, so that a stranger learns nothing through the lookups, then
 * user-svc is asked ({@link UserDirectory}), then friend-svc (BLOCKED), then the change is made
 * (checking everything again).
 *
 * <p><b>Who may see a group:</b> its members, its invitees, and anyone if it is OPEN or APPROVAL.
 * Everyone else is answered GROUP_NOT_FOUND, exactly as for a group that does not exist, which
 * leaks less than NOT_GROUP_MEMBER would (that would confirm that an unguessable group id is real).
 * A stranger to a public group gets NOT_GROUP_MEMBER where membership is needed, since such a group
 * is public anyway. The one exception: JoinGroup answers GROUP_INVITE_ONLY for an INVITE_ONLY
 * group, which tells a stranger that the group exists, and nothing more.
 *
 * <p><b>Join times</b> are distinct and increase in join order within a group: a join in the same
 * millisecond as the previous one is dated one millisecond later. They order the member list and
 * are its paging cursor. A user's groups come most recently joined first. An accepted invitation
 * or approved request joins at the time of acceptance or approval.
 *
 * <p>Arguments are validated by the caller (ids well formed); refusals are thrown as {@link
 * io.parley.error.ParleyException}s. Times come from the injected clock. Thread-safe.
 */
final class GroupRules {
  /** How many of a group's owner and admins an event about the group's requests may name. */
  static final int MAX_STAFF_AUDIENCE = 1000;

  private final GroupStore store;
  private final UserDirectory users;
  private final FriendDirectory friends;
  private final GroupSettings settings;
  private final Clock clock;

  /** A new group and what inviting its first members did. */
  record Created(Group group, InviteOutcome invited) {}

  GroupRules(GroupStore store, UserDirectory users, FriendDirectory friends, GroupSettings settings, Clock clock) {
    this.store = requireNonNull(store, "store");
    this.users = requireNonNull(users, "users");
    this.friends = requireNonNull(friends, "friends");
    this.settings = requireNonNull(settings, "settings");
    this.clock = requireNonNull(clock, "clock");
  }

  /**
   * Creates a group with {@code ownerId} as its owner and invites the other distinct ids of {@code
   * memberIds}, as {@link #invite} does (a friend is added at once where friends add each other
   * directly). Refusals in order: USER_NOT_FOUND (field {@code member_ids}), BLOCKED, GROUP_FULL
   * (members added at once beyond the limit), GROUP_OWNED_LIMIT, INVITATION_LIMIT.
   *
   * @param fields name, notice, avatar_url and join_policy of the new group; the rest is ignored
   * @return the group, with a new id and the owner's role
   */
  Created create(Group fields, String ownerId, List<String> memberIds) {
    requireNonNull(fields, "fields");
    List<String> others = distinct(memberIds);
    others.remove(ownerId);
    users.requireExisting(others, "member_ids");
    Map<String, FriendDirectory.Relation> relations = relate(ownerId, others);
    List<String> direct = others.stream().filter(id -> settings.friendsAddDirectly() && relations.get(id).friends())
        .toList();
    List<String> toInvite = others.stream().filter(id -> !direct.contains(id)).toList();
    int maxMembers = settings.maxMembers();
    if (1 + direct.size() > maxMembers) {
      throw GroupErrors.full(maxMembers);
    }
    long now = clock.millis();
    List<StoredMember> members = new ArrayList<>();
    long join = nextJoin(now, 0);
    members.add(new StoredMember(ownerId, GroupRole.OWNER, join, 0));
    for (String memberId : direct) {
      join = nextJoin(now, join);
      members.add(new StoredMember(memberId, GroupRole.MEMBER, join, 0));
    }
    StoredGroup group = new StoredGroup(Ids.newId("g"), fields.getName(), fields.getNotice(), fields.getAvatarUrl(),
        fields.getJoinPolicy(), ownerId, members.size(), maxMembers, now, now, join);
    List<String> locked = new ArrayList<>(List.of(ownerId));
    locked.addAll(toInvite);
    return store.create(group, tx -> {
      Map<String, UserTally> tallies = tx.lockUsers(locked);
      if (tallies.get(ownerId).ownedGroups() >= settings.maxOwnedGroups()) {
        throw GroupErrors.ownedLimit(settings.maxOwnedGroups(), true);
      }
      requireInvitationRoom(tallies, toInvite);
      tx.addMembers(members);
      List<StoredInvitation> invited = toInvite.stream()
          .map(id -> StoredInvitation.pending(group.groupId(), id, ownerId, now)).toList();
      tx.putInvitations(invited);
      List<Member> added = members.subList(1, members.size()).stream().map(m -> m.toMember(now)).toList();
      return new Created(group.toGroup(GroupRole.OWNER), new InviteOutcome(added, List.of(), invited, List.of()));
    });
  }

  /**
   * The group, with {@code userId}'s role, if the user may see it (a member, an invitee, anyone for
   * an OPEN or APPROVAL group); else GROUP_NOT_FOUND.
   */
  Group get(String groupId, String userId) {
    StoredMembership found = find(groupId, userId);
    if (found.member() != null) {
      return found.group().toGroup(found.member().role());
    }
    if (!found.group().isPublic()
        && store.invitation(groupId, userId).filter(StoredInvitation::isPending).isEmpty()) {
      throw GroupErrors.groupNotFound();
    }
    return found.group().toGroup();
  }

  /**
   * Writes the fields of {@code values} named by {@code paths} (among {@code name}, {@code notice},
   * {@code avatar_url}, {@code join_policy}) and sets update_time. Admins and the owner.
   */
  Group update(String groupId, String actorId, Group values, Set<String> paths) {
    return change(groupId, tx -> {
      StoredGroup group = tx.group();
      StoredMember actor = requireRole(group, tx.member(actorId), GroupRole.ADMIN);
      String name = group.name();
      String notice = group.notice();
      String avatarUrl = group.avatarUrl();
      JoinPolicy policy = group.policy();
      for (String path : paths) {
        switch (path) {
          case "name" -> name = values.getName();
          case "notice" -> notice = values.getNotice();
          case "avatar_url" -> avatarUrl = values.getAvatarUrl();
          case "join_policy" -> policy = values.getJoinPolicy();
          default -> throw new IllegalArgumentException("not an updatable field: " + path);
        }
      }
      StoredGroup updated = group.withFields(name, notice, avatarUrl, policy, clock.millis());
      tx.updateGroup(updated);
      return updated.toGroup(actor.role());
    });
  }

  /** Ends the group for everyone. The owner only. Returns the ids of the members it had. */
  List<String> dismiss(String groupId, String actorId) {
    return change(groupId, tx -> {
      requireRole(tx.group(), tx.member(actorId), GroupRole.OWNER);
      return tx.deleteGroup();
    });
  }

  /**
   * Invites every id of {@code userIds} that is neither a member nor already invited, all or none.
   * Admins and the owner. A user who asked to join, and a friend of the actor where friends add each
   * other directly, is added at once instead. Refusals after the actor's role, in order:
   * USER_NOT_FOUND (field {@code user_ids}), BLOCKED (the actor and an invitee, either way),
   * INVITATION_DECLINED (within the cooldown), GROUP_FULL (those added at once), INVITATION_LIMIT.
   */
  InviteOutcome invite(String groupId, String actorId, List<String> userIds) {
    StoredMembership before = find(groupId, actorId);
    requireRole(before.group(), Optional.ofNullable(before.member()), GroupRole.ADMIN);
    List<String> named = distinct(userIds);
    users.requireExisting(named, "user_ids");
    Map<String, FriendDirectory.Relation> relations =
        relate(actorId, named.stream().filter(id -> !id.equals(actorId)).toList());
    return change(groupId, tx -> {
      StoredGroup group = tx.group();
      List<String> asked = new ArrayList<>(named);
      asked.add(actorId);
      Map<String, StoredMember> found = tx.members(distinct(asked));
      requireRole(group, Optional.ofNullable(found.get(actorId)), GroupRole.ADMIN);
      List<String> already = named.stream().filter(found::containsKey).toList();
      List<String> candidates = named.stream().filter(id -> !found.containsKey(id)).toList();
      Map<String, StoredInvitation> invitations = tx.invitations(candidates);
      Map<String, StoredJoinRequest> requests = tx.joinRequests(candidates);
      long now = clock.millis();
      List<String> alreadyInvited = candidates.stream()
          .filter(id -> invitations.containsKey(id) && invitations.get(id).isPending()).toList();
      long declinedUntil = 0;
      List<String> declined = new ArrayList<>();
      for (String id : candidates) {
        StoredInvitation invitation = invitations.get(id);
        if (invitation != null && !invitation.isPending() && coolingDown(invitation.declinedMs(), now)) {
          declined.add(id);
          declinedUntil = Math.max(declinedUntil, cooldownEnd(invitation.declinedMs()));
        }
      }
      if (!declined.isEmpty()) {
        throw GroupErrors.invitationDeclined(declined, declinedUntil);
      }
      Predicate<String> addsAtOnce = id -> (requests.containsKey(id) && requests.get(id).isPending())
          || (settings.friendsAddDirectly() && relations.get(id).friends());
      List<String> direct = candidates.stream().filter(id -> !alreadyInvited.contains(id)).filter(addsAtOnce).toList();
      List<String> toInvite = candidates.stream()
          .filter(id -> !alreadyInvited.contains(id) && !direct.contains(id)).toList();
      Map<String, UserTally> tallies = toInvite.isEmpty() ? Map.of() : tx.lockUsers(toInvite);
      if (group.memberCount() + direct.size() > group.maxMembers()) {
        throw GroupErrors.full(group.maxMembers());
      }
      requireInvitationRoom(tallies, toInvite);
      List<Member> added = new ArrayList<>();
      StoredGroup current = group;
      for (String userId : direct) {
        added.add(admit(tx, current, userId));
        current = tx.group();
      }
      List<StoredInvitation> invited = toInvite.stream()
          .map(id -> StoredInvitation.pending(groupId, id, actorId, now)).toList();
      tx.putInvitations(invited);
      return new InviteOutcome(added, already, invited, alreadyInvited);
    });
  }

  /**
   * {@code userId} joins an OPEN group, accepts its pending invitation to a group of any policy, or
   * files a join request to an APPROVAL group. Refusals in order: GROUP_NOT_FOUND,
   * ALREADY_GROUP_MEMBER, GROUP_INVITE_ONLY (an INVITE_ONLY group, without an invitation),
   * GROUP_FULL; for a request: BLOCKED (the user and the owner, either way), JOIN_REQUEST_EXISTS,
   * JOIN_REQUEST_REJECTED (within the cooldown), JOIN_REQUEST_LIMIT.
   *
   * @param message the note of a join request, possibly empty
   */
  JoinOutcome join(String groupId, String userId, String message) {
    requireNonNull(message, "message");
    StoredMembership before = find(groupId, userId);
    String checkedOwner = null;
    if (before.member() == null && before.group().policy() == JoinPolicy.APPROVAL
        && store.invitation(groupId, userId).filter(StoredInvitation::isPending).isEmpty()) {
      checkedOwner = before.group().ownerId();
      if (!checkedOwner.equals(userId) && friends.relation(userId, checkedOwner).blocked()) {
        throw GroupErrors.blockedByOwner();
      }
    }
    String ownerChecked = checkedOwner;
    return change(groupId, tx -> {
      StoredGroup group = tx.group();
      if (tx.member(userId).isPresent()) {
        throw GroupErrors.alreadyMember();
      }
      Optional<StoredInvitation> invitation = tx.invitation(userId).filter(StoredInvitation::isPending);
      if (invitation.isPresent()) {
        return JoinOutcome.joined(admit(tx, group, userId), invitation.get());
      }
      if (group.policy() == JoinPolicy.OPEN) {
        return JoinOutcome.joined(admit(tx, group, userId), null);
      }
      if (group.policy() != JoinPolicy.APPROVAL) {
        throw GroupErrors.inviteOnly();
      }
      if (!group.ownerId().equals(ownerChecked)) {
        throw GroupErrors.changedMeanwhile();
      }
      long now = clock.millis();
      Optional<StoredJoinRequest> earlier = tx.joinRequest(userId);
      if (earlier.isPresent() && earlier.get().isPending()) {
        throw GroupErrors.joinRequestExists();
      }
      if (earlier.isPresent() && coolingDown(earlier.get().rejectedMs(), now)) {
        throw GroupErrors.joinRequestRejected(cooldownEnd(earlier.get().rejectedMs()));
      }
      if (tx.lockUsers(List.of(userId)).get(userId).pendingJoinRequests() >= settings.maxPendingJoinRequests()) {
        throw GroupErrors.joinRequestLimit(settings.maxPendingJoinRequests());
      }
      StoredJoinRequest request = StoredJoinRequest.pending(groupId, userId, message, now);
      tx.putJoinRequest(request);
      return JoinOutcome.requested(request);
    });
  }

  /**
   * {@code userId} accepts its pending invitation and joins now. Refusals in order:
   * GROUP_NOT_FOUND, ALREADY_GROUP_MEMBER, INVITATION_NOT_FOUND (GROUP_NOT_FOUND for an INVITE_ONLY
   * group), GROUP_FULL.
   */
  JoinOutcome accept(String groupId, String userId) {
    return change(groupId, tx -> {
      StoredGroup group = tx.group();
      StoredInvitation invitation = requireOwnInvitation(tx, group, userId);
      return JoinOutcome.joined(admit(tx, group, userId), invitation);
    });
  }

  /**
   * {@code userId} declines its pending invitation, which stays as a declined mark for the
   * cooldown. Refusals as for {@link #accept}, but for GROUP_FULL. Returns the invitation declined.
   */
  StoredInvitation decline(String groupId, String userId) {
    return change(groupId, tx -> {
      StoredInvitation invitation = requireOwnInvitation(tx, tx.group(), userId);
      StoredInvitation declined = invitation.declined(clock.millis());
      tx.putInvitations(List.of(declined));
      return declined;
    });
  }

  /**
   * Withdraws {@code inviteeId}'s pending invitation. Admins and the owner; INVITATION_NOT_FOUND if
   * there is none. Returns the invitation withdrawn.
   */
  StoredInvitation cancelInvitation(String groupId, String actorId, String inviteeId) {
    return change(groupId, tx -> {
      requireRole(tx.group(), tx.member(actorId), GroupRole.ADMIN);
      StoredInvitation invitation = tx.invitation(inviteeId).filter(StoredInvitation::isPending)
          .orElseThrow(GroupErrors::invitationNotFound);
      tx.deleteInvitations(List.of(inviteeId));
      return invitation;
    });
  }

  /** Up to {@code limit} of the group's pending invitations, newest first, after {@code cursor}. Admins and the owner. */
  Page<Invitation> listGroupInvitations(String groupId, String actorId, String cursor, int limit) {
    Page.Position after = Page.Position.parse(cursor, "u");
    StoredMembership found = find(groupId, actorId);
    requireRole(found.group(), Optional.ofNullable(found.member()), GroupRole.ADMIN);
    return page(store.groupInvitations(groupId, after, limit + 1), limit, StoredInvitation::toInvitation,
        i -> new Page.Position(i.createdMs(), i.inviteeId()).cursor());
  }

  /**
   * Up to {@code limit} of {@code userId}'s pending invitations, newest first, after {@code
   * cursor}, each with its group. An invitation to a group dismissed while this reads is left out.
   */
  Page<Invitation> listMyInvitations(String userId, String cursor, int limit) {
    Page.Position after = Page.Position.parse(cursor, "g");
    List<StoredInvitation> rows = store.userInvitations(userId, after, limit + 1);
    Page<StoredInvitation> shown = page(rows, limit, Function.identity(),
        i -> new Page.Position(i.createdMs(), i.groupId()).cursor());
    Map<String, StoredGroup> groups = store.groups(shown.items().stream().map(StoredInvitation::groupId).toList());
    List<Invitation> items = new ArrayList<>();
    for (StoredInvitation invitation : shown.items()) {
      StoredGroup group = groups.get(invitation.groupId());
      if (group != null) {
        items.add(invitation.toInvitation().toBuilder().setGroup(group.toGroup()).build());
      }
    }
    return new Page<>(items, shown.nextCursor());
  }

  /**
   * Approves {@code requesterId}'s pending join request: the user joins now. Admins and the owner.
   * Refusals after the actor's role: JOIN_REQUEST_NOT_FOUND, GROUP_FULL.
   */
  Member approve(String groupId, String actorId, String requesterId) {
    return change(groupId, tx -> {
      StoredGroup group = tx.group();
      requireRole(group, tx.member(actorId), GroupRole.ADMIN);
      tx.joinRequest(requesterId).filter(StoredJoinRequest::isPending).orElseThrow(GroupErrors::joinRequestNotFound);
      return admit(tx, group, requesterId);
    });
  }

  /**
   * Rejects {@code requesterId}'s pending join request, which stays as a rejected mark for the
   * cooldown. Admins and the owner; JOIN_REQUEST_NOT_FOUND if there is none. Returns the request.
   */
  StoredJoinRequest reject(String groupId, String actorId, String requesterId) {
    return change(groupId, tx -> {
      requireRole(tx.group(), tx.member(actorId), GroupRole.ADMIN);
      StoredJoinRequest request = tx.joinRequest(requesterId).filter(StoredJoinRequest::isPending)
          .orElseThrow(GroupErrors::joinRequestNotFound);
      StoredJoinRequest rejected = request.rejected(clock.millis());
      tx.putJoinRequest(rejected);
      return rejected;
    });
  }

  /**
   * {@code userId} withdraws its own pending join request. JOIN_REQUEST_NOT_FOUND if there is none
   * (GROUP_NOT_FOUND for an INVITE_ONLY group the user may not see). Returns the request.
   */
  StoredJoinRequest cancelJoinRequest(String groupId, String userId) {
    return change(groupId, tx -> {
      StoredGroup group = tx.group();
      Optional<StoredJoinRequest> request = tx.joinRequest(userId).filter(StoredJoinRequest::isPending);
      if (request.isEmpty()) {
        throw group.isPublic() || tx.member(userId).isPresent()
            ? GroupErrors.joinRequestNotFound() : GroupErrors.groupNotFound();
      }
      tx.deleteJoinRequests(List.of(userId));
      return request.get();
    });
  }

  /** Up to {@code limit} of the group's pending join requests, newest first, after {@code cursor}. Admins and the owner. */
  Page<JoinRequest> listJoinRequests(String groupId, String actorId, String cursor, int limit) {
    Page.Position after = Page.Position.parse(cursor, "u");
    StoredMembership found = find(groupId, actorId);
    requireRole(found.group(), Optional.ofNullable(found.member()), GroupRole.ADMIN);
    return page(store.groupJoinRequests(groupId, after, limit + 1), limit, StoredJoinRequest::toJoinRequest,
        r -> new Page.Position(r.createdMs(), r.userId()).cursor());
  }

  /**
   * Up to {@code limit} of {@code userId}'s pending join requests, newest first, after {@code
   * cursor}, each with its group. A request to a group dismissed while this reads is left out.
   */
  Page<JoinRequest> listMyJoinRequests(String userId, String cursor, int limit) {
    Page.Position after = Page.Position.parse(cursor, "g");
    Page<StoredJoinRequest> shown = page(store.userJoinRequests(userId, after, limit + 1), limit, Function.identity(),
        r -> new Page.Position(r.createdMs(), r.groupId()).cursor());
    Map<String, StoredGroup> groups = store.groups(shown.items().stream().map(StoredJoinRequest::groupId).toList());
    List<JoinRequest> items = new ArrayList<>();
    for (StoredJoinRequest request : shown.items()) {
      StoredGroup group = groups.get(request.groupId());
      if (group != null) {
        items.add(request.toJoinRequest().toBuilder().setGroup(group.toGroup()).build());
      }
    }
    return new Page<>(items, shown.nextCursor());
  }

  /**
   * Sets the group's announcement to {@code text} by {@code actorId} now, or clears it if {@code
   * text} is empty, and sets update_time. Admins and the owner. Returns the announcement, or null
   * if cleared.
   */
  StoredAnnouncement setAnnouncement(String groupId, String actorId, String text) {
    requireNonNull(text, "text");
    return change(groupId, tx -> {
      StoredGroup group = tx.group();
      requireRole(group, tx.member(actorId), GroupRole.ADMIN);
      long now = clock.millis();
      StoredAnnouncement announcement = text.isEmpty() ? null : new StoredAnnouncement(text, actorId, now);
      tx.updateGroup(group.withAnnouncement(announcement)
          .withFields(group.name(), group.notice(), group.avatarUrl(), group.policy(), now));
      return Optional.ofNullable(announcement);
    }).orElse(null);
  }

  /** The group's owner and admins, the owner first, up to {@value #MAX_STAFF_AUDIENCE}: whom its requests concern. */
  List<String> staffIds(String groupId) {
    return store.staffIds(groupId, MAX_STAFF_AUDIENCE);
  }

  /** Removes {@code userId} itself; the owner cannot (OWNER_CANNOT_LEAVE). Returns the membership that ended. */
  Member leave(String groupId, String userId) {
    return change(groupId, tx -> {
      StoredGroup group = tx.group();
      StoredMember me = requireRole(group, tx.member(userId), GroupRole.MEMBER);
      if (me.role() == GroupRole.OWNER) {
        throw GroupErrors.ownerCannotLeave();
      }
      return end(tx, group, me);
    });
  }

  /** Removes {@code targetId}: admins remove members, the owner anyone else. Returns the membership that ended. */
  Member remove(String groupId, String actorId, String targetId) {
    return change(groupId, tx -> {
      StoredGroup group = tx.group();
      Map<String, StoredMember> found = tx.members(distinct(List.of(actorId, targetId)));
      StoredMember actor = requireRole(group, Optional.ofNullable(found.get(actorId)), GroupRole.ADMIN);
      StoredMember target = requireTarget(found.get(targetId));
      requireOutranks(actor, target);
      return end(tx, group, target);
    });
  }

  /**
   * Sets a member's role to MEMBER or ADMIN. The owner only; the owner's own role changes only by
   * {@link #transferOwnership} (FAILED_PRECONDITION).
   */
  Member setRole(String groupId, String actorId, String targetId, GroupRole role) {
    if (role != GroupRole.MEMBER && role != GroupRole.ADMIN) {
      throw new IllegalArgumentException("role must be MEMBER or ADMIN: " + role);
    }
    return change(groupId, tx -> {
      StoredGroup group = tx.group();
      Map<String, StoredMember> found = tx.members(distinct(List.of(actorId, targetId)));
      requireRole(group, Optional.ofNullable(found.get(actorId)), GroupRole.OWNER);
      StoredMember target = requireTarget(found.get(targetId));
      if (target.role() == GroupRole.OWNER) {
        throw GroupErrors.ownerRoleFixed();
      }
      StoredMember changed = target.withRole(role);
      if (!changed.equals(target)) {
        tx.updateMember(changed);
      }
      return changed.toMember(clock.millis());
    });
  }

  /**
   * Makes member {@code newOwnerId} the owner and the old owner an admin; a mute of the new owner
   * ends, since nobody mutes the owner. The owner only; GROUP_OWNED_LIMIT if the new owner owns as
   * many groups as a user may.
   */
  Group transferOwnership(String groupId, String actorId, String newOwnerId) {
    return change(groupId, tx -> {
      StoredGroup group = tx.group();
      Map<String, StoredMember> found = tx.members(distinct(List.of(actorId, newOwnerId)));
      StoredMember owner = requireRole(group, Optional.ofNullable(found.get(actorId)), GroupRole.OWNER);
      StoredMember target = requireTarget(found.get(newOwnerId));
      if (target.role() == GroupRole.OWNER) {
        throw GroupErrors.ownerRoleFixed();
      }
      if (tx.lockUsers(List.of(newOwnerId)).get(newOwnerId).ownedGroups() >= settings.maxOwnedGroups()) {
        throw GroupErrors.ownedLimit(settings.maxOwnedGroups(), false);
      }
      tx.updateMember(owner.withRole(GroupRole.ADMIN));
      tx.updateMember(target.withRole(GroupRole.OWNER).withMuteUntil(0));
      StoredGroup transferred = group.withOwner(newOwnerId, clock.millis());
      tx.updateGroup(transferred);
      return transferred.toGroup(GroupRole.ADMIN);
    });
  }

  /**
   * Mutes {@code targetId} until {@code until}, or unmutes it if {@code until} is null or not after
   * now. Admins mute members; the owner mutes admins and members; nobody mutes the owner.
   */
  Member mute(String groupId, String actorId, String targetId, Instant until) {
    return change(groupId, tx -> {
      StoredGroup group = tx.group();
      Map<String, StoredMember> found = tx.members(distinct(List.of(actorId, targetId)));
      StoredMember actor = requireRole(group, Optional.ofNullable(found.get(actorId)), GroupRole.ADMIN);
      StoredMember target = requireTarget(found.get(targetId));
      requireOutranks(actor, target);
      long now = clock.millis();
      long untilMs = until == null || until.toEpochMilli() <= now ? 0 : until.toEpochMilli();
      StoredMember muted = target.withMuteUntil(untilMs);
      tx.updateMember(muted);
      return muted.toMember(now);
    });
  }

  /**
   * Up to {@code limit} members in join order, after {@code cursor} (null for the first page), for
   * member {@code actorId} (refused as a non-member is).
   */
  Page<Member> listMembers(String groupId, String actorId, String cursor, int limit) {
    long after = Page.afterJoin(cursor);
    StoredMembership found = find(groupId, actorId);
    requireRole(found.group(), Optional.ofNullable(found.member()), GroupRole.MEMBER);
    List<StoredMember> members = store.members(groupId, after, limit + 1).orElseThrow(GroupErrors::groupNotFound);
    long now = clock.millis();
    return page(members, limit, m -> m.toMember(now), m -> Long.toString(m.joinMs()));
  }

  /** Whether the group exists, and {@code userId}'s membership: for internal callers, no access check. */
  CheckMembershipResponse checkMembership(String groupId, String userId) {
    Optional<StoredMembership> found = store.find(groupId, userId);
    CheckMembershipResponse.Builder answer = CheckMembershipResponse.newBuilder().setGroupExists(found.isPresent());
    found.ifPresent(f -> answer.setJoinPolicy(f.group().policy()).setPublic(f.group().isPublic()));
    StoredMember member = found.map(StoredMembership::member).orElse(null);
    if (member != null) {
      answer.setMember(true).setRole(member.role()).setJoinTime(Timestamps.fromMillis(member.joinMs()));
      if (member.muteUntilMs() > clock.millis()) {
        answer.setMuteUntil(Timestamps.fromMillis(member.muteUntilMs()));
      }
    }
    return answer.build();
  }

  /** Up to {@code limit} member ids in join order after {@code cursor}, or empty if the group does not exist. */
  Optional<Page<String>> listMemberIds(String groupId, String cursor, int limit) {
    long after = Page.afterJoin(cursor);
    return store.members(groupId, after, limit + 1)
        .map(members -> page(members, limit, StoredMember::userId, m -> Long.toString(m.joinMs())));
  }

  /**
   * Up to {@code limit} groups {@code userId} is a member of, with the user's role, most recently
   * joined first, after {@code cursor} (null for the first page). A group dismissed while this
   * reads is left out.
   */
  Page<Group> listGroups(String userId, String cursor, int limit) {
    Page<UserGroup> entries = listUserGroups(userId, cursor, limit);
    Map<String, StoredGroup> groups = store.groups(entries.items().stream().map(UserGroup::getGroupId).toList());
    List<Group> found = new ArrayList<>();
    for (UserGroup entry : entries.items()) {
      StoredGroup group = groups.get(entry.getGroupId());
      if (group != null) {
        found.add(group.toGroup(entry.getRole()));
      }
    }
    return new Page<>(found, entries.nextCursor());
  }

  /**
   * Up to {@code limit} of {@code userId}'s memberships (group, role, join time), most recently
   * joined first, after {@code cursor} (null for the first page).
   */
  Page<UserGroup> listUserGroups(String userId, String cursor, int limit) {
    Page.Position after = Page.Position.parse(cursor, "g");
    return page(store.userGroups(userId, after, limit + 1), limit, Function.identity(),
        g -> new Page.Position(Timestamps.toMillis(g.getJoinTime()), g.getGroupId()).cursor());
  }

  /** Whether two users are both members of some group now: for internal callers, no access check. */
  boolean sharesGroup(String userIdA, String userIdB) {
    return !userIdA.equals(userIdB) && store.sharesGroup(userIdA, userIdB);
  }

  /**
   * Whether {@code actor} may act on {@code target} in RemoveMember and MuteMember: admins act on
   * members, the owner on admins and members, nobody on the owner or on an equal.
   */
  static boolean outranks(GroupRole actor, GroupRole target) {
    return rank(actor) >= rank(GroupRole.ADMIN) && rank(actor) > rank(target);
  }

  /** 0 for no role, then member, admin, owner. */
  static int rank(GroupRole role) {
    return switch (role) {
      case MEMBER -> 1;
      case ADMIN -> 2;
      case OWNER -> 3;
      default -> 0;
    };
  }

  /** A join time for a new member: now, or one millisecond after the group's last join if that is not earlier. */
  static long nextJoin(long nowMs, long lastJoinMs) {
    return Math.max(nowMs, lastJoinMs + 1);
  }

  private <T> T change(String groupId, Function<GroupTx, T> work) {
    return store.change(groupId, work).orElseThrow(GroupErrors::groupNotFound);
  }

  private StoredMembership find(String groupId, String userId) {
    return store.find(groupId, userId).orElseThrow(GroupErrors::groupNotFound);
  }

  /**
   * Makes {@code userId} a member, joined now, if the group has room (else GROUP_FULL), and deletes
   * the user's invitation and join request: they are answered. Returns the new membership.
   */
  private Member admit(GroupTx tx, StoredGroup group, String userId) {
    if (group.memberCount() + 1 > group.maxMembers()) {
      throw GroupErrors.full(group.maxMembers());
    }
    long now = clock.millis();
    StoredMember member = new StoredMember(userId, GroupRole.MEMBER, nextJoin(now, group.lastJoinMs()), 0);
    tx.addMembers(List.of(member));
    tx.deleteInvitations(List.of(userId));
    tx.deleteJoinRequests(List.of(userId));
    tx.updateGroup(group.withMembers(group.memberCount() + 1, member.joinMs()));
    return member.toMember(now);
  }

  /**
   * The pending invitation of {@code userId} to the group, for the invitee's own answer:
   * ALREADY_GROUP_MEMBER for a member, else INVITATION_NOT_FOUND, or GROUP_NOT_FOUND where the user
   * may not see the group.
   */
  private static StoredInvitation requireOwnInvitation(GroupTx tx, StoredGroup group, String userId) {
    if (tx.member(userId).isPresent()) {
      throw GroupErrors.alreadyMember();
    }
    return tx.invitation(userId).filter(StoredInvitation::isPending)
        .orElseThrow(() -> group.isPublic() ? GroupErrors.invitationNotFound() : GroupErrors.groupNotFound());
  }

  /**
   * How {@code actorId} relates to each of {@code others}; BLOCKED naming those with whom one blocks
   * the other.
   */
  private Map<String, FriendDirectory.Relation> relate(String actorId, List<String> others) {
    if (others.isEmpty()) {
      return Map.of();
    }
    Map<String, FriendDirectory.Relation> relations = friends.relations(actorId, others);
    List<String> blocked = others.stream().filter(id -> relations.get(id).blocked()).toList();
    if (!blocked.isEmpty()) {
      throw GroupErrors.blocked(blocked);
    }
    return relations;
  }

  /** INVITATION_LIMIT naming the users of {@code invitees} who hold as many pending invitations as allowed. */
  private void requireInvitationRoom(Map<String, UserTally> tallies, List<String> invitees) {
    List<String> full = invitees.stream()
        .filter(id -> tallies.get(id).pendingInvitations() >= settings.maxPendingInvitations()).toList();
    if (!full.isEmpty()) {
      throw GroupErrors.invitationLimit(full, settings.maxPendingInvitations());
    }
  }

  /** Whether a refusal (a decline or a rejection) at {@code refusedMs} still keeps its group and user apart. */
  private boolean coolingDown(long refusedMs, long nowMs) {
    return refusedMs != 0 && nowMs < cooldownEnd(refusedMs);
  }

  private long cooldownEnd(long refusedMs) {
    return refusedMs + settings.refusalCooldown().toMillis();
  }

  /** Ends membership {@code ended} and returns it as it was. */
  private Member end(GroupTx tx, StoredGroup group, StoredMember ended) {
    tx.removeMember(ended.userId());
    tx.updateGroup(group.withMembers(group.memberCount() - 1, group.lastJoinMs()));
    return ended.toMember(clock.millis());
  }

  /**
   * The actor's membership if its role is at least {@code min}; else, for a non-member,
   * NOT_GROUP_MEMBER (OPEN group) or GROUP_NOT_FOUND, and GROUP_ROLE_INSUFFICIENT for a member.
   */
  private static StoredMember requireRole(StoredGroup group, Optional<StoredMember> actor, GroupRole min) {
    if (actor.isEmpty()) {
      throw GroupErrors.notMember(group.policy());
    }
    if (rank(actor.get().role()) < rank(min)) {
      throw GroupErrors.roleInsufficient();
    }
    return actor.get();
  }

  private static StoredMember requireTarget(StoredMember target) {
    if (target == null) {
      throw GroupErrors.memberNotFound();
    }
    return target;
  }

  private static void requireOutranks(StoredMember actor, StoredMember target) {
    if (!outranks(actor.role(), target.role())) {
      throw GroupErrors.roleInsufficient();
    }
  }

  private static List<String> distinct(List<String> ids) {
    return new ArrayList<>(new LinkedHashSet<>(ids));
  }

  /**
   * The first {@code limit} of {@code rows} (fetched one beyond the page), and the cursor after the
   * last of them if there are more.
   */
  private static <R, T> Page<T> page(List<R> rows, int limit, Function<R, T> item, Function<R, String> cursor) {
    if (rows.size() <= limit) {
      return new Page<>(rows.stream().map(item).toList(), null);
    }
    List<R> shown = rows.subList(0, limit);
    return new Page<>(shown.stream().map(item).toList(), cursor.apply(shown.get(limit - 1)));
  }
}
