package io.parley.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import io.parley.server.ParleyServer;
import io.parley.user.v1.GetMeRequest;
import io.parley.user.v1.User;
import io.parley.user.v1.UserServiceGrpc;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Channels balance over the replicas that say they are ready, on real ports. */
class ParleyChannelsTest {
  private ParleyServer first;
  private ParleyServer second;
  private ManagedChannel channel;

  @AfterEach
  void close() {
    if (channel != null) {
      channel.shutdownNow();
    }
    if (first != null) {
      first.close();
    }
    if (second != null) {
      second.close();
    }
  }

  @Test
  void callsGoOnlyToReplicasWhoseHealthIsServingAndBackWhenTheyAreReadyAgain() {
    first = replica("first");
    second = replica("second");
    channel = ParleyChannels.forTarget("127.0.0.1:" + first.port() + ",127.0.0.1:" + second.port());
    UserServiceGrpc.UserServiceBlockingStub stub = UserServiceGrpc.newBlockingStub(channel);
    await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> answering(stub, 20).equals(Set.of("first", "second")));

    second.ready(false);

    await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> answering(stub, 20).equals(Set.of("first")));
    assertThat(answering(stub, 50)).containsExactly("first");

    second.ready(true);

    await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> answering(stub, 20).equals(Set.of("first", "second")));
  }

  /** The names of the replicas that answered {@code calls} calls. */
  private static Set<String> answering(UserServiceGrpc.UserServiceBlockingStub stub, int calls) {
    Set<String> names = new HashSet<>();
    for (int i = 0; i < calls; i++) {
      names.add(stub.withDeadlineAfter(2, TimeUnit.SECONDS).getMe(GetMeRequest.getDefaultInstance()).getUserId());
    }
    return names;
  }

  private static ParleyServer replica(String name) {
    return ParleyServer.builder().host("127.0.0.1").port(0).withoutSessions()
        .addService(new UserServiceGrpc.UserServiceImplBase() {
          @Override
          public void getMe(GetMeRequest request, StreamObserver<User> response) {
            response.onNext(User.newBuilder().setUserId(name).build());
            response.onCompleted();
          }
        }).build().start();
  }
}
