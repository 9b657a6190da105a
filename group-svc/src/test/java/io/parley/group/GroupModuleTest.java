package io.parley.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.grpc.BindableService;
import io.parley.database.DatabaseSettings;
import io.parley.group.v1.AcceptInvitationRequest;
import io.parley.group.v1.CheckMembershipRequest;
import io.parley.group.v1.CheckMembershipResponse;
import io.parley.group.v1.CreateGroupRequest;
import io.parley.group.v1.GetGroupRequest;
import io.parley.group.v1.Group;
import io.parley.group.v1.GroupEvent;
import io.parley.group.v1.GroupRole;
import io.parley.group.v1.GroupServiceGrpc;
import io.parley.group.v1.InviteMembersRequest;
import io.parley.group.v1.JoinPolicy;
import io.parley.group.v1.ListMyGroupsRequest;
import io.parley.group.v1.ListUserGroupsRequest;
import io.parley.group.v1.UserGroup;
import io.parley.testing.PostgresServer;
import io.parley.testing.RedisServer;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * {@link GroupModule} keeps groups where it is told (memory, or PostgreSQL given database
 * settings) whatever the platform's Redis, and replicas on one PostgreSQL share the groups while
 * Redis carries only sessions and events.
 */
class GroupModuleTest {
  private static RedisServer redis;
  private static DatabaseSettings database;

  @BeforeAll
  static void start() {
    redis = RedisServer.start();
    database = PostgresServer.shared().createDatabase();
  }

  @AfterAll
  static void stop() {
    redis.close();
  }

  @Test
  void withoutDatabaseSettingsGroupsAreInMemoryEvenOnARedisPlatform() throws InterruptedException {
    try (GroupTestServer server = GroupTestServer.start(GroupTestServer.settings(), redis.url(), null)) {
      assertThat(server.module.store()).isInstanceOf(MemoryGroupStore.class);
      assertThat(server.module.services()).extracting(BindableService::bindService)
          .extracting(definition -> definition.getServiceDescriptor().getName())
          .containsExactly(GroupServiceGrpc.SERVICE_NAME);
    }
  }

  @Test
  void replicasOnOnePostgresShareGroupsAndEventsAndKeepNothingOfRecordInRedis() throws InterruptedException {
    try (GroupTestServer first = GroupTestServer.start(GroupTestServer.settings(), redis.url(), database);
        GroupTestServer second = GroupTestServer.start(GroupTestServer.settings(), redis.url(), database)) {
      assertThat(first.module.store()).isInstanceOf(PostgresGroupStore.class);
      String owner = first.newUser();
      String member = first.newUser();

      Group group = first.as(owner).createGroup(CreateGroupRequest.newBuilder()
          .setGroup(Group.newBuilder().setName("shared").setJoinPolicy(JoinPolicy.INVITE_ONLY)).build());
      first.as(owner).inviteMembers(InviteMembersRequest.newBuilder().setGroupId(group.getGroupId())
          .addUserIds(member).build());
      GroupEvent invited = second.nextGroupEvent(Duration.ofSeconds(5));
      assertThat(invited.getKind()).as("published by the first replica").isEqualTo(GroupEvent.Kind.INVITATION_RECEIVED);
      assertThat(invited.getAudienceUserIdsList()).containsExactly(member);
      second.as(member).acceptInvitation(AcceptInvitationRequest.newBuilder().setGroupId(group.getGroupId()).build());

      assertThat(second.as(owner).getGroup(GetGroupRequest.newBuilder().setGroupId(group.getGroupId()).build())
          .getMemberCount()).isEqualTo(2);
      assertThat(second.as(member).listMyGroups(ListMyGroupsRequest.getDefaultInstance()).getGroupsList())
          .extracting(Group::getGroupId).containsExactly(group.getGroupId());
      assertThat(second.nextEvent(Duration.ofSeconds(5))).isEqualTo(group.getGroupId() + " " + owner);
      assertThat(second.nextEvent(Duration.ofSeconds(5))).isEqualTo(group.getGroupId() + " " + member);
      try (Jedis jedis = redis.connect()) {
        assertThat(jedis.keys("*")).noneMatch(key -> key.contains("group") || key.contains(group.getGroupId()));
      }

      redis.flushAll();

      CheckMembershipResponse check = second.asService("message-svc").checkMembership(CheckMembershipRequest
          .newBuilder().setGroupId(group.getGroupId()).setUserId(member).build());
      assertThat(check.getMember()).isTrue();
      assertThat(second.asService("message-svc").listUserGroups(ListUserGroupsRequest.newBuilder().setUserId(owner)
          .build()).getGroupsList()).extracting(UserGroup::getGroupId, UserGroup::getRole)
          .containsExactly(tuple(group.getGroupId(), GroupRole.OWNER));
    }
  }
}
