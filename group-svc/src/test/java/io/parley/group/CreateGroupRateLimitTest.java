package io.parley.group;

import static io.parley.group.GroupTestServer.assertStatus;
import static io.parley.group.GroupTestServer.errorInfo;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.Durations;
import com.google.rpc.RetryInfo;
import io.grpc.Status.Code;
import io.parley.common.v1.ErrorReason;
import io.parley.group.v1.CreateGroupRequest;
import io.parley.group.v1.Group;
import io.parley.group.v1.ListMyGroupsRequest;
import io.parley.ratelimit.RateLimit;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * CreateGroup is rate limited per user (#13.4): nothing but the owned-group limit stopped one user
 * from creating groups, each inviting up to 100 others, as fast as the server would store them.
 * Here 2 an hour with bursts of 2, on the test clock.
 */
class CreateGroupRateLimitTest {
  private GroupTestServer server;

  @BeforeEach
  void start() throws InterruptedException {
    server = GroupTestServer.start(GroupTestServer.settings()
        .withCreateGroupLimit(RateLimit.parse(GroupSettings.CREATE_GROUP_LIMIT, "2/1h")), null);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private Group create(String owner, String name) {
    return server.as(owner).createGroup(CreateGroupRequest.newBuilder()
        .setGroup(Group.newBuilder().setName(name)).build());
  }

  @Test
  void creatingGroupsFasterThanTheLimitIsRefusedWithRetryInfoUntilAPermitReturns() {
    String owner = server.newUser();
    create(owner, "one");
    create(owner, "two");

    com.google.rpc.Status refused = assertStatus(Code.RESOURCE_EXHAUSTED, ErrorReason.RATE_LIMITED,
        () -> create(owner, "three"));
    assertThat(errorInfo(refused).getMetadataMap()).containsEntry("limit", "group.create");
    RetryInfo retry = refused.getDetailsList().stream().filter(d -> d.is(RetryInfo.class)).findFirst()
        .map(d -> {
          try {
            return d.unpack(RetryInfo.class);
          } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
          }
        }).orElseThrow();
    assertThat(Durations.toMillis(retry.getRetryDelay())).isEqualTo(Duration.ofMinutes(30).toMillis());
    assertThat(server.as(owner).listMyGroups(ListMyGroupsRequest.getDefaultInstance()).getGroupsList())
        .extracting(Group::getName).containsExactlyInAnyOrder("one", "two");

    create(server.newUser(), "someone else's");
    server.clock.advance(Duration.ofMinutes(30));
    assertThat(create(owner, "three").getName()).isEqualTo("three");
  }

  @Test
  void anInvalidRequestTakesNoPermit() {
    String owner = server.newUser();
    for (int i = 0; i < 3; i++) {
      assertStatus(Code.INVALID_ARGUMENT, ErrorReason.INVALID_ARGUMENT, () -> create(owner, " "));
    }
    create(owner, "one");
    create(owner, "two");
  }
}
