package io.parley.message.presence;

import io.parley.message.v1.PresenceVisibility;
import java.util.Collection;
import java.util.Map;

/**
 * Each user's presence privacy setting, kept durably (PostgreSQL, table {@code presence_setting}, or
 * this process's memory). A user who never chose has {@link #DEFAULT}. Thread-safe.
 */
public interface PresenceSettings {
  /** The setting of a user who never chose. */
  PresenceVisibility DEFAULT = PresenceVisibility.FRIENDS_AND_GROUPS;

  /** The settings of {@code userIds}, {@link #DEFAULT} for those who never chose: one read. */
  Map<String, PresenceVisibility> visibility(Collection<String> userIds);

  /** Stores {@code userId}'s setting (FRIENDS_AND_GROUPS, FRIENDS or NOBODY). */
  void setVisibility(String userId, PresenceVisibility visibility);
}
