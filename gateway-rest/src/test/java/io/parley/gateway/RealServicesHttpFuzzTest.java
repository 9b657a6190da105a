package io.parley.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.grpc.Status;
import io.parley.gateway.MalformedHttpRequests.Case;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The abuse suite's HTTP half (#13.9): a seeded fuzz of malformed requests, raw on sockets, at the
 * gateway with its default settings in front of the real services (over gRPC on TCP, as in the
 * distributed topology, so that what the gateway sends meets the transport's limits), as a
 * hostile client sends them
 * ({@link MalformedHttpRequests}). Every answer must be one a client can live with: no 5xx but
 * 503 (and 504 to a client that asked for a deadline of a few milliseconds), no stack trace or Java
 * class name in any body, every error the AIP-193 JSON with its request id, and no error in the
 * gateway's log (nor a leaked buffer in Netty's); afterwards the gateway still serves.
 *
 * <p>The seed is fixed so the build is repeatable, and logged; explore with {@code
 * -Dparley.fuzz.seed=<n>} (and {@code -Dparley.fuzz.http.requests=<n>}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RealServicesHttpFuzzTest {
  private static final Logger logger = LoggerFactory.getLogger(RealServicesHttpFuzzTest.class);
  private static final long DEFAULT_SEED = 1309L;
  private static final int DEFAULT_REQUESTS = 10_000;
  /** How long an answer may take on a kept-alive connection. */
  private static final int ANSWER_MILLIS = 5_000;
  /**
   * How long to wait for an answer inline before leaving the connection to be read at the end (a
   * request the gateway waits on for bytes that do not come is answered when its read timeout ends).
   */
  private static final int INLINE_MILLIS = 500;
  /** A Java class, package-qualified, or a stack frame: in no body. */
  private static final Pattern LEAK = Pattern.compile(
      "\\b(?:java|javax|jdk|sun|io\\.netty|io\\.grpc|io\\.parley|com\\.google\\.(?:protobuf|gson|common))\\.[\\w$.]*[A-Z]"
          + "|\\tat |\\.java:\\d+\\)");
  /** An exception's simple name: in no error. */
  private static final Pattern EXCEPTION = Pattern.compile("\\b[A-Z]\\w*(?:Exception|Error)\\b");
  private static final Pattern REQUEST_ID = Pattern.compile("[\\x21-\\x7e]{1,128}");
  private static final Set<Status.Code> CODES = EnumSet.allOf(Status.Code.class);
  /** Where the gateway's errors, and Netty's reports of leaked buffers (paranoid in the build), are logged. */
  private static final List<String> WATCHED_LOGS = List.of("io.parley.gateway", "io.netty.util.ResourceLeakDetector");

  private RealParley parley;
  private FuzzFixture fixture;
  private ListAppender<ILoggingEvent> gatewayLog;

  @BeforeAll
  void start() {
    parley = RealParley.startOverTcp();
    fixture = FuzzFixture.build(new ParleyRest(parley.http()));
    gatewayLog = new ListAppender<>();
    gatewayLog.start();
    WATCHED_LOGS.forEach(name -> ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(name)).addAppender(gatewayLog));
  }

  @AfterAll
  void stop() {
    WATCHED_LOGS.forEach(name -> ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(name)).detachAppender(gatewayLog));
    parley.close();
  }

  /** A case whose answer is read later: it waits for bytes that never come, until the read timeout. */
  private record Parked(int index, Case request, RawHttp.Connection connection, long sentNanos) {}

  @Test
  void malformedRequestsGetNoServerErrorNoStackTraceAndOnlyAip193Errors() throws Exception {
    long seed = Long.getLong("parley.fuzz.seed", DEFAULT_SEED);
    int count = Integer.getInteger("parley.fuzz.http.requests", DEFAULT_REQUESTS);
    logger.info("HTTP fuzz: {} requests with seed {} (replay or explore with -Dparley.fuzz.seed=<n>)", count, seed);
    List<Route> routes = Router.of(ServiceCatalog.of(ServiceCatalog.parleyDescriptorSet())).routes();
    FuzzValues values = new FuzzValues(new Random(seed), fixture.ids())
        .withCredentials(FuzzFixture.LOGIN_USER, ParleyRest.PASSWORD);
    MalformedHttpRequests requests = new MalformedHttpRequests(values, routes, fixture::authorizations);
    Run run = new Run(seed);
    long start = System.nanoTime();
    RawHttp.Connection kept = null;
    List<Parked> parked = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Case request = requests.next();
      long caseStart = System.nanoTime();
      if (request.reusable()) {
        kept = sendOnKeptConnection(run, i, request, kept);
      } else {
        Parked waiting = sendOnNewConnection(run, i, request);
        if (waiting != null) {
          parked.add(waiting);
        }
      }
      run.millisByKind.merge(kindOf(request), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - caseStart), Long::sum);
      if (i % 500 == 499) {
        fixture.renewSessions(parley.http());
      }
    }
    if (kept != null) {
      kept.close();
    }
    for (Parked waiting : parked) {
      readParked(run, waiting);
    }
    long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    logger.info("HTTP fuzz with seed {}: {} cases in {} ms ({} read at the end, of which not answered at once: {}); "
        + "statuses {}; milliseconds by kind {}", seed, count, tookMillis, parked.size(), run.unexpectedWaits, run.statuses,
        run.millisByKind);

    assertThat(run.failures).as("%d of %d cases failed with seed %d; the first ones:%n%s", run.failed, count, seed,
        String.join("\n", run.failures)).isEmpty();
    List<String> errors = gatewayLog.list.stream()
        .filter(event -> event.getLevel().isGreaterOrEqual(Level.ERROR))
        .map(event -> event.getFormattedMessage() + (event.getThrowableProxy() == null ? ""
            : " " + event.getThrowableProxy().getClassName() + ": " + event.getThrowableProxy().getMessage()))
        .collect(Collectors.toList());
    assertThat(errors).as("errors the gateway (or Netty's leak detector) logged with seed %d", seed).isEmpty();

    // Healthy afterwards: its own health, its upstreams', and a new user's first calls.
    assertThat(parley.http().get("/healthz").status()).isEqualTo(200);
    assertThat(parley.http().get("/readyz").status()).isEqualTo(200);
    ParleyRest rest = new ParleyRest(parley.http());
    rest.register("survivor");
    ParleyRest.Login survivor = rest.login("survivor", "WEB");
    HttpTester.Reply me = parley.http().get("/v1/users/me", "Authorization", survivor.authorization());
    assertThat(me.status()).as(me.body()).isEqualTo(200);
    assertThat(me.json().get("username").getAsString()).isEqualTo("survivor");
  }

  private RawHttp.Connection sendOnKeptConnection(Run run, int index, Case request, RawHttp.Connection kept)
      throws IOException {
    RawHttp.Connection connection = kept != null ? kept : RawHttp.Connection.open(parley.gateway().port(), ANSWER_MILLIS);
    try {
      connection.send(request.bytes());
    } catch (IOException e) {
      // The gateway closed the kept connection (idle, or after an answer that said so): a new one.
      connection.close();
      connection = RawHttp.Connection.open(parley.gateway().port(), ANSWER_MILLIS);
      connection.send(request.bytes());
    }
    try {
      RawHttp.Response response = connection.read(request.heads().get(0));
      run.check(index, request, request.heads().get(0), response);
      if (response.closesConnection() || isStream(response)) {
        connection.close();
        return null;
      }
      return connection;
    } catch (IOException e) {
      run.fail(index, request, "no answer on a kept-alive connection: " + e, null);
      connection.close();
      return null;
    }
  }

  /** Sends on a connection of its own and reads the answers; returns the case if it must wait. */
  private Parked sendOnNewConnection(Run run, int index, Case request) {
    RawHttp.Connection connection = RawHttp.Connection.open(parley.gateway().port(), INLINE_MILLIS);
    try {
      connection.send(request.bytes());
    } catch (IOException e) {
      // The gateway refused the request before it was all sent (too large): its answer is there to read.
    }
    if (request.readLater()) {
      return new Parked(index, request, connection, System.nanoTime());
    }
    try {
      for (int answer = 0; answer < request.heads().size(); answer++) {
        RawHttp.Response response;
        try {
          response = connection.read(request.heads().get(answer));
        } catch (SocketTimeoutException e) {
          if (answer == 0) {
            run.unexpectedWaits.merge(kindOf(request), 1, Integer::sum);
            return new Parked(index, request, connection, System.nanoTime());
          }
          run.fail(index, request, "answer " + (answer + 1) + " of " + request.heads().size() + " never came", null);
          break;
        } catch (EOFException e) {
          run.fail(index, request, "the connection closed after " + answer + " of " + request.heads().size()
              + " answers, the last not saying Connection: close", null);
          break;
        }
        run.check(index, request, request.heads().get(answer), response);
        if (response.closesConnection() || isStream(response)) {
          break;
        }
      }
    } catch (IOException e) {
      run.fail(index, request, "unreadable answer: " + e, null);
    }
    connection.close();
    return null;
  }

  private void readParked(Run run, Parked waiting) throws IOException {
    try (RawHttp.Connection connection = waiting.connection()) {
      long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - waiting.sentNanos());
      connection.socket().setSoTimeout((int) Math.max(1_000, 15_000 - waitedMillis));
      RawHttp.Response response = connection.read(waiting.request().heads().get(0));
      run.check(waiting.index(), waiting.request(), waiting.request().heads().get(0), response);
    } catch (IOException e) {
      run.fail(waiting.index(), waiting.request(), "no answer to a request that never completed: " + e, null);
    }
  }

  private static String kindOf(Case request) {
    return request.kind().startsWith("route ") ? "route"
        : request.kind().startsWith("pipelined") ? "pipelined" : request.kind();
  }

  private static boolean isStream(RawHttp.Response response) {
    String type = response.header("content-type");
    return type != null && (type.startsWith("text/event-stream") || type.startsWith("application/x-ndjson"));
  }

  /** The outcomes of one run. */
  private static final class Run {
    private static final int SHOWN = 25;
    private final long seed;
    final List<String> failures = new ArrayList<>();
    final Map<Integer, Integer> statuses = new TreeMap<>();
    final Map<String, Integer> unexpectedWaits = new TreeMap<>();
    final Map<String, Long> millisByKind = new TreeMap<>();
    int failed;

    Run(long seed) {
      this.seed = seed;
    }

    void fail(int index, Case request, String problem, RawHttp.Response response) {
      failed++;
      if (failures.size() < SHOWN) {
        failures.add("case " + index + " (seed " + seed + "): " + problem + "\n    sent: " + request.describe()
            + (response == null ? "" : "\n    got:  " + response));
      }
    }

    void check(int index, Case request, boolean head, RawHttp.Response response) {
      int status = response.status();
      statuses.merge(status, 1, Integer::sum);
      if (status >= 500 && status != 503 && !(status == 504 && request.shortDeadline())) {
        fail(index, request, "a " + status, response);
      }
      String requestId = response.header("x-request-id");
      if (requestId == null || !REQUEST_ID.matcher(requestId).matches()) {
        fail(index, request, "no usable X-Request-Id", response);
      }
      if (head) {
        return;
      }
      String body;
      try {
        body = new String(decoded(response), StandardCharsets.UTF_8);
      } catch (IOException e) {
        fail(index, request, "a body that does not decode as its Content-Encoding says: " + e, response);
        return;
      }
      String type = response.header("content-type");
      boolean asset = status < 300 && type != null && !type.startsWith("application/json");
      if (!asset && LEAK.matcher(body).find()) {
        fail(index, request, "a Java class name or stack trace in the body: " + LEAK.matcher(body).results()
            .map(match -> match.group()).limit(3).toList(), response);
      }
      if (status >= 400 && EXCEPTION.matcher(body).find()) {
        fail(index, request, "an exception's name in the error: " + EXCEPTION.matcher(body).results()
            .map(match -> match.group()).limit(3).toList(), response);
      }
      if (status >= 400) {
        String problem = aip193Problem(status, type, body, requestId);
        if (problem != null) {
          fail(index, request, "not an AIP-193 error: " + problem, response);
        }
      }
    }

    private static byte[] decoded(RawHttp.Response response) throws IOException {
      String encoding = response.header("content-encoding");
      if (encoding == null || encoding.equals("identity")) {
        return response.body();
      }
      InputStream in = new ByteArrayInputStream(response.body());
      try (InputStream decoded = encoding.equals("gzip") ? new GZIPInputStream(in) : new InflaterInputStream(in)) {
        return decoded.readAllBytes();
      }
    }

    /** What is wrong with an error answer, or null if it is the AIP-193 body with its request id. */
    private static String aip193Problem(int status, String type, String body, String requestId) {
      if (type == null || !type.equals("application/json")) {
        return "Content-Type " + type;
      }
      JsonObject error;
      try {
        JsonElement json = JsonParser.parseString(body);
        if (!json.isJsonObject() || json.getAsJsonObject().size() != 1 || !json.getAsJsonObject().has("error")) {
          return "not {\"error\":{…}}";
        }
        error = json.getAsJsonObject().getAsJsonObject("error");
      } catch (RuntimeException e) {
        return "not JSON";
      }
      if (!error.has("code") || error.get("code").getAsInt() != status) {
        return "error.code is not " + status;
      }
      if (!error.has("status") || CODES.stream().noneMatch(code -> code.name().equals(error.get("status").getAsString()))) {
        return "error.status is no gRPC code";
      }
      if (!error.has("message") || !error.get("message").isJsonPrimitive() || error.get("message").getAsString().isBlank()) {
        return "no error.message";
      }
      if (!error.has("details") || !error.get("details").isJsonArray()) {
        return "no error.details";
      }
      String reason = null;
      String detailRequestId = null;
      for (JsonElement detail : error.getAsJsonArray("details")) {
        JsonObject object = detail.getAsJsonObject();
        String detailType = object.get("@type").getAsString();
        if (!detailType.startsWith("type.googleapis.com/google.rpc.")) {
          return "a detail of type " + detailType;
        }
        if (detailType.endsWith(".ErrorInfo") && "parley.io".equals(object.get("domain").getAsString())) {
          reason = object.get("reason").getAsString();
        } else if (detailType.endsWith(".RequestInfo")) {
          detailRequestId = object.get("requestId").getAsString();
        }
      }
      if (reason == null || reason.isEmpty()) {
        return "no ErrorInfo with a parley.io reason";
      }
      if (detailRequestId == null || !detailRequestId.equals(requestId)) {
        return "RequestInfo.requestId " + detailRequestId + " is not the X-Request-Id " + requestId;
      }
      return null;
    }
  }
}
