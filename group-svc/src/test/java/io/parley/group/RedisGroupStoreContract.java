package io.parley.group;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.Timestamps;
import io.parley.common.v1.ErrorReason;
import io.parley.data.Ids;
import io.parley.group.v1.Group;
import io.parley.group.v1.JoinPolicy;
import io.parley.testing.RedisServer;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * The {@link GroupStoreContract} for {@link RedisGroupStore}, plus what only Redis has: the key
 * layout and the protocol that keeps each user's index of groups from ever showing a group the user
 * is not in. Subclasses start the Redis (standalone or Cluster) once per class.
 */
abstract class RedisGroupStoreContract extends GroupStoreContract {
  /** A client on the Redis under test, shared by the class. */
  abstract UnifiedJedis jedis();

  /** Every server of the Redis under test. */
  abstract List<RedisServer> servers();

  @Override
  GroupStore newStore(Clock clock) {
    return new RedisGroupStore(jedis(), clock);
  }

  RedisGroupStore redisStore() {
    return (RedisGroupStore) store;
  }

  Double indexScore(String userId, String groupId) {
    return jedis().zscore(RedisGroupStore.indexKey(userId), groupId);
  }

  @Override
  void assertStoredStateConsistent(String groupId) {
    List<String> keys = RedisGroupStore.groupKeys(groupId);
    Map<String, String> meta = jedis().hgetAll(keys.get(0));
    Map<String, String> roles = jedis().hgetAll(keys.get(2));
    assertThat(jedis().zcard(keys.get(1))).isEqualTo(roles.size());
    assertThat(jedis().zrange(keys.get(1), 0, -1)).containsExactlyInAnyOrderElementsOf(roles.keySet());
    assertThat(roles.keySet()).containsAll(jedis().hkeys(keys.get(3)));
    assertThat(roles.entrySet()).filteredOn(e -> e.getValue().equals("3")).extracting(Map.Entry::getKey)
        .containsExactly(meta.get("owner"));
    double lastJoin = Double.parseDouble(meta.get("lastjoin"));
    assertThat(jedis().zrangeWithScores(keys.get(1), 0, -1))
        .allSatisfy(t -> assertThat(t.getScore()).isLessThanOrEqualTo(lastJoin));
  }

  @Test
  void aGroupsKeysShareOneHashTagUnderThePrefix() {
    String owner = user();
    String member = user();
    Group group = create(owner, JoinPolicy.INVITE_ONLY, 10, member);
    store.mute(group.getGroupId(), owner, member, START.plus(Duration.ofHours(1)));

    List<String> keys = RedisGroupStore.groupKeys(group.getGroupId());
    assertThat(keys).allSatisfy(key -> {
      assertThat(key).startsWith("parley:group:{" + group.getGroupId() + "}:");
      assertThat(jedis().exists(key)).as(key).isTrue();
      assertThat(JedisClusterCRC16.getSlot(key)).isEqualTo(JedisClusterCRC16.getSlot(keys.get(0)));
    });
    assertThat(indexScore(member, group.getGroupId())).isEqualTo((double) START.toEpochMilli() + 1);
    for (RedisServer server : servers()) {
      try (Jedis node = server.connect()) {
        assertThat(node.keys("*")).allSatisfy(key -> assertThat(key).startsWith("parley:group:"));
      }
    }
  }

  @Test
  void dismissDeletesEveryKeyOfTheGroupAndItsIndexEntries() {
    String owner = user();
    String member = user();
    Group group = create(owner, JoinPolicy.INVITE_ONLY, 10, member);
    store.mute(group.getGroupId(), owner, member, START.plus(Duration.ofHours(1)));

    store.dismiss(group.getGroupId(), owner);

    assertThat(RedisGroupStore.groupKeys(group.getGroupId()))
        .allSatisfy(key -> assertThat(jedis().exists(key)).isFalse());
    assertThat(indexScore(owner, group.getGroupId())).isNull();
    assertThat(indexScore(member, group.getGroupId())).isNull();
  }

  @Test
  void anIndexEntryOfAGroupTheUserIsNotInIsNeverShownAndIsDropped() {
    String owner = user();
    String stranger = user();
    Group group = create(owner, JoinPolicy.INVITE_ONLY, 10);
    String missing = Ids.newId("g");
    // What a crash between the steps of the protocol can leave: a stale membership and an old pending join.
    jedis().zadd(RedisGroupStore.indexKey(stranger), START.toEpochMilli(), group.getGroupId());
    jedis().zadd(RedisGroupStore.indexKey(stranger), -START.toEpochMilli(), missing);
    clock.advance(RedisGroupStore.PENDING_GRACE);

    assertThat(store.listGroups(stranger, null, 10).items()).isEmpty();

    assertThat(indexScore(stranger, group.getGroupId())).isNull();
    assertThat(indexScore(stranger, missing)).isNull();
  }

  @Test
  void aRecentPendingEntryIsHiddenButKeptForTheJoinInFlight() {
    String owner = user();
    String joiner = user();
    Group group = create(owner, JoinPolicy.OPEN, 10);
    clock.advance(Duration.ofSeconds(1));
    // A join whose pending entry is written, but whose script has not run yet.
    jedis().zadd(RedisGroupStore.indexKey(joiner), -clock.millis(), group.getGroupId());

    assertThat(store.listGroups(joiner, null, 10).items()).isEmpty();
    assertThat(indexScore(joiner, group.getGroupId())).isEqualTo((double) -clock.millis());

    store.join(group.getGroupId(), joiner);
    assertThat(groupIdsOf(joiner)).containsExactly(group.getGroupId());
  }

  @Test
  void aJoinLeftPendingByACrashIsShownAndRepaired() {
    String owner = user();
    String member = user();
    Group group = create(owner, JoinPolicy.INVITE_ONLY, 10, member);
    jedis().zadd(RedisGroupStore.indexKey(member), -START.toEpochMilli(), group.getGroupId());

    assertThat(store.listGroups(member, null, 10).items()).extracting(Group::getGroupId)
        .containsExactly(group.getGroupId());

    assertThat(indexScore(member, group.getGroupId())).isEqualTo((double) START.toEpochMilli() + 1);
  }

  @Test
  void aRefusedInvitationRestoresTheIndexOfExistingMembersAndDropsTheOthers() {
    String owner = user();
    String existing = user();
    String newcomer = user();
    Group group = create(owner, JoinPolicy.INVITE_ONLY, 3, existing);
    clock.advance(Duration.ofSeconds(1));

    assertRefused(ErrorReason.GROUP_FULL,
        () -> store.invite(group.getGroupId(), owner, List.of(existing, newcomer, user())));

    assertThat(indexScore(existing, group.getGroupId())).isEqualTo((double) START.toEpochMilli() + 1);
    assertThat(indexScore(newcomer, group.getGroupId())).isNull();
    assertRefused(ErrorReason.ALREADY_GROUP_MEMBER, () -> store.join(group.getGroupId(), owner));
    assertThat(indexScore(owner, group.getGroupId())).isEqualTo((double) START.toEpochMilli());
  }

  @Test
  void aSlowCleanUpOfAnEndedMembershipNeverDropsANewerOne() {
    String owner = user();
    String me = user();
    Group group = create(owner, JoinPolicy.OPEN, 10, me);
    long firstJoin = Timestamps.toMillis(memberOf(group.getGroupId(), me).getJoinTime());
    store.leave(group.getGroupId(), me);
    store.join(group.getGroupId(), me);

    // The clean-up of the first membership arrives late, after the second join.
    redisStore().unindex(me, group.getGroupId(), firstJoin);

    assertThat(store.listGroups(me, null, 10).items()).extracting(Group::getGroupId)
        .containsExactly(group.getGroupId());
    assertThat(indexScore(me, group.getGroupId()))
        .isEqualTo((double) Timestamps.toMillis(memberOf(group.getGroupId(), me).getJoinTime()));
  }
}
