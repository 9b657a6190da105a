package io.parley.bench;

import io.grpc.ManagedChannel;
import io.parley.group.v1.CreateGroupRequest;
import io.parley.group.v1.Group;
import io.parley.group.v1.GroupServiceGrpc;
import io.parley.group.v1.InviteMembersRequest;
import io.parley.message.v1.MessageContent;
import io.parley.message.v1.MessageServiceGrpc;
import io.parley.message.v1.SendMessageRequest;
import io.parley.message.v1.TextContent;
import io.parley.message.v1.Message;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * One group of 1,000 members, every member subscribed (over two message-svc replicas): the time
 * from sending a message to the group until the last member has it, over a series of messages
 * sent one at a time. Target: p99 ≤ 200 ms.
 */
final class GroupFanoutScenario implements Scenario {
  /** Counts each message's recipients, and records when the last of them had it. */
  private static final class FanOut implements Delivery.Receiver {
    final Recorder allReceived = new Recorder(3);
    private final int recipients;
    private final Map<String, AtomicInteger> perMessage = new ConcurrentHashMap<>();
    private final Set<String> seen = ConcurrentHashMap.newKeySet();
    private final AtomicLong duplicated = new AtomicLong();

    FanOut(int recipients) {
      this.recipients = recipients;
    }

    @Override
    public void received(int recipient, Message message) {
      if (!seen.add(message.getMessageId() + "/" + recipient)) {
        duplicated.incrementAndGet();
        return;
      }
      long sent = Delivery.sentNanos(message);
      if (sent > 0 && perMessage.computeIfAbsent(message.getMessageId(), k -> new AtomicInteger()).incrementAndGet()
          == recipients) {
        allReceived.recordValue(Math.max(0, (System.nanoTime() - sent) / 1000));
      }
    }

    long duplicated() {
      return duplicated.get();
    }
  }

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
      targets.require(name(), "message");
    }
  }

  @Override
  public Report run(BenchOptions options) throws Exception {
    int members = options.scaleOr(1000);
    int messages = Math.max(20, (int) options.duration().toSeconds() * 10);
    try (Deployment deployment = Deployment.of(options.targets(), 2)) {
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
      List<ManagedChannel> connections = deployment.messageConnections(users);
      // The sender's own session is not pushed its message: the others are.
      FanOut fanOut = new FanOut(members - 1);
      Delivery delivery = new Delivery(fanOut);
      delivery.subscribe(users, connections);
      MessageServiceGrpc.MessageServiceBlockingStub send =
          RevocationScenario.as(MessageServiceGrpc.newBlockingStub(connections.get(0)), owner.token());

      for (int i = 0; i < messages + 5; i++) {
        if (i == 5) {
          fanOut.allReceived.reset();
        }
        send.sendMessage(SendMessageRequest.newBuilder()
            .setToGroupId(groupId)
            .setClientMsgId("fan-" + i)
            .setContent(MessageContent.newBuilder().setText(TextContent.newBuilder().setText("t=" + System.nanoTime())))
            .build());
        Thread.sleep(100);
      }
      Thread.sleep(2000);
      Histogram all = fanOut.allReceived.getIntervalHistogram();
      long deliveries = delivery.delivered.get();
      long duplicates = fanOut.duplicated();
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
