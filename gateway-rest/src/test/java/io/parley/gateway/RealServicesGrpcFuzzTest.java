package io.parley.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.TextFormat;
import io.grpc.CallOptions;
import io.grpc.Status;
import io.parley.common.v1.AuthLevel;
import io.parley.common.v1.AuthProto;
import io.parley.friend.v1.FriendServiceProto;
import io.parley.group.v1.GroupServiceProto;
import io.parley.message.v1.MessageServiceProto;
import io.parley.user.v1.UserServiceProto;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The abuse suite's gRPC half (#13.9): a seeded fuzz of every method of every Parley service, from
 * the descriptors, with random request messages ({@link RandomMessages}), sent as a signed-in
 * user, anonymously, with a forged token and with a service credential, to the real services
 * in-process (memory stores) behind the real interceptors. No call may end INTERNAL or UNKNOWN:
 * whatever a client sends is either served or refused with a reason.
 *
 * <p>The seed is fixed so the build is repeatable, and logged; explore with {@code
 * -Dparley.fuzz.seed=<n>} (and {@code -Dparley.fuzz.grpc.calls=<n>}). Custom content is nested up
 * to {@value #MAX_CONTENT_DEPTH} levels, past protobuf's own parse limit, and holds NaN and
 * infinite numbers: what once failed is kept in {@link RealServicesFindingsTest}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RealServicesGrpcFuzzTest {
  private static final Logger logger = LoggerFactory.getLogger(RealServicesGrpcFuzzTest.class);
  private static final long DEFAULT_SEED = 1309L;
  private static final int DEFAULT_CALLS = 9_000;
  private static final int MAX_CONTENT_DEPTH = 60;
  private static final List<FileDescriptor> PROTOS = List.of(UserServiceProto.getDescriptor(),
      FriendServiceProto.getDescriptor(), GroupServiceProto.getDescriptor(), MessageServiceProto.getDescriptor());
  /** Methods that may end the caller's sessions, after which the fixture signs in again. */
  private static final Set<String> ENDS_SESSIONS = Set.of("Login", "Logout", "RevokeSession", "RevokeOtherSessions",
      "ChangePassword");
  private static final Set<Status.Code> BROKEN = Set.of(Status.Code.INTERNAL, Status.Code.UNKNOWN, Status.Code.DATA_LOSS);

  private RealParley parley;
  private FuzzFixture fixture;
  private ListAppender<ILoggingEvent> serverLog;

  @BeforeAll
  void start() {
    parley = RealParley.start();
    fixture = FuzzFixture.build(new ParleyRest(parley.http()));
    serverLog = new ListAppender<>();
    serverLog.start();
    ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("io.parley")).addAppender(serverLog);
  }

  @AfterAll
  void stop() {
    ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("io.parley")).detachAppender(serverLog);
    parley.close();
  }

  /** Who makes a call. */
  private enum Caller { USER, ANONYMOUS, FORGED_TOKEN, SERVICE }

  @Test
  void everyMethodWithRandomFieldsIsServedOrRefusedNeverInternalOrUnknown() {
    long seed = Long.getLong("parley.fuzz.seed", DEFAULT_SEED);
    int calls = Integer.getInteger("parley.fuzz.grpc.calls", DEFAULT_CALLS);
    logger.info("gRPC fuzz: {} calls with seed {} (replay or explore with -Dparley.fuzz.seed=<n>)", calls, seed);
    FuzzValues values = new FuzzValues(new Random(seed), fixture.ids())
        .withCredentials(FuzzFixture.LOGIN_USER, ParleyRest.PASSWORD);
    RandomMessages messages = new RandomMessages(values, MAX_CONTENT_DEPTH);
    List<MethodDescriptor> methods = new ArrayList<>();
    PROTOS.forEach(file -> file.getServices().forEach(service -> methods.addAll(service.getMethods())));
    Map<Status.Code, Integer> codes = new EnumMap<>(Status.Code.class);
    List<String> failures = new ArrayList<>();
    int failed = 0;
    long start = System.nanoTime();
    for (int i = 0; i < calls; i++) {
      MethodDescriptor method = methods.get(i % methods.size());
      Caller caller = values.pick(Caller.USER, Caller.USER, Caller.USER, Caller.USER, Caller.ANONYMOUS,
          Caller.FORGED_TOKEN, Caller.SERVICE);
      DynamicMessage request = messages.message(method.getInputType());
      String requestId = "grpc-fuzz-" + i;
      Status status = call(method, caller, request, requestId, values);
      codes.merge(status.getCode(), 1, Integer::sum);
      if (BROKEN.contains(status.getCode())) {
        failed++;
        if (failures.size() < 20) {
          failures.add(describe(seed, i, method, caller, request, status, requestId));
        }
      }
      if (status.isOk() && ENDS_SESSIONS.contains(method.getName())) {
        fixture.renewSessions(parley.http());
      }
    }
    logger.info("gRPC fuzz with seed {}: {} calls over {} methods in {} ms; codes {}", seed, calls, methods.size(),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), codes);
    assertThat(failures).as("%d of %d calls ended INTERNAL or UNKNOWN with seed %d; the first ones:%n%s", failed, calls,
        seed, String.join("\n", failures)).isEmpty();
  }

  private Status call(MethodDescriptor method, Caller caller, DynamicMessage request, String requestId, FuzzValues values) {
    String authorization = switch (caller) {
      case USER -> values.pick(fixture.authorizations());
      case FORGED_TOKEN -> values.pick("Bearer x.y.z", "Bearer " + values.ascii(40), "Basic YTpi",
          fixture.authorizations().get(0) + "x");
      default -> null;
    };
    CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(method.isServerStreaming() ? 200 : 5_000,
        TimeUnit.MILLISECONDS);
    if (caller == Caller.SERVICE) {
      options = options.withCallCredentials(parley.platform().serviceCredentials("fuzzer"));
    }
    return DynamicCalls.call(parley.channel(), method, authorization, request, requestId, options);
  }

  /** A failure as the report gives it: the call, what was sent, the status, and what the server logged. */
  private String describe(long seed, int index, MethodDescriptor method, Caller caller, DynamicMessage request,
      Status status, String requestId) {
    String text = TextFormat.printer().shortDebugString(request);
    if (text.length() > 700) {
      text = text.substring(0, 700) + "… (" + request.getSerializedSize() + " bytes)";
    }
    StringBuilder log = new StringBuilder();
    for (ILoggingEvent event : List.copyOf(serverLog.list)) {
      if (event.getLevel().isGreaterOrEqual(Level.WARN) && event.getFormattedMessage().contains(requestId)) {
        log.append("\n    log:  ").append(event.getLevel()).append(' ').append(event.getLoggerName()).append(" - ")
            .append(event.getFormattedMessage());
        if (event.getThrowableProxy() != null) {
          log.append(" / ").append(event.getThrowableProxy().getClassName()).append(": ")
              .append(event.getThrowableProxy().getMessage());
        }
      }
    }
    AuthLevel auth = method.getOptions().getExtension(AuthProto.auth);
    return "call " + index + " (seed " + seed + "): " + method.getFullName() + " [" + auth + "] as " + caller + " -> "
        + status.getCode() + " " + status.getDescription() + "\n    sent: " + text + log;
  }
}
