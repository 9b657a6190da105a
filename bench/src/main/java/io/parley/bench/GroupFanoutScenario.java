package io.parley.bench;

import io.grpc.ManagedChannel;
import io.parley.group.v1.CreateGroupRequest;
import io.parley.group.v1.Group;
import io.parley.group.v1.GroupServiceGrpc;
import io.parley.group.v1.JoinGroupRequest;
import io.parley.group.v1.JoinPolicy;
import io.parley.message.v1.MessageContent;
import io.parley.message.v1.MessageServiceGrpc;
import io.parley.message.v1.SendMessageRequest;
import io.parley.message.v1.TextContent;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * One group of 1,000 members, every member subscribed (over two message-svc replicas): the time
 * from sending a message to the group until the last member has it, over a series of messages
 * sent one at a time after five unmeasured ones. Target: p99 ≤ 200 ms, and every measured message
 * reaching every member.
 */
final class GroupFanoutScenario implements Scenario {
  /** Messages sent first, unmeasured. */
  private static final int WARM_UP = 5;

  @Override
  public String name() {
    return "group-fanout";
  }

  @Override
  public String description() {
    return "one group of 1,000 subscribed members; time until every member has a message; target p99 <= 200 ms";
  }

  @Override
  public void checkTargets(Targets targets) {
    if (!targets.isEmpty()) {
      targets.allowOnly(name(), "user", "group", "message");
      targets.require(name(), "user");
      targets.require(name(), "group");
      targets.require(name(), "message", 1);
    }
  }

  @Override
  public Report run(BenchOptions options) throws Exception {
    // A group of one would have nobody to deliver to.
    int members = Math.max(2, options.scaleOr(1000));
    int messages = Math.max(20, (int) options.duration().toSeconds() * 10);
    try (Deployment deployment = Deployment.of(options.targets(), 2)) {
      List<Deployment.BenchUser> users = deployment.users("fan", members);
      Deployment.BenchUser owner = users.get(0);
      GroupServiceGrpc.GroupServiceBlockingStub groups =
          RevocationScenario.as(GroupServiceGrpc.newBlockingStub(deployment.groupChannel), owner.token());
      // An OPEN group, which each member joins: nobody is a member without asking to be.
      String groupId = groups.createGroup(CreateGroupRequest.newBuilder()
          .setGroup(Group.newBuilder().setName("fan-out").setJoinPolicy(JoinPolicy.OPEN)).build()).getGroupId();
      for (Deployment.BenchUser member : users.subList(1, members)) {
        RevocationScenario.as(GroupServiceGrpc.newBlockingStub(deployment.groupChannel), member.token())
            .joinGroup(JoinGroupRequest.newBuilder().setGroupId(groupId).build());
      }
      List<ManagedChannel> connections = deployment.messageConnections(users);
      // The sender's own session is not pushed its message: the others are.
      FanOut fanOut = new FanOut(WARM_UP, messages, members, 0);
      Delivery delivery = new Delivery(fanOut);
      delivery.subscribe(users, connections);
      MessageServiceGrpc.MessageServiceBlockingStub send =
          RevocationScenario.as(MessageServiceGrpc.newBlockingStub(connections.get(0)), owner.token());

      for (int i = 0; i < WARM_UP + messages; i++) {
        send.sendMessage(SendMessageRequest.newBuilder()
            .setToGroupId(groupId)
            .setClientMsgId(Ledger.clientMsgId(i))
            .setContent(MessageContent.newBuilder().setText(TextContent.newBuilder().setText("t=" + System.nanoTime())))
            .build());
        Thread.sleep(100);
      }
      // A message still short of a member 2 s after the last send is reported as not fully delivered.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
      while (fanOut.fullyDelivered() < messages && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      Histogram all = fanOut.untilAllReceived();
      long deliveries = delivery.delivered.get();
      long duplicates = fanOut.duplicated();
      delivery.close();
      Measurement measurement = new Measurement("send until all members have it", all.getTotalCount(),
          all.getTotalCount(), all);
      return new Report(name())
          .measurement(measurement)
          .figure("members", members)
          .figure("messages measured", messages)
          .figure("messages fully delivered", all.getTotalCount())
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
