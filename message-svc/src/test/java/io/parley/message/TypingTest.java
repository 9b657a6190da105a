package io.parley.message;

import static io.parley.message.Errors.assertFails;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.Timestamps;
import io.grpc.Status;
import io.parley.common.v1.ErrorReason;
import io.parley.group.v1.GroupRole;
import io.parley.message.v1.SendTypingRequest;
import io.parley.message.v1.Typing;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class TypingTest {
  @RegisterExtension
  static final MessageRig rig = MessageRig.start();

  private static void type(User user, String conversation) {
    rig.as(user).sendTyping(SendTypingRequest.newBuilder().setConversationId(conversation).build());
  }

  @Test
  void thePeerIsToldAndTheSignalExpiresUnlessRenewed() {
    User[] pair = rig.friendsPair();
    EventStream peerStream = EventStream.subscribed(rig.asyncAs(pair[1]));
    try {
      String conversation = rig.sendTo(pair[0], pair[1], "hi").getConversationId();
      assertThat(peerStream.next().getMessage().getConversationId()).isEqualTo(conversation);
      type(pair[0], conversation);

      Typing typing = peerStream.next().getTyping();
      assertThat(typing.getConversationId()).isEqualTo(conversation);
      assertThat(typing.getUserId()).isEqualTo(pair[0].id());
      assertThat(typing.getExpireTime())
          .isEqualTo(Timestamps.fromMillis(rig.clock.millis() + TypingSignals.SHOWN_FOR.toMillis()));
    } finally {
      peerStream.cancel();
    }
  }

  @Test
  void aTypistIsHeldToTheRateAndMayOnlyTypeWhereTheyMaySend() {
    User[] pair = rig.friendsPair();
    String conversation = rig.sendTo(pair[0], pair[1], "hi").getConversationId();
    for (int i = 0; i < 3; i++) {
      type(pair[0], conversation);
    }
    assertFails(() -> type(pair[0], conversation), Status.Code.RESOURCE_EXHAUSTED, ErrorReason.RATE_LIMITED);
    rig.clock.advance(Duration.ofSeconds(1));
    type(pair[0], conversation);

    User outsider = rig.user();
    assertFails(() -> type(outsider, conversation), Status.Code.NOT_FOUND, ErrorReason.CONVERSATION_NOT_FOUND);
    User owner = rig.user();
    User muted = rig.user();
    String group = rig.groups().create(owner.id());
    rig.groups().add(group, muted.id(), GroupRole.MEMBER);
    rig.groups().mute(group, muted.id(), rig.clock.instant().plus(Duration.ofHours(1)));
    assertFails(() -> type(muted, "g_" + group), Status.Code.PERMISSION_DENIED, ErrorReason.MEMBER_MUTED);
    rig.friends().block(pair[1].id(), pair[0].id());
    rig.clock.advance(Duration.ofSeconds(5));
    assertFails(() -> type(pair[0], conversation), Status.Code.PERMISSION_DENIED, ErrorReason.BLOCKED);
  }
}
