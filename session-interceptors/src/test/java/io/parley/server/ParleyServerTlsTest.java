package io.parley.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.rpc.ErrorInfo;
import io.grpc.CallCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.api.OpenTelemetry;
import io.parley.auth.TokenKeys;
import io.parley.client.ParleyChannels;
import io.parley.common.v1.ErrorReason;
import io.parley.friend.v1.CheckRelationRequest;
import io.parley.friend.v1.CheckRelationResponse;
import io.parley.friend.v1.FriendServiceGrpc;
import io.parley.session.Sessions;
import io.parley.testing.TestCertificates;
import io.parley.tls.ClientAuth;
import io.parley.tls.TlsCredentials;
import io.parley.tls.TlsSettings;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** gRPC over TLS with certificates the test issues: server verification, renewal, and mutual TLS. */
class ParleyServerTlsTest {
  private static final TokenKeys KEYS = TokenKeys.hmac("tls-test-secret-of-at-least-32-bytes".getBytes(UTF_8));

  @TempDir Path dir;
  private final TestCertificates ca = TestCertificates.newCa("Parley test CA");
  private final List<AutoCloseable> resources = new ArrayList<>();
  private Platform platform;
  private Path caFile;
  private Path serverCert;
  private Path serverKey;

  @BeforeEach
  void issueCertificates() {
    platform = Platform.builder(KEYS).build();
    resources.add(platform);
    caFile = ca.writeCa(dir.resolve("ca.pem"));
    serverCert = dir.resolve("friend.pem");
    serverKey = dir.resolve("friend.key");
    ca.issue("friend-svc", "localhost").writeTo(serverCert, serverKey);
  }

  @AfterEach
  void close() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
  }

  @Test
  void clientTrustingTheCaCallsATlsServer() {
    ParleyServer server = start(TlsSettings.of(serverCert, serverKey, caFile));
    ManagedChannel channel = channel(server, TlsSettings.of(null, null, caFile));

    assertThat(HealthGrpc.newBlockingStub(channel).check(HealthCheckRequest.getDefaultInstance()).getStatus())
        .isEqualTo(ServingStatus.SERVING);
  }

  @Test
  void clientTrustingAnotherCaIsRefused() {
    ParleyServer server = start(TlsSettings.of(serverCert, serverKey, caFile));
    Path otherCa = TestCertificates.newCa("another CA").writeCa(dir.resolve("other-ca.pem"));
    ManagedChannel channel = channel(server, TlsSettings.of(null, null, otherCa));

    assertThatThrownBy(() -> HealthGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
        .check(HealthCheckRequest.getDefaultInstance()))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
  }

  @Test
  void plaintextClientCannotCallATlsServer() {
    ParleyServer server = start(TlsSettings.of(serverCert, serverKey, caFile));
    ManagedChannel channel = ParleyChannels.forTarget("localhost:" + server.port());
    resources.add(channel::shutdownNow);

    assertThatThrownBy(() -> HealthGrpc.newBlockingStub(channel).withDeadlineAfter(2, TimeUnit.SECONDS)
        .check(HealthCheckRequest.getDefaultInstance()))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isIn(Status.Code.UNAVAILABLE, Status.Code.DEADLINE_EXCEEDED));
  }

  /** Slow: grpc-java checks the files once a minute at most. */
  @Test
  void renewedCertificateIsServedWithoutRestart() throws Exception {
    ParleyServer server = start(TlsSettings.of(serverCert, serverKey, caFile));
    X509Certificate first = ca.serverCertificate("localhost", server.port());

    TestCertificates.Issued renewed = ca.issue("friend-svc", "localhost");
    renewed.writeTo(serverCert, serverKey);

    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
        assertThat(ca.serverCertificate("localhost", server.port()).getSerialNumber())
            .isEqualTo(renewed.certificate().getSerialNumber()));
    assertThat(renewed.certificate().getSerialNumber()).isNotEqualTo(first.getSerialNumber());
    ManagedChannel channel = channel(server, TlsSettings.of(null, null, caFile));
    assertThat(HealthGrpc.newBlockingStub(channel).check(HealthCheckRequest.getDefaultInstance()).getStatus())
        .isEqualTo(ServingStatus.SERVING);
  }

  @Test
  void internalCallWithoutClientCertificateIsRefusedWhenClientCertificatesAreOn() {
    ParleyServer server = start(TlsSettings.of(serverCert, serverKey, caFile).withClientAuth(ClientAuth.OPTIONAL));
    ManagedChannel channel = channel(server, TlsSettings.of(null, null, caFile));

    assertThatThrownBy(() -> checkRelation(channel, platform.serviceCredentials("message-svc")))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
          assertThat(reasonOf(e)).isEqualTo(ErrorReason.PEER_CERTIFICATE_REQUIRED.name());
        });
    assertThat(HealthGrpc.newBlockingStub(channel).check(HealthCheckRequest.getDefaultInstance()).getStatus())
        .as("public methods stay open to clients without a certificate").isEqualTo(ServingStatus.SERVING);
  }

  @Test
  void internalCallWithClientCertificateIsAcceptedAndKnowsThePeer() {
    ParleyServer server = start(TlsSettings.of(serverCert, serverKey, caFile).withClientAuth(ClientAuth.REQUIRE));
    Path clientCert = dir.resolve("message.pem");
    Path clientKey = dir.resolve("message.key");
    ca.issue("message", "message-svc").writeTo(clientCert, clientKey);
    ManagedChannel channel = channel(server, TlsSettings.of(clientCert, clientKey, caFile));

    CheckRelationResponse response = checkRelation(channel, platform.serviceCredentials("message-svc"));

    assertThat(response.getFriends()).as("the handler saw peer message-svc calling as message-svc").isTrue();
  }

  @Test
  void clientCertificateDoesNotReplaceTheServiceCredential() {
    ParleyServer server = start(TlsSettings.of(serverCert, serverKey, caFile).withClientAuth(ClientAuth.REQUIRE));
    Path clientCert = dir.resolve("message.pem");
    Path clientKey = dir.resolve("message.key");
    ca.issue("message", "message-svc").writeTo(clientCert, clientKey);
    ManagedChannel channel = channel(server, TlsSettings.of(clientCert, clientKey, caFile));

    assertThatThrownBy(() -> checkRelation(channel, null))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
  }

  @Test
  void clientWithoutCertificateCannotConnectWhenClientCertificatesAreRequired() {
    ParleyServer server = start(TlsSettings.of(serverCert, serverKey, caFile).withClientAuth(ClientAuth.REQUIRE));
    ManagedChannel channel = channel(server, TlsSettings.of(null, null, caFile));

    assertThatThrownBy(() -> HealthGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
        .check(HealthCheckRequest.getDefaultInstance()))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
  }

  @Test
  void clientCertificateFromAnotherCaIsRefused() {
    ParleyServer server = start(TlsSettings.of(serverCert, serverKey, caFile).withClientAuth(ClientAuth.OPTIONAL));
    TestCertificates otherCa = TestCertificates.newCa("another CA");
    Path clientCert = dir.resolve("rogue.pem");
    Path clientKey = dir.resolve("rogue.key");
    otherCa.issue("message", "message-svc").writeTo(clientCert, clientKey);
    ManagedChannel channel = channel(server, TlsSettings.of(clientCert, clientKey, caFile));

    assertThatThrownBy(() -> checkRelation(channel, platform.serviceCredentials("message-svc")))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
  }

  private ParleyServer start(TlsSettings settings) {
    TlsCredentials tls = TlsCredentials.load(settings);
    resources.add(tls);
    ParleyServer server = platform.serverBuilder().host("127.0.0.1").port(0).tls(tls)
        .addService(new PeerEchoFriendService()).build().start();
    resources.add(server);
    return server;
  }

  private ManagedChannel channel(ParleyServer server, TlsSettings client) {
    TlsCredentials tls = TlsCredentials.load(client);
    resources.add(tls);
    ManagedChannel channel = ParleyChannels.forTarget("localhost:" + server.port(), OpenTelemetry.noop(), null, tls.channelCredentials());
    resources.add(channel::shutdownNow);
    return channel;
  }

  private static CheckRelationResponse checkRelation(ManagedChannel channel, CallCredentials credentials) {
    FriendServiceGrpc.FriendServiceBlockingStub stub = FriendServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(5, TimeUnit.SECONDS);
    if (credentials != null) {
      stub = stub.withCallCredentials(credentials);
    }
    return stub.checkRelation(CheckRelationRequest.newBuilder().setUserIdA("u_a").setUserIdB("u_b").build());
  }

  private static String reasonOf(StatusRuntimeException e) {
    return StatusProto.fromThrowable(e).getDetailsList().stream()
        .filter(any -> any.is(ErrorInfo.class))
        .map(any -> {
          try {
            return any.unpack(ErrorInfo.class).getReason();
          } catch (com.google.protobuf.InvalidProtocolBufferException ex) {
            throw new AssertionError(ex);
          }
        })
        .findFirst().orElseThrow();
  }

  /** CheckRelation answers "friends" when the certificate's peer and the service credential both say message-svc. */
  private static final class PeerEchoFriendService extends FriendServiceGrpc.FriendServiceImplBase {
    @Override
    public void checkRelation(CheckRelationRequest request, StreamObserver<CheckRelationResponse> response) {
      boolean friends = "message-svc".equals(Sessions.peerIdentity()) && "message-svc".equals(Sessions.callingService());
      response.onNext(CheckRelationResponse.newBuilder().setFriends(friends).build());
      response.onCompleted();
    }
  }
}
