package io.parley.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.net.InetAddresses;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessSocketAddress;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.parley.auth.TokenKeys;
import io.parley.data.Ids;
import io.parley.user.v1.RegisterRequest;
import io.parley.user.v1.RegisterResponse;
import io.parley.user.v1.User;
import io.parley.user.v1.UserServiceGrpc;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClientAddressesTest {
  private static final TokenKeys KEYS = TokenKeys.hmac("client-address-secret-of-32-bytes!".getBytes(UTF_8));
  private static final TrustedProxies GATEWAYS = TrustedProxies.parse("loopback,10.0.0.0/8");

  private static String resolve(String peer, String... forwardedFor) {
    SocketAddress address = new InetSocketAddress(InetAddresses.forString(peer), 40000);
    InetAddress client = ClientAddresses.resolve(address, forwardedFor.length == 0 ? null : List.of(forwardedFor),
        GATEWAYS);
    return InetAddresses.toAddrString(client);
  }

  @Test
  void anUntrustedPeerIsTheClientWhateverItForwards() {
    assertThat(resolve("203.0.113.9")).isEqualTo("203.0.113.9");
    assertThat(resolve("203.0.113.9", "198.51.100.1")).isEqualTo("203.0.113.9");
  }

  @Test
  void aTrustedPeerNamesItsClientAsTheLastForwardedAddress() {
    assertThat(resolve("10.1.2.3", "198.51.100.1")).isEqualTo("198.51.100.1");
    assertThat(resolve("10.1.2.3")).as("nothing forwarded: the proxy itself").isEqualTo("10.1.2.3");
  }

  @Test
  void whatAClientWritesIntoTheChainCannotStandInForItsOwnAddress() {
    // The client sent "X-Forwarded-For: 1.1.1.1"; the gateway appended the address it saw.
    assertThat(resolve("10.1.2.3", "1.1.1.1, 198.51.100.1")).isEqualTo("198.51.100.1");
    assertThat(resolve("10.1.2.3", "1.1.1.1", "198.51.100.1")).as("one entry per header line")
        .isEqualTo("198.51.100.1");
  }

  @Test
  void theWalkGoesLeftThroughTrustedProxiesOnly() {
    assertThat(resolve("127.0.0.1", "198.51.100.1, 10.9.9.9")).isEqualTo("198.51.100.1");
    assertThat(resolve("127.0.0.1", "10.8.8.8, 10.9.9.9")).as("all trusted: the leftmost").isEqualTo("10.8.8.8");
  }

  @Test
  void anEntryThatIsNotAnAddressEndsTheWalkAtTheLastProxyBelieved() {
    assertThat(resolve("10.1.2.3", "198.51.100.1, unknown")).isEqualTo("10.1.2.3");
    assertThat(resolve("10.1.2.3", "gateway.example")).isEqualTo("10.1.2.3");
    assertThat(resolve("10.1.2.3", "")).isEqualTo("10.1.2.3");
  }

  @Test
  void forwardedAddressesMayCarryPortsAndBrackets() {
    assertThat(resolve("10.1.2.3", "198.51.100.1:4431")).isEqualTo("198.51.100.1");
    assertThat(resolve("10.1.2.3", "[2001:db8::7]:4431")).isEqualTo("2001:db8::7");
    assertThat(resolve("10.1.2.3", "2001:db8::7")).isEqualTo("2001:db8::7");
    assertThat(resolve("10.1.2.3", "::ffff:198.51.100.1")).isEqualTo("198.51.100.1");
  }

  @Test
  void inProcessPeersAreThisProcessAndTrusted() {
    SocketAddress inProcess = new InProcessSocketAddress("x");
    assertThat(ClientAddresses.resolve(inProcess, null, TrustedProxies.none()))
        .isEqualTo(InetAddress.getLoopbackAddress());
    assertThat(InetAddresses.toAddrString(ClientAddresses.resolve(inProcess, List.of("198.51.100.1"),
        TrustedProxies.none()))).isEqualTo("198.51.100.1");
  }

  @Test
  void limitsKeyIpv4ByAddressAndIpv6ByItsSlash64() {
    assertThat(ClientAddresses.keyOf(InetAddresses.forString("198.51.100.1"))).isEqualTo("198.51.100.1");
    assertThat(ClientAddresses.keyOf(InetAddresses.forString("2001:db8:1:2:aaaa::1"))).isEqualTo("2001:db8:1:2::/64");
    assertThat(ClientAddresses.keyOf(InetAddresses.forString("2001:db8:1:2:bbbb::9"))).isEqualTo("2001:db8:1:2::/64");
  }

  @Test
  void outsideACallThereIsNoAddress() {
    assertThatThrownBy(ClientAddresses::current).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void handlersOfAParleyServerSeeTheClientAddress() {
    String name = "client-address-" + Ids.newId("t");
    try (Platform platform = Platform.builder(KEYS).build();
        ParleyServer inProcess = platform.serverBuilder().inProcess(name).directExecutor()
            .addService(new AddressEcho()).build().start();
        ParleyServer tcp = platform.serverBuilder().host("127.0.0.1").port(0).trustedProxies(TrustedProxies.none())
            .addService(new AddressEcho()).build().start()) {
      ManagedChannel local = InProcessChannelBuilder.forName(name).directExecutor().build();
      ManagedChannel remote = NettyChannelBuilder.forAddress("127.0.0.1", tcp.port()).usePlaintext().build();
      try {
        assertThat(echo(local, null)).isEqualTo(InetAddresses.toAddrString(InetAddress.getLoopbackAddress()));
        assertThat(echo(local, "198.51.100.1")).as("in-process: the gateway in this process").isEqualTo("198.51.100.1");
        assertThat(echo(remote, null)).isEqualTo("127.0.0.1");
        assertThat(echo(remote, "198.51.100.1")).as("loopback not trusted on this server").isEqualTo("127.0.0.1");
      } finally {
        local.shutdownNow();
        remote.shutdownNow();
      }
    }
  }

  private static String echo(ManagedChannel channel, String forwardedFor) {
    UserServiceGrpc.UserServiceBlockingStub stub = UserServiceGrpc.newBlockingStub(channel);
    if (forwardedFor != null) {
      Metadata headers = new Metadata();
      headers.put(ClientAddresses.X_FORWARDED_FOR, forwardedFor);
      stub = stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }
    return stub.register(RegisterRequest.getDefaultInstance()).getUser().getNickname();
  }

  /** Register (a public method) answers with the key of the client address it sees. */
  private static final class AddressEcho extends UserServiceGrpc.UserServiceImplBase {
    @Override
    public void register(RegisterRequest request, StreamObserver<RegisterResponse> response) {
      response.onNext(RegisterResponse.newBuilder()
          .setUser(User.newBuilder().setNickname(ClientAddresses.currentKey()))
          .build());
      response.onCompleted();
    }
  }
}
