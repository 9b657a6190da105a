package io.parley.group;

import com.google.protobuf.Timestamp;
import com.google.protobuf.util.Timestamps;
import io.parley.data.Ids;
import io.parley.data.UserText;
import io.parley.error.FieldViolations;
import io.parley.group.v1.CreateGroupRequest;
import io.parley.group.v1.Group;
import io.parley.group.v1.JoinPolicy;
import io.parley.group.v1.UpdateGroupRequest;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Validation of GroupService requests. Each check records what is wrong in a {@link
 * FieldViolations} under the field's proto path (e.g. {@code group.name}), so that one
 * INVALID_ARGUMENT answer names every bad field; the handler throws once all are checked. Texts
 * are checked by the shared {@link UserText} rules, and what is stored is the text they return
 * (NFC-normalized, a name stripped), never the request's.
 *
 * <p>A group's name is a {@linkplain UserText#name name}: shown in lists and notifications next to
 * other names, it refuses every invisible or deceptive character. Its notice and announcement are
 * {@linkplain UserText#body bodies}: running text that members read, which keeps what emoji and
 * scripts need and refuses controls and bidirectional overrides. A join request's note is a
 * {@linkplain UserText#text text}, as a friend request's message is. Every byte limit is far below
 * what a row, an event or a reply can hold: a group's fields together are at most about 14 KiB.
 */
final class GroupRequests {
  static final UserText NAME = UserText.name(64, 256);
  static final UserText NOTICE = UserText.body(1024, 4096);
  static final UserText JOIN_MESSAGE = UserText.text(200, 800);
  static final UserText ANNOUNCEMENT = UserText.body(2000, 8000);
  static final int MAX_AVATAR_URL_LENGTH = 512;

  /** The fields UpdateGroup may write, as update_mask paths. */
  static final Set<String> UPDATABLE = Set.of("name", "notice", "avatar_url", "join_policy");

  private GroupRequests() {}

  static void groupId(FieldViolations violations, String field, String value) {
    if (value.isEmpty()) {
      violations.add(field, "required");
    } else {
      violations.check(Ids.isValid(value, "g"), field, "not a group id");
    }
  }

  static void userId(FieldViolations violations, String field, String value) {
    if (value.isEmpty()) {
      violations.add(field, "required");
    } else {
      violations.check(Ids.isValid(value, "u"), field, "not a user id");
    }
  }

  /**
   * The distinct ids of {@code ids}, in first-seen order, after checking that there are {@code
   * min}-{@code max} of them (as sent, repeats included) and that each is a user id.
   */
  static List<String> userIds(FieldViolations violations, String field, List<String> ids, int min, int max) {
    if (ids.size() < min) {
      violations.add(field, "required: at least " + min + " user id");
    } else if (ids.size() > max) {
      violations.add(field, "at most " + max + " user ids per call (this server's limit), got " + ids.size());
      return List.of();
    }
    for (int i = 0; i < ids.size(); i++) {
      if (!Ids.isValid(ids.get(i), "u")) {
        violations.add(field, "entry " + i + " is not a user id");
      }
    }
    return new ArrayList<>(new LinkedHashSet<>(ids));
  }

  static void avatarUrl(FieldViolations violations, String field, String url) {
    if (url.isEmpty()) {
      return;
    }
    boolean valid = url.length() <= MAX_AVATAR_URL_LENGTH;
    if (valid) {
      try {
        URI uri = new URI(url);
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        valid = (scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null;
      } catch (URISyntaxException e) {
        valid = false;
      }
    }
    violations.check(valid, field, "must be an http(s) URL of at most " + MAX_AVATAR_URL_LENGTH + " characters, or empty");
  }

  static void joinPolicy(FieldViolations violations, String field, JoinPolicy policy, boolean unspecifiedAllowed) {
    boolean valid = policy == JoinPolicy.OPEN || policy == JoinPolicy.INVITE_ONLY || policy == JoinPolicy.APPROVAL
        || (unspecifiedAllowed && policy == JoinPolicy.JOIN_POLICY_UNSPECIFIED);
    violations.check(valid, field, "must be OPEN, INVITE_ONLY or APPROVAL");
  }

  /**
   * The fields of a new group: name, notice, avatar_url, and join_policy (INVITE_ONLY when unset),
   * as they are to be stored.
   */
  static Group createFields(FieldViolations violations, CreateGroupRequest request) {
    if (!request.hasGroup()) {
      violations.add("group", "required");
      return Group.getDefaultInstance();
    }
    Group group = request.getGroup();
    String name = NAME.check(violations, "group.name", group.getName());
    String notice = NOTICE.check(violations, "group.notice", group.getNotice());
    avatarUrl(violations, "group.avatar_url", group.getAvatarUrl());
    joinPolicy(violations, "group.join_policy", group.getJoinPolicy(), true);
    return Group.newBuilder()
        .setName(name == null ? "" : name)
        .setNotice(notice == null ? "" : notice)
        .setAvatarUrl(group.getAvatarUrl())
        .setJoinPolicyValue(group.getJoinPolicy() == JoinPolicy.JOIN_POLICY_UNSPECIFIED
            ? JoinPolicy.INVITE_ONLY_VALUE
            : group.getJoinPolicyValue())
        .build();
  }

  /**
   * What UpdateGroup writes.
   *
   * @param paths the fields to write
   * @param values their values, as they are to be stored
   */
  record Update(Set<String> paths, Group values) {}

  /**
   * The fields UpdateGroup writes: the paths of update_mask, or else every field of {@code group}
   * that is set (not empty, not unspecified). Each field written is validated.
   */
  static Update update(FieldViolations violations, UpdateGroupRequest request) {
    if (!request.hasGroup()) {
      violations.add("group", "required");
      return new Update(Set.of(), Group.getDefaultInstance());
    }
    Group group = request.getGroup();
    groupId(violations, "group.group_id", group.getGroupId());
    Set<String> paths = new LinkedHashSet<>();
    if (request.hasUpdateMask() && request.getUpdateMask().getPathsCount() > 0) {
      for (String path : request.getUpdateMask().getPathsList()) {
        if (UPDATABLE.contains(path)) {
          paths.add(path);
        } else {
          violations.add("update_mask", "unknown or read-only path '" + abbreviate(path)
              + "'; use name, notice, avatar_url, join_policy");
        }
      }
    } else {
      if (!group.getName().isEmpty()) {
        paths.add("name");
      }
      if (!group.getNotice().isEmpty()) {
        paths.add("notice");
      }
      if (!group.getAvatarUrl().isEmpty()) {
        paths.add("avatar_url");
      }
      if (group.getJoinPolicyValue() != JoinPolicy.JOIN_POLICY_UNSPECIFIED_VALUE) {
        paths.add("join_policy");
      }
      violations.check(!paths.isEmpty(), "update_mask", "empty, and no field of group is set: nothing to update");
    }
    Group.Builder values = group.toBuilder();
    for (String path : paths) {
      switch (path) {
        case "name" -> {
          String name = NAME.check(violations, "group.name", group.getName());
          values.setName(name == null ? "" : name);
        }
        case "notice" -> {
          String notice = NOTICE.check(violations, "group.notice", group.getNotice());
          values.setNotice(notice == null ? "" : notice);
        }
        case "avatar_url" -> avatarUrl(violations, "group.avatar_url", group.getAvatarUrl());
        case "join_policy" -> joinPolicy(violations, "group.join_policy", group.getJoinPolicy(), false);
        default -> throw new IllegalStateException(path);
      }
    }
    return new Update(paths, values.build());
  }

  /** The end of a mute, or null (unset): unmute. */
  static Instant muteUntil(FieldViolations violations, boolean set, Timestamp until) {
    if (!set) {
      return null;
    }
    if (!Timestamps.isValid(until)) {
      violations.add("mute_until", "not a valid timestamp");
      return null;
    }
    return Instant.ofEpochSecond(until.getSeconds(), until.getNanos());
  }

  private static String abbreviate(String value) {
    return value.length() <= 32 ? value : value.substring(0, 32) + "…";
  }
}
