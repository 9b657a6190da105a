package io.parley.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.grpc.BindableService;
import io.grpc.ManagedChannel;
import io.parley.common.v1.Terminal;
import io.parley.server.ParleyServer;
import io.parley.server.Platform;
import io.parley.testing.TestSessions;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The golden route table over real HTTP: every binding of every public Parley method reaches its
 * gRPC method, behind the real session interceptor, with the request fields the path, query and
 * body bind.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ParleyRoutesTest {
  private static final Set<String> PUBLIC = Set.of("parley.user.v1.UserService/Register", "parley.user.v1.UserService/Login");

  private Platform platform;
  private SampleUpstream samples;
  private ParleyServer server;
  private ManagedChannel channel;
  private GatewayServer gateway;
  private HttpTester http;
  private String token;

  @BeforeAll
  void start() {
    platform = TestPlatforms.platform();
    samples = new SampleUpstream();
    String name = TestPlatforms.uniqueName("routes");
    server = TestPlatforms.serve(platform, name, samples.services().toArray(BindableService[]::new));
    channel = TestPlatforms.channel(name);
    GatewayServer.Builder builder = GatewayServer.builder().host("127.0.0.1").port(0);
    // One channel per service, as the distributed deployment routes them.
    for (String service : Router.of(ServiceCatalog.of(ServiceCatalog.parleyDescriptorSet())).serviceNames()) {
      builder.route(service, channel);
    }
    gateway = builder.build().start();
    http = new HttpTester(gateway.port());
    token = TestSessions.login(platform, "router", Terminal.WEB);
  }

  @AfterAll
  void stop() {
    gateway.close();
    channel.shutdownNow();
    server.close();
    platform.close();
  }

  @Test
  void everyRowReachesItsMethodWithItsFieldsBound() throws InvalidProtocolBufferException {
    for (ParleyRouteTable.Row row : ParleyRouteTable.ROWS) {
      samples.calls.clear();
      HttpTester.Reply reply = http.send(row.verb(), row.path(), row.body(), "Authorization", token);
      assertThat(reply.status()).as(row + ": " + reply.body()).isEqualTo(200);
      SampleUpstream.Call call = samples.calls.poll();
      assertThat(call).as(row.toString()).isNotNull();
      assertThat(call.method()).as(row.toString()).isEqualTo(row.method());
      JsonObject received = JsonParser.parseString(JsonFormat.printer().print(call.request())).getAsJsonObject();
      for (Map.Entry<String, JsonElement> field : JsonParser.parseString(row.bound()).getAsJsonObject().entrySet()) {
        assertThat(received.get(field.getKey())).as(row + " binds " + field.getKey()).isEqualTo(field.getValue());
      }
      assertThat(samples.calls).as(row + " made one call").isEmpty();
    }
  }

  @Test
  void everyRowButThePublicOnesNeedsASession() {
    for (ParleyRouteTable.Row row : ParleyRouteTable.ROWS) {
      HttpTester.Reply reply = http.send(row.verb(), row.path(), row.body());
      if (PUBLIC.contains(row.method())) {
        assertThat(reply.status()).as(row.toString()).isEqualTo(200);
      } else {
        assertThat(reply.status()).as(row.toString()).isEqualTo(401);
        assertThat(reply.reason()).as(row.toString()).isEqualTo("TOKEN_MISSING");
      }
    }
  }

  @Test
  void aForgedTokenIsRefusedByTheRealInterceptor() {
    HttpTester.Reply reply = http.get("/v1/users/me", "Authorization", token.substring(0, token.length() - 4) + "AAAA");
    assertThat(reply.status()).isEqualTo(401);
    assertThat(reply.reason()).isEqualTo("TOKEN_SIGNATURE_INVALID");
    assertThat(reply.header("www-authenticate")).contains("error=\"invalid_token\"");
  }
}
