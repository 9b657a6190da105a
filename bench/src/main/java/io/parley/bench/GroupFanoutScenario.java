package io.parley.bench;

import io.parley.group.v1.CreateGroupRequest;
import io.parley.group.v1.Group;
import io.parley.group.v1.GroupServiceGrpc;
import io.parley.group.v1.InviteMembersRequest;
import io.parley.message.v1.MessageContent;
import io.parley.message.v1.MessageServiceGrpc;
import io.parley.message.v1.SendMessageRequest;
import io.parley.message.v1.TextContent;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * One group of 1,000 members, every member subscribed (over two message-svc replicas): the time
 * from sending a message to the group until the last member has it, over a series of messages
 * sent one at a time. Target: p99 ≤ 200 ms.
 */
final class GroupFanoutScenario implements Scenario {
  @Override
  public String name() {
    return "group-fanout";
  }

  @Override
  public String description() {
    return "one group of 1,000 subscribed members; time until every member has a message; target p99 <= 200 ms";
  }

  @Override
  public Report run(BenchOptions options) throws Exception {
    int members = options.scaleOr(1000);
    int messages = Math.max(20, (int) options.duration().toSeconds() * 10);
    try (Deployment deployment = new Deployment(2)) {
      List<Deployment.BenchUser> users = deployment.users("fan", members);
      Deployment.BenchUser owner = users.get(0);
      GroupServiceGrpc.GroupServiceBlockingStub groups =
          RevocationScenario.as(GroupServiceGrpc.newBlockingStub(deployment.groupChannel), owner.token());
      String groupId = groups.createGroup(CreateGroupRequest.newBuilder()
          .setGroup(Group.newBuilder().setName("fan-out")).build()).getGroupId();
      for (int from = 1; from < members; from += 100) {
        InviteMembersRequest.Builder invite = InviteMembersRequest.newBuilder().setGroupId(groupId);
        users.subList(from, Math.min(members, from + 100)).forEach(u -> invite.addUserIds(u.id()));
        groups.inviteMembers(invite.build());
      }
      Delivery delivery = new Delivery();
      delivery.subscribe(users, deployment.messageChannels);
      // The sender's own session is not pushed its message: the others are.
      delivery.expectFanOut(members - 1);
      MessageServiceGrpc.MessageServiceBlockingStub send =
          RevocationScenario.as(MessageServiceGrpc.newBlockingStub(deployment.messageChannels.get(0)), owner.token());

      for (int i = 0; i < messages + 5; i++) {
        if (i == 5) {
          delivery.allReceived.reset();
        }
        send.sendMessage(SendMessageRequest.newBuilder()
            .setToGroupId(groupId)
            .setClientMsgId("fan-" + i)
            .setContent(MessageContent.newBuilder().setText(TextContent.newBuilder().setText("t=" + System.nanoTime())))
            .build());
        Thread.sleep(100);
      }
      Thread.sleep(2000);
      Histogram all = delivery.allReceived.getIntervalHistogram();
      long deliveries = delivery.delivered.get();
      long duplicates = delivery.duplicates();
      delivery.close();
      Measurement measurement = new Measurement("send until all members have it", all.getTotalCount(),
          all.getTotalCount(), all);
      return new Report(name())
          .measurement(measurement)
          .figure("members", members)
          .figure("messages measured", all.getTotalCount())
          .figure("messages fully delivered / sent", all.getTotalCount() / (double) messages)
          .figure("deliveries", deliveries)
          .figure("duplicated", duplicates)
          .figure("p99 until all members have it (ms)", measurement.percentileMillis(99))
          .atMost("p99 until every member has it (ms) <= 200", measurement.percentileMillis(99), 200)
          .atLeast("every message reached every member", all.getTotalCount(), messages)
          .note("the throughput column is meaningless here: one message at a time, 100 ms apart");
    }
  }
}
