package io.parley.group;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.BindableService;
import io.parley.group.v1.CreateGroupRequest;
import io.parley.group.v1.GetGroupRequest;
import io.parley.group.v1.Group;
import io.parley.group.v1.GroupServiceGrpc;
import io.parley.group.v1.InviteMembersRequest;
import io.parley.group.v1.JoinPolicy;
import io.parley.group.v1.ListMyGroupsRequest;
import io.parley.testing.RedisServer;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/** {@link GroupModule} wires the store the platform asks for, and replicas on one Redis share groups and events. */
class GroupModuleTest {
  private static RedisServer redis;

  @BeforeAll
  static void startRedis() {
    redis = RedisServer.start();
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
  }

  @Test
  void aMemoryPlatformGetsTheMemoryStoreAndServesGroupService() throws InterruptedException {
    try (GroupTestServer server = GroupTestServer.start()) {
      assertThat(server.module.store()).isInstanceOf(MemoryGroupStore.class);
      assertThat(server.module.services()).extracting(BindableService::bindService)
          .extracting(definition -> definition.getServiceDescriptor().getName())
          .containsExactly(GroupServiceGrpc.SERVICE_NAME);
    }
  }

  @Test
  void replicasOnOneRedisShareGroupsIndexesAndEvents() throws InterruptedException {
    try (GroupTestServer first = GroupTestServer.start(GroupSettings.defaults(), redis.url());
        GroupTestServer second = GroupTestServer.start(GroupSettings.defaults(), redis.url())) {
      assertThat(first.module.store()).isInstanceOf(RedisGroupStore.class);
      String owner = first.newUser();
      String member = first.newUser();

      Group group = first.as(owner).createGroup(CreateGroupRequest.newBuilder()
          .setGroup(Group.newBuilder().setName("shared").setJoinPolicy(JoinPolicy.INVITE_ONLY)).build());
      first.as(owner).inviteMembers(InviteMembersRequest.newBuilder().setGroupId(group.getGroupId())
          .addUserIds(member).build());

      assertThat(second.as(owner).getGroup(GetGroupRequest.newBuilder().setGroupId(group.getGroupId()).build())
          .getMemberCount()).isEqualTo(2);
      assertThat(second.as(member).listMyGroups(ListMyGroupsRequest.getDefaultInstance()).getGroupsList())
          .extracting(Group::getGroupId).containsExactly(group.getGroupId());
      assertThat(second.nextEvent(Duration.ofSeconds(5))).isEqualTo(group.getGroupId() + " " + owner);
      assertThat(second.nextEvent(Duration.ofSeconds(5))).isEqualTo(group.getGroupId() + " " + member);
      try (Jedis jedis = redis.connect()) {
        assertThat(jedis.exists("parley:group:{" + group.getGroupId() + "}:meta")).isTrue();
        assertThat(jedis.zscore("parley:group:user:{" + member + "}:groups", group.getGroupId())).isNotNull();
      }
    }
  }
}
