package io.parley.launcher;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.opentelemetry.api.OpenTelemetry;
import io.parley.auth.TokenKeys;
import io.parley.client.ParleyChannels;
import io.parley.database.DatabaseSettings;
import io.parley.friend.v1.AcceptFriendRequestRequest;
import io.parley.friend.v1.FriendServiceGrpc;
import io.parley.friend.v1.SendFriendRequestRequest;
import io.parley.message.v1.MessageContent;
import io.parley.message.v1.MessageServiceGrpc;
import io.parley.message.v1.SendMessageRequest;
import io.parley.message.v1.TextContent;
import io.parley.testing.PostgresServer;
import io.parley.testing.RedisServer;
import io.parley.testing.TestCertificates;
import io.parley.tls.ClientAuth;
import io.parley.tls.TlsCredentials;
import io.parley.tls.TlsSettings;
import io.parley.user.v1.LoginResponse;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distributed topology with TLS and mutual TLS between every pair of processes: user, friend,
 * group, message and the gateway each serve with their own certificate, require one from every
 * caller, and verify the services they call against the one CA; the gateway serves HTTPS.
 */
class DistributedTlsTest {
  private static final TokenKeys KEYS = TokenKeys.hmac("launcher-tls-test-secret-of-32-bytes".getBytes(UTF_8));
  private static final TokenKeys SERVICE_KEYS = TokenKeys.hmac("launcher-tls-service-key-of-32-bytes".getBytes(UTF_8));

  @TempDir static Path dir;
  private static TestCertificates ca;
  private static Path caFile;
  private static RedisServer redis;
  private static DatabaseSettings database;
  private static ParleyNode users;
  private static ParleyNode friends;
  private static ParleyNode groups;
  private static ParleyNode messages;
  private static ParleyNode gateway;
  private static TlsCredentials clientTls;
  private static ManagedChannel userChannel;
  private static ManagedChannel friendChannel;
  private static ManagedChannel messageChannel;

  @BeforeAll
  static void start() {
    ca = TestCertificates.newCa("Parley distributed test CA");
    caFile = ca.writeCa(dir.resolve("ca.pem"));
    redis = RedisServer.start();
    database = PostgresServer.shared().createDatabase();
    users = ParleyNode.start(node(Role.USER).build());
    String userTarget = "127.0.0.1:" + users.grpcPort();
    friends = ParleyNode.start(node(Role.FRIEND).target(Role.USER, userTarget).build());
    String friendTarget = "127.0.0.1:" + friends.grpcPort();
    groups = ParleyNode.start(node(Role.GROUP).target(Role.USER, userTarget).target(Role.FRIEND, friendTarget).build());
    String groupTarget = "127.0.0.1:" + groups.grpcPort();
    messages = ParleyNode.start(node(Role.MESSAGE).target(Role.FRIEND, friendTarget).target(Role.GROUP, groupTarget)
        .build());
    gateway = ParleyNode.start(node(Role.GATEWAY).target(Role.USER, userTarget).target(Role.FRIEND, friendTarget)
        .target(Role.GROUP, groupTarget).target(Role.MESSAGE, "127.0.0.1:" + messages.grpcPort()).build());
    clientTls = TlsCredentials.load(TlsSettings.of(issue("test-client"), dir.resolve("test-client.key"), caFile));
    userChannel = channel(users, clientTls);
    friendChannel = channel(friends, clientTls);
    messageChannel = channel(messages, clientTls);
  }

  /** A node of {@code role} with its own certificate, named after it, requiring client certificates. */
  private static NodeConfig.Builder node(Role role) {
    String name = role.command() + "-svc";
    TlsSettings tls = TlsSettings.of(issue(name), dir.resolve(name + ".key"), caFile).withClientAuth(ClientAuth.REQUIRE);
    return NodeConfig.builder(role, KEYS).serviceKeys(SERVICE_KEYS).host("127.0.0.1").grpcPort(0).httpPort(0)
        .store(redis.url()).database(role == Role.GATEWAY ? null : database).fastPasswordHashing(true).tls(tls);
  }

  /** Issues {@code name}'s certificate (first DNS name {@code name}); returns the certificate file. */
  private static Path issue(String name) {
    Path cert = dir.resolve(name + ".pem");
    ca.issue(name, name, "localhost").writeTo(cert, dir.resolve(name + ".key"));
    return cert;
  }

  private static ManagedChannel channel(ParleyNode node, TlsCredentials tls) {
    return ParleyChannels.forTarget("127.0.0.1:" + node.grpcPort(), OpenTelemetry.noop(), null,
        tls == null ? null : tls.channelCredentials());
  }

  @AfterAll
  static void stop() {
    userChannel.shutdownNow();
    friendChannel.shutdownNow();
    messageChannel.shutdownNow();
    clientTls.close();
    gateway.close();
    messages.close();
    groups.close();
    friends.close();
    users.close();
    redis.close();
  }

  @Test
  void friendsChatThroughServicesThatCallEachOtherOverMutualTls() {
    LoginResponse ivan = Clients.signUp(userChannel, "ivan");
    LoginResponse judy = Clients.signUp(userChannel, "judy");
    var request = Clients.as(FriendServiceGrpc.newBlockingStub(friendChannel), ivan.getAccessToken())
        .sendFriendRequest(SendFriendRequestRequest.newBuilder().setToUserId(judy.getUser().getUserId()).build());
    Clients.as(FriendServiceGrpc.newBlockingStub(friendChannel), judy.getAccessToken())
        .acceptFriendRequest(AcceptFriendRequestRequest.newBuilder().setRequestId(request.getRequestId()).build());

    // message-svc asks friend-svc's internal CheckRelation, over mutual TLS, before it stores the message.
    var sent = Clients.as(MessageServiceGrpc.newBlockingStub(messageChannel), ivan.getAccessToken())
        .sendMessage(SendMessageRequest.newBuilder().setToUserId(judy.getUser().getUserId()).setClientMsgId("tls-1")
            .setContent(MessageContent.newBuilder().setText(TextContent.newBuilder().setText("over TLS"))).build());

    assertThat(sent.getMessageId()).isNotEmpty();
  }

  @Test
  void theGatewayServesHttpsAndReachesEveryServiceOverMutualTls() throws Exception {
    LoginResponse karl = Clients.signUp(userChannel, "karl");
    HttpClient https = HttpClient.newBuilder().sslContext(ca.clientContext()).build();
    String base = "https://localhost:" + gateway.httpPort();

    HttpResponse<String> me = https.send(HttpRequest.newBuilder(URI.create(base + "/v1/users/me"))
        .header("Authorization", "Bearer " + karl.getAccessToken()).build(), HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> ready = https.send(HttpRequest.newBuilder(URI.create(base + "/readyz")).build(),
        HttpResponse.BodyHandlers.ofString());

    assertThat(me.statusCode()).isEqualTo(200);
    assertThat(me.body()).contains("\"username\":\"karl\"");
    assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
    assertThat(ready.body()).contains("\"parley.message.v1.MessageService\":\"SERVING\"")
        .contains("\"parley.friend.v1.FriendService\":\"SERVING\"");
  }

  @Test
  void aCallerWithoutAClientCertificateCannotConnect() {
    try (TlsCredentials anonymous = TlsCredentials.load(TlsSettings.of(null, null, caFile))) {
      ManagedChannel channel = channel(friends, anonymous);
      try {
        assertThatThrownBy(() -> HealthGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
            .check(HealthCheckRequest.getDefaultInstance()))
            .isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
      } finally {
        channel.shutdownNow();
      }
    }
  }

  @Test
  void aPlaintextCallerCannotCallAService() {
    ManagedChannel plaintext = channel(users, null);
    try {
      assertThatThrownBy(() -> HealthGrpc.newBlockingStub(plaintext).withDeadlineAfter(2, TimeUnit.SECONDS)
          .check(HealthCheckRequest.getDefaultInstance()))
          .isInstanceOf(StatusRuntimeException.class);
    } finally {
      plaintext.shutdownNow();
    }
  }
}
