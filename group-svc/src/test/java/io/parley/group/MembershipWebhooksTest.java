package io.parley.group;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.parley.group.v1.Group;
import io.parley.group.v1.JoinPolicy;
import io.parley.group.v1.LeaveGroupRequest;
import io.parley.group.v1.RemoveMemberRequest;
import io.parley.testing.WebhookReceiver;
import io.parley.webhook.WebhookSettings;
import io.parley.webhook.WebhookSignature;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** group.member.* webhooks against a real HTTP server. */
class MembershipWebhooksTest {
  private static final byte[] SECRET = "group-webhook-secret-0123".getBytes(UTF_8);

  private final WebhookReceiver receiver = WebhookReceiver.start();
  private GroupTestServer server;

  @BeforeEach
  void start() throws InterruptedException {
    server = GroupTestServer.withWebhooks(WebhookSettings.builder().url(receiver.url("/groups")).secret(SECRET)
        .build());
  }

  @AfterEach
  void tearDown() {
    server.close();
    receiver.close();
  }

  private List<JsonObject> bodies() {
    return receiver.received().stream().map(r -> JsonParser.parseString(r.text()).getAsJsonObject()).toList();
  }

  private static String field(JsonObject body, String name) {
    return body.getAsJsonObject("data").get(name).getAsString();
  }

  @Test
  void joiningLeavingAndRemovalAreDeliveredSigned() {
    String owner = server.newUser();
    String alice = server.newUser();
    String bob = server.newUser();
    Group group = server.groupOf(owner, JoinPolicy.INVITE_ONLY, alice, bob);

    server.as(alice).leaveGroup(LeaveGroupRequest.newBuilder().setGroupId(group.getGroupId()).build());
    server.as(owner).removeMember(RemoveMemberRequest.newBuilder().setGroupId(group.getGroupId()).setUserId(bob)
        .build());

    await().atMost(Duration.ofSeconds(10)).until(() -> receiver.received().size() == 5);
    WebhookSignature signature = new WebhookSignature(SECRET);
    assertThat(receiver.received()).allSatisfy(r -> {
      assertThat(signature.verify(r.signature(), r.body(), server.clock.instant(), Duration.ofMinutes(5))).isTrue();
      assertThat(r.idempotencyKey()).isEqualTo(JsonParser.parseString(r.text()).getAsJsonObject().get("id")
          .getAsString());
    });
    List<JsonObject> bodies = bodies();
    assertThat(bodies).allSatisfy(b -> assertThat(field(b, "groupId")).isEqualTo(group.getGroupId()));
    assertThat(bodies).filteredOn(b -> b.get("type").getAsString().equals("group.member.joined"))
        .extracting(b -> field(b, "userId") + "/" + field(b, "via"))
        .containsExactlyInAnyOrder(owner + "/created", alice + "/invitation_accepted", bob + "/invitation_accepted");
    assertThat(bodies).filteredOn(b -> b.get("type").getAsString().equals("group.member.left"))
        .extracting(b -> field(b, "userId")).containsExactly(alice);
    assertThat(bodies).filteredOn(b -> b.get("type").getAsString().equals("group.member.removed"))
        .extracting(b -> field(b, "userId") + " by " + field(b, "actorId")).containsExactly(bob + " by " + owner);
  }
}
