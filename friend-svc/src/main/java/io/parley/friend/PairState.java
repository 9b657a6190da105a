package io.parley.friend;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * What is between two users, as a store keeps it for {@link FriendRules}: whether they are friends
 * and since when, each side's remark, each side's block, and the pending request between them. A
 * value only: the rules decide what may follow what. Immutable; times are whole milliseconds.
 *
 * @param pair the two users
 * @param friendsSince when they became friends, or null if they are not
 * @param remarks each side's non-empty remark for the other, by user id
 * @param blockingSince when each side that blocks the other began to, by user id
 * @param pendingRequestId the id of the pending request between them, or null
 */
record PairState(
    UserPair pair, Instant friendsSince, Map<String, String> remarks, Map<String, Instant> blockingSince,
    String pendingRequestId) {

  PairState {
    requireNonNull(pair, "pair");
    remarks = Map.copyOf(remarks);
    blockingSince = Map.copyOf(blockingSince);
    for (String userId : remarks.keySet()) {
      pair.other(userId);
      if (remarks.get(userId).isEmpty()) {
        throw new IllegalArgumentException("an empty remark is no remark: " + userId);
      }
    }
    blockingSince.keySet().forEach(pair::other);
  }

  /** Two users with nothing between them. */
  static PairState empty(UserPair pair) {
    return new PairState(pair, null, Map.of(), Map.of(), null);
  }

  boolean friends() {
    return friendsSince != null;
  }

  /** {@code userId}'s remark for the other, or empty. */
  String remark(String userId) {
    return remarks.getOrDefault(userId, "");
  }

  /** Whether {@code userId} blocks the other. */
  boolean blocks(String userId) {
    return blockingSince.containsKey(userId);
  }

  /** Whether either blocks the other. */
  boolean blocked() {
    return !blockingSince.isEmpty();
  }

  /** Whether there is nothing between the two: a store need not keep the pair. */
  boolean isEmpty() {
    return friendsSince == null && remarks.isEmpty() && blockingSince.isEmpty() && pendingRequestId == null;
  }

  /** A copy with {@code since} (null: not friends) and {@code remarks} as they are. */
  PairState withFriendsSince(Instant since) {
    return new PairState(pair, since, remarks, blockingSince, pendingRequestId);
  }

  /** A copy where {@code userId}'s remark is {@code remark} (empty: none). */
  PairState withRemark(String userId, String remark) {
    Map<String, String> changed = new HashMap<>(remarks);
    if (remark.isEmpty()) {
      changed.remove(userId);
    } else {
      changed.put(requireNonNull(userId, "userId"), remark);
    }
    return new PairState(pair, friendsSince, changed, blockingSince, pendingRequestId);
  }

  /** A copy without remarks. */
  PairState withoutRemarks() {
    return new PairState(pair, friendsSince, Map.of(), blockingSince, pendingRequestId);
  }

  /** A copy where {@code userId} blocks the other since {@code since}, or does not if it is null. */
  PairState withBlockingSince(String userId, Instant since) {
    Map<String, Instant> changed = new HashMap<>(blockingSince);
    if (since == null) {
      changed.remove(userId);
    } else {
      changed.put(requireNonNull(userId, "userId"), since);
    }
    return new PairState(pair, friendsSince, remarks, changed, pendingRequestId);
  }

  /** A copy with {@code requestId} pending (null: none). */
  PairState withPendingRequestId(String requestId) {
    return new PairState(pair, friendsSince, remarks, blockingSince, requestId);
  }
}
