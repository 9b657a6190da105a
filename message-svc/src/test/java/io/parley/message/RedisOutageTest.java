package io.parley.message;

import static io.parley.message.Errors.errorInfo;
import static io.parley.message.MessageRig.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.grpc.Status;
import io.parley.common.v1.ErrorReason;
import io.parley.common.v1.Terminal;
import io.parley.data.Ids;
import io.parley.message.v1.Event;
import io.parley.message.v1.SendMessageRequest;
import io.parley.server.Platform;
import io.parley.testing.RedisServer;
import io.parley.testing.TestSessions;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** What clients see while Redis is down, and after it is back. */
class RedisOutageTest {
  @Test
  void whileRedisIsDownStreamsAreToldToResyncAndCallsFailUnavailable() throws Exception {
    try (RedisServer redis = RedisServer.builder().persistent().start();
        Platform platform = TestPlatforms.create(redis.url(), Clock.systemUTC());
        Upstreams upstreams = Upstreams.start(platform);
        Replica replica = Replica.inProcess(platform, MessageSettings.defaults(), upstreams.target())) {
      String aliceId = Ids.newId("u");
      String bobId = Ids.newId("u");
      User alice = new User(aliceId, TestSessions.login(platform, aliceId, Terminal.WEB));
      User bob = new User(bobId, TestSessions.login(platform, bobId, Terminal.WEB));
      upstreams.friends.befriend(aliceId, bobId);
      SendMessageRequest hello = text("hello", "hello").toBuilder().setToUserId(bobId).build();
      EventStream stream = EventStream.subscribed(replica.asyncAs(bob));

      redis.kill();

      Event last = stream.next();
      assertThat(last.hasResyncRequired()).as("told that events may be lost: %s", last).isTrue();
      Throwable end = stream.awaitEnd();
      assertThat(Status.fromThrowable(end).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(errorInfo(end).getReason()).isEqualTo(ErrorReason.STORE_UNAVAILABLE.name());
      Throwable send = catchThrowable(() -> replica.as(alice).sendMessage(hello));
      assertThat(Status.fromThrowable(send).getCode()).as("%s", send).isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(errorInfo(send).getReason())
          .isIn(ErrorReason.STORE_UNAVAILABLE.name(), ErrorReason.SESSION_STORE_UNAVAILABLE.name());

      redis.restart();

      EventStream again = null;
      long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
      while (again == null && System.nanoTime() < deadline) {
        EventStream attempt = EventStream.open(replica.asyncAs(bob));
        Event first = attempt.firstOrNull();
        if (first != null && first.hasSubscribed()) {
          again = attempt;
        } else {
          Thread.sleep(50);
        }
      }
      assertThat(again).as("subscribed again once Redis is back").isNotNull();
      try {
        assertThat(replica.as(alice).sendMessage(hello).getSeq()).isEqualTo(1);
        assertThat(again.next().getMessage().getContent().getText().getText()).isEqualTo("hello");
      } finally {
        again.cancel();
      }
    }
  }
}
