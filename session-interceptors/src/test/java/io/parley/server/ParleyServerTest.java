package io.parley.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.parley.auth.TokenKeys;
import io.parley.client.ParleyChannels;
import io.parley.user.v1.GetUserRequest;
import io.parley.user.v1.RegisterRequest;
import io.parley.user.v1.RegisterResponse;
import io.parley.user.v1.User;
import io.parley.user.v1.UserServiceGrpc;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The bootstrap on a real port: health and reflection without a token, and a draining shutdown. */
class ParleyServerTest {
  private static final TokenKeys KEYS = TokenKeys.hmac("server-test-secret-of-32-bytes!!!".getBytes(UTF_8));

  @Test
  void healthAndReflectionAnswerWithoutAToken() throws Exception {
    try (Platform platform = Platform.builder(KEYS).build();
        ParleyServer server = platform.serverBuilder().port(0).host("127.0.0.1").addService(new SlowUserService(null))
            .build().start()) {
      ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
      try {
        HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(channel);
        assertThat(health.check(HealthCheckRequest.newBuilder().setService("parley.user.v1.UserService").build())
            .getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
        assertThat(health.check(HealthCheckRequest.getDefaultInstance()).getStatus())
            .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);

        assertThat(listServices(channel)).contains("parley.user.v1.UserService", "grpc.health.v1.Health",
            "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection");
      } finally {
        channel.shutdownNow();
      }
    }
  }

  @Test
  void closeLetsCallsInFlightFinishAndRefusesNewOnes() throws Exception {
    CountDownLatch inHandler = new CountDownLatch(1);
    Platform platform = Platform.builder(KEYS).build();
    ParleyServer server = platform.serverBuilder().port(0).host("127.0.0.1").shutdownGrace(Duration.ofSeconds(5))
        .addService(new SlowUserService(inHandler)).build().start();
    ManagedChannel channel = ParleyChannels.forTarget("127.0.0.1:" + server.port());
    try {
      UserServiceGrpc.UserServiceFutureStub stub = UserServiceGrpc.newFutureStub(channel);
      var inFlight = stub.register(RegisterRequest.newBuilder().setUsername("slow").build());
      assertThat(inHandler.await(5, TimeUnit.SECONDS)).isTrue();

      CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);

      assertThat(inFlight.get(5, TimeUnit.SECONDS).getUser().getUsername()).isEqualTo("slow");
      closing.get(5, TimeUnit.SECONDS);
      assertThatThrownBy(() -> UserServiceGrpc.newBlockingStub(channel).withDeadlineAfter(2, TimeUnit.SECONDS)
              .register(RegisterRequest.newBuilder().setUsername("late").build()))
          .isInstanceOfSatisfying(StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
    } finally {
      channel.shutdownNow();
      platform.close();
    }
  }

  @Test
  void callsServedAndMadeAreTimedWithTheStatusTheClientGets() {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    try (Platform platform = Platform.builder(KEYS).meterRegistry(meters).build();
        ParleyServer server = platform.serverBuilder().port(0).host("127.0.0.1").addService(new NamedUserService("a"))
            .build().start()) {
      UserServiceGrpc.UserServiceBlockingStub stub =
          UserServiceGrpc.newBlockingStub(platform.channel("127.0.0.1:" + server.port()));
      stub.register(RegisterRequest.getDefaultInstance());
      assertThatThrownBy(() -> stub.getUser(GetUserRequest.getDefaultInstance()))
          .isInstanceOfSatisfying(StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));

      for (String side : List.of("server", "client")) {
        await().atMost(Duration.ofSeconds(5)).ignoreExceptions().untilAsserted(() -> {
          assertThat(timer(meters, side, "Register", "OK").count()).as(side).isEqualTo(1);
          assertThat(timer(meters, side, "GetUser", "UNAUTHENTICATED").count())
              .as("%s: refused by the session check, an interceptor, yet counted with its status", side).isEqualTo(1);
        });
        assertThat(timer(meters, side, "Register", "OK").takeSnapshot().histogramCounts())
            .as("Parley's latency buckets").hasSize(13);
      }
    }
  }

  private static Timer timer(MeterRegistry meters, String side, String method, String status) {
    return meters.get("grpc." + side + ".processing.duration").tag("service", "parley.user.v1.UserService")
        .tag("method", method).tag("statusCode", status).timer();
  }

  @Test
  void bareHostPortTargetsStillGoToDns() {
    assertThat(io.grpc.NameResolverRegistry.getDefaultRegistry().asFactory().getDefaultScheme()).isEqualTo("dns");
  }

  @Test
  void staticTargetSpreadsCallsOverEveryReplica() throws Exception {
    try (Platform platform = Platform.builder(KEYS).build();
        ParleyServer a = platform.serverBuilder().port(0).host("127.0.0.1").addService(new NamedUserService("a")).build().start();
        ParleyServer b = platform.serverBuilder().port(0).host("127.0.0.1").addService(new NamedUserService("b")).build().start()) {
      ManagedChannel channel = ParleyChannels.forTarget("127.0.0.1:" + a.port() + ",127.0.0.1:" + b.port());
      try {
        UserServiceGrpc.UserServiceBlockingStub stub = UserServiceGrpc.newBlockingStub(channel);
        var answers = new java.util.HashSet<String>();
        for (int i = 0; i < 20; i++) {
          answers.add(stub.register(RegisterRequest.getDefaultInstance()).getUser().getUsername());
        }
        assertThat(answers).containsExactlyInAnyOrder("a", "b");
      } finally {
        channel.shutdownNow();
      }
    }
  }

  @Test
  void everyLogLineOfACallCarriesItsRequestIdInTheMdc() throws Exception {
    try (Platform platform = Platform.builder(KEYS).build();
        ParleyServer server = platform.serverBuilder().port(0).host("127.0.0.1")
            .addService(new UserServiceGrpc.UserServiceImplBase() {
              @Override
              public void register(RegisterRequest request, StreamObserver<RegisterResponse> response) {
                // What a log line written here would carry.
                String inMdc = String.valueOf(org.slf4j.MDC.get(RequestIdServerInterceptor.MDC_KEY));
                response.onNext(RegisterResponse.newBuilder().setUser(User.newBuilder().setUsername(inMdc)).build());
                response.onCompleted();
              }
            }).build().start()) {
      ManagedChannel channel = ParleyChannels.forTarget("127.0.0.1:" + server.port());
      try {
        io.grpc.Metadata headers = new io.grpc.Metadata();
        headers.put(RequestIds.METADATA_KEY, "req-from-the-client");
        UserServiceGrpc.UserServiceBlockingStub stub = UserServiceGrpc.newBlockingStub(channel);
        assertThat(stub.withInterceptors(io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(headers))
            .register(RegisterRequest.getDefaultInstance()).getUser().getUsername()).isEqualTo("req-from-the-client");
        String fresh = stub.register(RegisterRequest.getDefaultInstance()).getUser().getUsername();
        assertThat(RequestIds.isValid(fresh)).as(fresh).isTrue();
        assertThat(fresh).isNotEqualTo("req-from-the-client").isNotEqualTo("null");
      } finally {
        channel.shutdownNow();
      }
    }
  }

  private static List<String> listServices(ManagedChannel channel) throws InterruptedException {
    LinkedBlockingQueue<ServerReflectionResponse> responses = new LinkedBlockingQueue<>();
    StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(channel)
        .serverReflectionInfo(new StreamObserver<>() {
          @Override
          public void onNext(ServerReflectionResponse value) {
            responses.add(value);
          }

          @Override
          public void onError(Throwable t) {}

          @Override
          public void onCompleted() {}
        });
    requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
    ServerReflectionResponse response = responses.poll(5, TimeUnit.SECONDS);
    requests.onCompleted();
    assertThat(response).isNotNull();
    return response.getListServicesResponse().getServiceList().stream().map(ServiceResponse::getName)
        .collect(Collectors.toList());
  }

  /** Register is PUBLIC; this one takes 300 ms, so a shutdown has something to wait for. */
  private static final class SlowUserService extends UserServiceGrpc.UserServiceImplBase {
    private final CountDownLatch entered;

    SlowUserService(CountDownLatch entered) {
      this.entered = entered;
    }

    @Override
    public void register(RegisterRequest request, StreamObserver<RegisterResponse> response) {
      if (entered != null) {
        entered.countDown();
      }
      try {
        Thread.sleep(300);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      response.onNext(RegisterResponse.newBuilder().setUser(User.newBuilder().setUsername(request.getUsername())).build());
      response.onCompleted();
    }

    @Override
    public void getUser(GetUserRequest request, StreamObserver<User> response) {
      response.onNext(User.getDefaultInstance());
      response.onCompleted();
    }
  }

  private static final class NamedUserService extends UserServiceGrpc.UserServiceImplBase {
    private final String name;

    NamedUserService(String name) {
      this.name = name;
    }

    @Override
    public void register(RegisterRequest request, StreamObserver<RegisterResponse> response) {
      response.onNext(RegisterResponse.newBuilder().setUser(User.newBuilder().setUsername(name)).build());
      response.onCompleted();
    }
  }
}
