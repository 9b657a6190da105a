package io.parley.launcher;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import io.parley.auth.TokenKeys;
import io.parley.friend.v1.AcceptFriendRequestRequest;
import io.parley.friend.v1.FriendServiceGrpc;
import io.parley.friend.v1.SendFriendRequestRequest;
import io.parley.message.v1.Event;
import io.parley.message.v1.MessageContent;
import io.parley.message.v1.MessageServiceGrpc;
import io.parley.message.v1.SendMessageRequest;
import io.parley.message.v1.SubscribeRequest;
import io.parley.message.v1.TextContent;
import io.parley.testing.PostgresServer;
import io.parley.testing.RedisServer;
import io.parley.user.v1.GetMeRequest;
import io.parley.user.v1.LoginResponse;
import io.parley.user.v1.LogoutRequest;
import io.parley.user.v1.UserServiceGrpc;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A node on a real Redis and PostgreSQL serves its meters on the admin port: after a login, a send,
 * a subscription, a logout and a gateway request, a scrape of {@code /metrics} is read by
 * Prometheus's own parser (promtool) without a complaint and holds every series the README lists,
 * with its labels and non-zero counts.
 */
class MetricsEndpointTest {
  private static final TokenKeys KEYS = TokenKeys.hmac("metrics-endpoint-test-secret-32-bytes".getBytes(UTF_8));

  private static RedisServer redis;
  private static ParleyNode node;
  private static ManagedChannel channel;
  private static final HttpClient http = HttpClient.newHttpClient();
  private static final BlockingQueue<Event> bobsEvents = new LinkedBlockingQueue<>();

  @BeforeAll
  static void start() throws Exception {
    redis = RedisServer.start();
    node = ParleyNode.start(NodeConfig.builder(Role.ALL, KEYS).host("127.0.0.1").grpcPort(0).httpPort(0).adminPort(0)
        .store(redis.url()).database(PostgresServer.shared().createDatabase()).fastPasswordHashing(true).build());
    channel = Clients.channel(node.grpcPort());
    exercise();
  }

  @AfterAll
  static void stop() {
    if (channel != null) {
      channel.shutdownNow();
    }
    if (node != null) {
      node.close();
    }
    if (redis != null) {
      redis.close();
    }
  }

  /** A login, a friendship, a subscription, a send, a gateway request and a logout. */
  private static void exercise() throws Exception {
    LoginResponse alice = Clients.signUp(channel, "alice");
    LoginResponse bob = Clients.signUp(channel, "bob");
    String request = Clients.as(FriendServiceGrpc.newBlockingStub(channel), alice.getAccessToken())
        .sendFriendRequest(SendFriendRequestRequest.newBuilder().setToUserId(bob.getUser().getUserId()).build())
        .getRequestId();
    Clients.as(FriendServiceGrpc.newBlockingStub(channel), bob.getAccessToken())
        .acceptFriendRequest(AcceptFriendRequestRequest.newBuilder().setRequestId(request).build());
    Clients.as(MessageServiceGrpc.newStub(channel), bob.getAccessToken())
        .subscribe(SubscribeRequest.getDefaultInstance(), new StreamObserver<>() {
          @Override
          public void onNext(Event event) {
            bobsEvents.add(event);
          }

          @Override
          public void onError(Throwable t) {}

          @Override
          public void onCompleted() {}
        });
    assertThat(bobsEvents.poll(5, TimeUnit.SECONDS).hasSubscribed()).isTrue();
    Clients.as(MessageServiceGrpc.newBlockingStub(channel), alice.getAccessToken())
        .sendMessage(SendMessageRequest.newBuilder().setToUserId(bob.getUser().getUserId()).setClientMsgId("m1")
            .setContent(MessageContent.newBuilder().setText(TextContent.newBuilder().setText("hi bob"))).build());
    assertThat(bobsEvents.poll(5, TimeUnit.SECONDS).hasMessage()).isTrue();

    HttpResponse<String> me = http.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + node.httpPort() + "/v1/users/me"))
        .header("Authorization", "Bearer " + alice.getAccessToken()).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(me.statusCode()).isEqualTo(200);

    LoginResponse carol = Clients.signUp(channel, "carol");
    UserServiceGrpc.UserServiceBlockingStub asCarol = Clients.as(UserServiceGrpc.newBlockingStub(channel),
        carol.getAccessToken());
    asCarol.getMe(GetMeRequest.getDefaultInstance());
    asCarol.logout(LogoutRequest.getDefaultInstance());
  }

  private static HttpResponse<String> admin(String method, String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.adminPort() + path))
        .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static Exposition scrape() throws IOException, InterruptedException {
    HttpResponse<String> response = admin("GET", "/metrics");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
    return Exposition.parse(response.body());
  }

  /** A scrape once the events that travel through Redis pub/sub have been heard. */
  private static Exposition settledScrape() {
    return await().atMost(Duration.ofSeconds(10)).until(MetricsEndpointTest::scrape,
        e -> e.sum("parley_session_events_received_total", "event", "revoked") > 0);
  }

  @Test
  void prometheusOwnParserReadsTheScrapeWithoutComplaint() throws Exception {
    Exposition.Check check = settledScrape().promtool();

    assertThat(check.output()).as("promtool check metrics").isBlank();
    assertThat(check.exitCode()).isZero();
  }

  @Test
  void grpcCallsServedAndMadeAreCountedByMethodAndStatusWithLatencyBuckets() {
    Exposition metrics = settledScrape();

    assertThat(metrics.sum("grpc_server_processing_duration_seconds_count", "service", "parley.user.v1.UserService",
        "method", "Login", "status_code", "OK")).isGreaterThanOrEqualTo(3);
    assertThat(metrics.find("grpc_server_processing_duration_seconds_bucket", "service", "parley.user.v1.UserService",
        "method", "Login", "status_code", "OK", "le", "+Inf")).isNotEmpty();
    assertThat(metrics.sum("grpc_server_processing_duration_seconds_count", "method", "SendMessage",
        "status_code", "OK")).isPositive();
    // message-svc asks friend-svc whether the two are friends; the gateway calls user-svc.
    assertThat(metrics.sum("grpc_client_processing_duration_seconds_count", "service",
        "parley.friend.v1.FriendService", "status_code", "OK")).isPositive();
    assertThat(metrics.sum("grpc_client_processing_duration_seconds_count", "service", "parley.user.v1.UserService",
        "method", "GetMe", "status_code", "OK")).isPositive();
  }

  @Test
  void sessionCacheLookupsAndRevocationsHeardAreCounted() {
    Exposition metrics = settledScrape();

    assertThat(metrics.sum("parley_session_cache_lookups_total", "result", "hit")).isPositive();
    assertThat(metrics.sum("parley_session_cache_lookups_total", "result", "miss")).isPositive();
    assertThat(metrics.find("parley_session_cache_lookups_total", "result", "uncached")).hasSize(1);
    assertThat(metrics.sum("parley_session_events_received_total", "event", "revoked")).isPositive();
    assertThat(metrics.find("parley_session_events_received_total", "event", "kicked")).hasSize(1);
    assertThat(metrics.find("parley_session_cache_size")).hasSize(1);
  }

  @Test
  void redisAndPostgresPoolsAreReported() {
    Exposition metrics = settledScrape();

    assertThat(metrics.find("parley_redis_pool_connections", "state", "active")).hasSize(1);
    assertThat(metrics.sum("parley_redis_pool_connections", "state", "idle")
        + metrics.sum("parley_redis_pool_connections", "state", "active")).isPositive();
    assertThat(metrics.sum("parley_redis_pool_max")).isEqualTo(64);
    assertThat(metrics.find("parley_redis_pool_waiting")).hasSize(1);
    for (String schema : new String[] {"parley_user", "parley_friend", "parley_group", "parley_message"}) {
      String pool = "parley-db-" + schema;
      assertThat(metrics.sum("hikaricp_connections", "pool", pool)).as(pool).isPositive();
      assertThat(metrics.find("hikaricp_connections_active", "pool", pool)).as(pool).hasSize(1);
      assertThat(metrics.sum("hikaricp_connections_max", "pool", pool)).as(pool).isPositive();
    }
  }

  @Test
  void subscribeStreamsAndMessagesSentAndDeliveredAreCounted() {
    Exposition metrics = settledScrape();

    assertThat(metrics.sum("parley_subscribe_streams")).isEqualTo(1);
    assertThat(metrics.sum("parley_messages_sent_total", "conversation", "private")).isEqualTo(1);
    assertThat(metrics.find("parley_messages_sent_total", "conversation", "group")).hasSize(1);
    assertThat(metrics.sum("parley_messages_delivered_total")).isEqualTo(1);
  }

  @Test
  void gatewayRequestsAreCountedByRouteTemplateAndStatus() {
    Exposition metrics = settledScrape();

    assertThat(metrics.sum("parley_gateway_requests_seconds_count", "route", "GET /v1/users/me", "status", "200"))
        .isEqualTo(1);
    assertThat(metrics.find("parley_gateway_requests_seconds_bucket", "route", "GET /v1/users/me", "status", "200",
        "le", "0.001")).hasSize(1);
  }

  @Test
  void jvmMetricsAreServedToo() {
    Exposition metrics = settledScrape();

    assertThat(metrics.sum("jvm_memory_used_bytes", "area", "heap")).isPositive();
    assertThat(metrics.find("jvm_threads_live_threads")).hasSize(1);
    assertThat(metrics.find("process_uptime_seconds")).hasSize(1);
  }

  @Test
  void theAdminPortServesOnlyMetrics() throws Exception {
    assertThat(admin("GET", "/other").statusCode()).isEqualTo(404);
    HttpResponse<String> post = admin("POST", "/metrics");
    assertThat(post.statusCode()).isEqualTo(405);
    assertThat(post.headers().firstValue("allow")).hasValue("GET, HEAD");
    HttpResponse<String> head = admin("HEAD", "/metrics");
    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.body()).isEmpty();
  }
}
