package io.parley.message.store;

import static java.util.Objects.requireNonNull;

import io.parley.data.Ids;
import io.parley.message.v1.ConversationType;
import java.util.Optional;

/**
 * A conversation's id, and what follows from it: {@code p_<smaller uid>_<larger uid>} for a
 * private chat, whose two participants the id names, or {@code g_<group id>} for a group, whose
 * members group-svc knows. User ids are compared as strings.
 *
 * <p>The id is also the distribution key of everything stored for the conversation (its counter
 * and its messages), so that a send touches one shard. Immutable.
 */
public final class ConversationId {
  private static final String PRIVATE_PREFIX = "p_";
  private static final String GROUP_PREFIX = "g_";
  private static final int USER_ID_LENGTH = 17;

  private final String value;
  private final ConversationType type;
  private final String first;
  private final String second;

  private ConversationId(String value, ConversationType type, String first, String second) {
    this.value = value;
    this.type = type;
    this.first = first;
    this.second = second;
  }

  /** The private conversation of two different users, in either order. */
  public static ConversationId ofUsers(String userA, String userB) {
    requireNonNull(userA, "userA");
    requireNonNull(userB, "userB");
    if (userA.equals(userB)) {
      throw new IllegalArgumentException("a private conversation needs two different users: " + userA);
    }
    String low = userA.compareTo(userB) < 0 ? userA : userB;
    String high = low.equals(userA) ? userB : userA;
    return new ConversationId(PRIVATE_PREFIX + low + "_" + high, ConversationType.PRIVATE, low, high);
  }

  public static ConversationId ofGroup(String groupId) {
    requireNonNull(groupId, "groupId");
    if (groupId.isEmpty()) {
      throw new IllegalArgumentException("groupId must not be empty");
    }
    return new ConversationId(GROUP_PREFIX + groupId, ConversationType.GROUP, groupId, null);
  }

  /**
   * Parses a conversation id as clients send it; empty if it is not well formed (a private id must
   * name two different, valid user ids, smaller first).
   */
  public static Optional<ConversationId> parse(String value) {
    if (value == null) {
      return Optional.empty();
    }
    if (value.startsWith(GROUP_PREFIX)) {
      String groupId = value.substring(GROUP_PREFIX.length());
      return Ids.isValid(groupId, "g") ? Optional.of(ofGroup(groupId)) : Optional.empty();
    }
    if (value.startsWith(PRIVATE_PREFIX) && value.length() == PRIVATE_PREFIX.length() + 2 * USER_ID_LENGTH + 1
        && value.charAt(PRIVATE_PREFIX.length() + USER_ID_LENGTH) == '_') {
      String low = value.substring(PRIVATE_PREFIX.length(), PRIVATE_PREFIX.length() + USER_ID_LENGTH);
      String high = value.substring(PRIVATE_PREFIX.length() + USER_ID_LENGTH + 1);
      if (Ids.isValid(low, "u") && Ids.isValid(high, "u") && low.compareTo(high) < 0) {
        return Optional.of(new ConversationId(value, ConversationType.PRIVATE, low, high));
      }
    }
    return Optional.empty();
  }

  public ConversationType type() {
    return type;
  }

  public boolean isGroup() {
    return type == ConversationType.GROUP;
  }

  /** The group's id; only for a group conversation. */
  public String groupId() {
    if (!isGroup()) {
      throw new IllegalStateException(value + " is not a group conversation");
    }
    return first;
  }

  /** Whether {@code userId} is one of the two participants of this private conversation. */
  public boolean hasParticipant(String userId) {
    return !isGroup() && (first.equals(userId) || second.equals(userId));
  }

  /**
   * The other participant of this private conversation.
   *
   * @throws IllegalStateException for a group conversation or a user who is not a participant
   */
  public String peerOf(String userId) {
    if (!hasParticipant(userId)) {
      throw new IllegalStateException(userId + " is not a participant of " + value);
    }
    return first.equals(userId) ? second : first;
  }

  /** The smaller user id of a private conversation. */
  public String firstUser() {
    if (isGroup()) {
      throw new IllegalStateException(value + " is not a private conversation");
    }
    return first;
  }

  /** The larger user id of a private conversation. */
  public String secondUser() {
    if (isGroup()) {
      throw new IllegalStateException(value + " is not a private conversation");
    }
    return second;
  }

  /** The id as clients see it. */
  public String value() {
    return value;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ConversationId other && value.equals(other.value);
  }

  @Override
  public int hashCode() {
    return value.hashCode();
  }

  @Override
  public String toString() {
    return value;
  }
}
