package io.parley.launcher;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.grpc.ManagedChannel;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.parley.auth.TokenKeys;
import io.parley.database.DatabaseSettings;
import io.parley.friend.v1.AcceptFriendRequestRequest;
import io.parley.friend.v1.FriendServiceGrpc;
import io.parley.friend.v1.SendFriendRequestRequest;
import io.parley.server.LogFields;
import io.parley.testing.PostgresServer;
import io.parley.testing.RedisServer;
import io.parley.user.v1.LoginResponse;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * One trace from an HTTP client through the gateway, message-svc and friend-svc down to
 * PostgreSQL: every process of the distributed topology runs as its own node (on a real
 * redis-server and PostgreSQL) with its own tracer provider, all exporting to one in-memory
 * exporter, as separate processes would to one collector.
 */
class TracingTest {
  private static final TokenKeys KEYS = TokenKeys.hmac("tracing-test-secret-of-32-bytes-at-least".getBytes(UTF_8));
  private static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");
  private static final String CALLER_TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String CALLER_SPAN_ID = "00f067aa0ba902b7";

  private static final InMemorySpanExporter spans = InMemorySpanExporter.create();
  private static final List<OpenTelemetrySdk> sdks = new ArrayList<>();
  private static RedisServer redis;
  private static List<ParleyNode> nodes;
  private static ManagedChannel userChannel;
  private static ManagedChannel friendChannel;
  private static int gatewayPort;
  private static LoginResponse alice;
  private static LoginResponse bob;
  private static LoginResponse carol;

  private final CapturingAppender logs = new CapturingAppender();

  @BeforeAll
  static void start() {
    redis = RedisServer.start();
    DatabaseSettings database = PostgresServer.shared().createDatabase();
    ParleyNode users = ParleyNode.start(node(Role.USER, database).build());
    String userTarget = "127.0.0.1:" + users.grpcPort();
    ParleyNode friends = ParleyNode.start(node(Role.FRIEND, database).target(Role.USER, userTarget).build());
    String friendTarget = "127.0.0.1:" + friends.grpcPort();
    ParleyNode groups = ParleyNode.start(node(Role.GROUP, database).target(Role.USER, userTarget)
        .target(Role.FRIEND, friendTarget).build());
    String groupTarget = "127.0.0.1:" + groups.grpcPort();
    ParleyNode messages = ParleyNode.start(node(Role.MESSAGE, database).target(Role.FRIEND, friendTarget)
        .target(Role.GROUP, groupTarget).build());
    ParleyNode gateway = ParleyNode.start(node(Role.GATEWAY, null).target(Role.USER, userTarget)
        .target(Role.FRIEND, friendTarget).target(Role.GROUP, groupTarget)
        .target(Role.MESSAGE, "127.0.0.1:" + messages.grpcPort()).build());
    nodes = List.of(gateway, messages, groups, friends, users);
    gatewayPort = gateway.httpPort();
    userChannel = Clients.channel(users.grpcPort());
    friendChannel = Clients.channel(friends.grpcPort());

    alice = Clients.signUp(userChannel, "alice");
    bob = Clients.signUp(userChannel, "bob");
    carol = Clients.signUp(userChannel, "carol");
    String request = Clients.as(FriendServiceGrpc.newBlockingStub(friendChannel), alice.getAccessToken())
        .sendFriendRequest(SendFriendRequestRequest.newBuilder().setToUserId(bob.getUser().getUserId()).build())
        .getRequestId();
    Clients.as(FriendServiceGrpc.newBlockingStub(friendChannel), bob.getAccessToken())
        .acceptFriendRequest(AcceptFriendRequestRequest.newBuilder().setRequestId(request).build());
  }

  /** A node of {@code role} whose spans, named for the role, go to the shared exporter. */
  private static NodeConfig.Builder node(Role role, DatabaseSettings database) {
    OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
        .setTracerProvider(SdkTracerProvider.builder()
            .setResource(Resource.getDefault().merge(Resource.builder()
                .put(SERVICE_NAME, OtlpTracing.defaultServiceName(role)).build()))
            .addSpanProcessor(SimpleSpanProcessor.create(spans))
            .build())
        .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
        .build();
    sdks.add(sdk);
    return NodeConfig.builder(role, KEYS).host("127.0.0.1").grpcPort(0).httpPort(0).store(redis.url())
        .database(database).fastPasswordHashing(true).openTelemetry(sdk);
  }

  @AfterAll
  static void stop() {
    for (ManagedChannel channel : new ManagedChannel[] {userChannel, friendChannel}) {
      if (channel != null) {
        channel.shutdownNow();
      }
    }
    if (nodes != null) {
      nodes.forEach(ParleyNode::close);
    }
    sdks.forEach(OpenTelemetrySdk::close);
    if (redis != null) {
      redis.close();
    }
  }

  @BeforeEach
  void captureLogs() {
    spans.reset();
    logs.start();
    Logger parley = parleyLogger();
    parley.setLevel(Level.DEBUG);
    parley.addAppender(logs);
  }

  @AfterEach
  void stopCapturing() {
    Logger parley = parleyLogger();
    parley.detachAppender(logs);
    parley.setLevel(Level.INFO);
    logs.stop();
  }

  @Test
  void aSendThroughTheGatewayIsOneTraceFromTheCallerDownToTheDatabase() throws Exception {
    HttpResponse<String> sent = send(bob.getUser().getUserId(), "m-1", "req-traced-send");
    assertThat(sent.statusCode()).as(sent.body()).isEqualTo(200);

    SpanData gateway = awaitSpan(s -> s.getKind() == SpanKind.SERVER && s.getName().equals("POST /v1/messages"));
    SpanData friendServer = awaitSpan(s -> s.getKind() == SpanKind.SERVER
        && s.getName().equals("parley.friend.v1.FriendService/CheckRelation"));
    assertThat(gateway.getTraceId()).as("the caller's trace goes on").isEqualTo(CALLER_TRACE_ID);
    assertThat(gateway.getParentSpanId()).as("the gateway's span is the caller's child").isEqualTo(CALLER_SPAN_ID);
    assertThat(serviceOf(gateway)).isEqualTo("parley-gateway");

    SpanData gatewayCall = childOf(gateway, SpanKind.CLIENT, "parley.message.v1.MessageService/SendMessage");
    SpanData messageServer = childOf(gatewayCall, SpanKind.SERVER, "parley.message.v1.MessageService/SendMessage");
    assertThat(serviceOf(messageServer)).isEqualTo("parley-message");
    SpanData friendCall = childOf(messageServer, SpanKind.CLIENT, "parley.friend.v1.FriendService/CheckRelation");
    assertThat(friendServer.getParentSpanId()).isEqualTo(friendCall.getSpanId());
    assertThat(serviceOf(friendServer)).isEqualTo("parley-friend");

    SpanData query = awaitSpan(s -> s.getKind() == SpanKind.CLIENT && "postgresql".equals(databaseSystem(s))
        && s.getParentSpanId().equals(friendServer.getSpanId()));
    assertThat(query.getTraceId()).isEqualTo(CALLER_TRACE_ID);
    assertThat(serviceOf(query)).as("friend-svc read the relation from its database").isEqualTo("parley-friend");
    assertThat(spans.getFinishedSpanItems()).as("every span of the send is in the caller's trace")
        .filteredOn(s -> serviceOf(s).equals("parley-gateway") || s.getParentSpanId().equals(gateway.getSpanId()))
        .extracting(SpanData::getTraceId).containsOnly(CALLER_TRACE_ID);
  }

  @Test
  void logLinesOfATracedCallCarryItsRequestIdAndTraceId() throws Exception {
    HttpResponse<String> refused = send(carol.getUser().getUserId(), "m-2", "req-traced-refusal");
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(403);

    SpanData messageServer = awaitSpan(s -> s.getKind() == SpanKind.SERVER
        && s.getName().equals("parley.message.v1.MessageService/SendMessage"));
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(logs.lines)
        .anySatisfy(line -> assertThat(line.logger()).endsWith("ExceptionMappingServerInterceptor"))
        .anySatisfy(line -> assertThat(line.logger()).endsWith("GatewayHandler")));
    List<LogLine> ofTheCall = logs.lines.stream()
        .filter(line -> "req-traced-refusal".equals(line.mdc().get(LogFields.REQUEST_ID))).toList();
    assertThat(ofTheCall).extracting(LogLine::logger).as("the gateway's and message-svc's lines about the call")
        .anySatisfy(logger -> assertThat(logger).endsWith("GatewayHandler"))
        .anySatisfy(logger -> assertThat(logger).endsWith("ExceptionMappingServerInterceptor"));
    assertThat(ofTheCall).allSatisfy(line ->
        assertThat(line.mdc()).containsEntry(LogFields.TRACE_ID, CALLER_TRACE_ID).containsKey(LogFields.SPAN_ID));
    assertThat(ofTheCall).filteredOn(line -> line.logger().endsWith("ExceptionMappingServerInterceptor"))
        .extracting(line -> line.mdc().get(LogFields.SPAN_ID)).as("message-svc's lines name its server span")
        .containsOnly(messageServer.getSpanId());
  }

  private static HttpResponse<String> send(String toUserId, String clientMsgId, String requestId) throws Exception {
    String body = "{\"toUserId\":\"" + toUserId + "\",\"clientMsgId\":\"" + clientMsgId
        + "\",\"content\":{\"text\":{\"text\":\"hi\"}}}";
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + gatewayPort + "/v1/messages"))
        .header("Authorization", "Bearer " + alice.getAccessToken())
        .header("Content-Type", "application/json")
        .header("X-Request-Id", requestId)
        .header("traceparent", "00-" + CALLER_TRACE_ID + "-" + CALLER_SPAN_ID + "-01")
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  private static SpanData awaitSpan(Predicate<SpanData> which) {
    return await().atMost(Duration.ofSeconds(10)).until(
        () -> spans.getFinishedSpanItems().stream().filter(which).findFirst().orElse(null), Objects::nonNull);
  }

  private static SpanData childOf(SpanData parent, SpanKind kind, String name) {
    SpanData child = awaitSpan(s -> s.getKind() == kind && s.getName().equals(name)
        && s.getParentSpanId().equals(parent.getSpanId()));
    assertThat(child.getTraceId()).isEqualTo(parent.getTraceId());
    return child;
  }

  private static String serviceOf(SpanData span) {
    return span.getResource().getAttribute(SERVICE_NAME);
  }

  /** The database system of a span, under the stable attribute or the older one. */
  private static String databaseSystem(SpanData span) {
    String stable = span.getAttributes().get(AttributeKey.stringKey("db.system.name"));
    return stable != null ? stable : span.getAttributes().get(AttributeKey.stringKey("db.system"));
  }

  private static Logger parleyLogger() {
    return ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger("io.parley");
  }

  record LogLine(String logger, String message, Map<String, String> mdc) {}

  /** Keeps each line with the MDC it was logged with (read as it is logged, on the logging thread). */
  private static final class CapturingAppender extends AppenderBase<ILoggingEvent> {
    final List<LogLine> lines = new CopyOnWriteArrayList<>();

    CapturingAppender() {
      setContext((LoggerContext) LoggerFactory.getILoggerFactory());
      setName("tracing-test");
    }

    @Override
    protected void append(ILoggingEvent event) {
      lines.add(new LogLine(event.getLoggerName(), event.getFormattedMessage(), Map.copyOf(event.getMDCPropertyMap())));
    }
  }
}
