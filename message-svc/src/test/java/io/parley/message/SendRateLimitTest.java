package io.parley.message;

import static io.parley.message.Errors.assertFails;
import static io.parley.message.Errors.errorInfo;
import static io.parley.message.Errors.retryInfo;
import static io.parley.message.MessageRig.text;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.Durations;
import io.grpc.Status;
import io.parley.common.v1.ErrorReason;
import io.parley.data.Ids;
import io.parley.message.v1.PullMessagesRequest;
import io.parley.message.v1.SendMessageRequest;
import io.parley.ratelimit.RateLimit;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * SendMessage is rate limited per user (#13.4): nothing stopped one user from sending as fast as
 * the server would store. Here 2 a second with bursts of 3, on the test clock.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SendRateLimitTest {
  private final MessageRig rig = MessageRig.start(MessageRig.settings()
      .withSendLimit(RateLimit.parse(MessageSettings.SEND_LIMIT, "2/1s,burst=3")));

  @AfterAll
  void closeRig() {
    rig.close();
  }

  @Test
  void aUserSendingFasterThanTheLimitIsRefusedWithRetryInfoUntilAPermitReturns() {
    User[] pair = rig.friendsPair();
    for (int i = 0; i < 3; i++) {
      rig.sendTo(pair[0], pair[1], "burst " + i);
    }

    Throwable thrown = assertFails(() -> rig.sendTo(pair[0], pair[1], "one too many"),
        Status.Code.RESOURCE_EXHAUSTED, ErrorReason.RATE_LIMITED);
    assertThat(errorInfo(thrown).getMetadataMap()).containsEntry("limit", "message.send");
    assertThat(Durations.toMillis(retryInfo(thrown).getRetryDelay())).isEqualTo(500);
    assertThat(rig.as(pair[1]).pullMessages(PullMessagesRequest.newBuilder()
        .setConversationId(rig.sendTo(pair[1], pair[0], "the peer is not limited").getConversationId()).build())
        .getMessagesList()).hasSize(4);

    rig.clock.advance(Duration.ofMillis(500));
    assertThat(rig.sendTo(pair[0], pair[1], "after the delay").getSeq()).isEqualTo(5);
  }

  @Test
  void aRetriedSendTakesAPermitButAnInvalidOneDoesNot() {
    User[] pair = rig.friendsPair();
    SendMessageRequest invalid = text(Ids.newId("c"), "").toBuilder().setToUserId(pair[1].id()).build();
    for (int i = 0; i < 5; i++) {
      assertFails(() -> rig.as(pair[0]).sendMessage(invalid), Status.Code.INVALID_ARGUMENT,
          ErrorReason.INVALID_ARGUMENT);
    }
    SendMessageRequest once = text(Ids.newId("c"), "once").toBuilder().setToUserId(pair[1].id()).build();
    for (int i = 0; i < 3; i++) {
      assertThat(rig.as(pair[0]).sendMessage(once).getSeq()).isEqualTo(1);
    }
    assertFails(() -> rig.as(pair[0]).sendMessage(once), Status.Code.RESOURCE_EXHAUSTED, ErrorReason.RATE_LIMITED);
  }
}
