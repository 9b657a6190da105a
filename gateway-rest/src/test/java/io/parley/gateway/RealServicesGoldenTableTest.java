package io.parley.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import io.parley.common.v1.AuthLevel;
import io.parley.common.v1.AuthProto;
import io.parley.common.v1.ErrorReason;
import io.parley.friend.v1.FriendServiceProto;
import io.parley.gateway.RealServicesGoldenTable.Fixture;
import io.parley.gateway.RealServicesGoldenTable.Row;
import io.parley.group.v1.GroupServiceProto;
import io.parley.message.v1.MessageServiceProto;
import io.parley.user.v1.UserServiceProto;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The {@linkplain RealServicesGoldenTable golden table} over real HTTP, against the real user,
 * friend, group and message services behind a real gateway: every row answers with its status and
 * what the client must see, every answer is one the OpenAPI document declares, and the table covers
 * every HTTP binding of every public method with a success and, where a session is needed, with an
 * anonymous caller.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RealServicesGoldenTableTest {
  private static final List<FileDescriptor> PROTOS = List.of(UserServiceProto.getDescriptor(),
      FriendServiceProto.getDescriptor(), GroupServiceProto.getDescriptor(), MessageServiceProto.getDescriptor());

  private final Router router = Router.of(ServiceCatalog.of(ServiceCatalog.parleyDescriptorSet()));
  private RealParley parley;
  private Fixture fixture;
  private OpenApiOracle oracle;

  @BeforeAll
  void start() {
    parley = RealParley.start();
    fixture = RealServicesGoldenTable.fixture(new ParleyRest(parley.http()));
    oracle = OpenApiOracle.fetch(parley.http());
  }

  @AfterAll
  void stop() {
    parley.close();
  }

  @Test
  void everyRowAnswersAsTheTableSays() {
    List<String> failures = new ArrayList<>();
    // The fixture and the values rows saved so far.
    Fixture values = fixture;
    for (Row row : RealServicesGoldenTable.ROWS) {
      Route route = RealServicesGoldenTable.route(router, row);
      HttpTester.Reply reply;
      try {
        reply = send(values, row, route);
      } catch (IllegalArgumentException e) {
        // A row naming a value that an earlier, failed row did not save.
        failures.add(row + "\n    not sent: " + e.getMessage());
        continue;
      }
      try {
        check(values, row, route, reply);
        values = save(values, row, reply);
      } catch (AssertionError e) {
        failures.add(row + "\n    answered " + reply.status() + " " + reply.body() + "\n    " + e.getMessage().strip());
      }
    }
    assertThat(failures).as("rows that did not answer as the table says").isEmpty();
  }

  @Test
  void everyBindingOfEveryPublicMethodHasASuccessRow() {
    Set<String> covered = new HashSet<>();
    for (Row row : RealServicesGoldenTable.ROWS) {
      if (!row.isError()) {
        covered.add(RealServicesGoldenTable.route(router, row).toString());
      }
    }
    List<String> bindings = router.routes().stream().map(Route::toString).toList();
    assertThat(bindings).hasSize(ParleyRouteTable.ROWS.size());
    assertThat(covered).containsExactlyInAnyOrderElementsOf(bindings);
  }

  @Test
  void everyBindingThatNeedsASessionHasAnAnonymousRowRefusedWith401() {
    Set<String> covered = new HashSet<>();
    for (Row row : RealServicesGoldenTable.ROWS) {
      if (row.caller().equals(RealServicesGoldenTable.ANONYMOUS) && "TOKEN_MISSING".equals(row.reason())) {
        assertThat(row.status()).as(row.toString()).isEqualTo(401);
        covered.add(RealServicesGoldenTable.route(router, row).toString());
      }
    }
    List<String> needSession = router.routes().stream()
        .filter(route -> route.auth() != AuthLevel.PUBLIC)
        .map(Route::toString)
        .toList();
    assertThat(needSession).hasSize(ParleyRouteTable.ROWS.size() - 2);
    assertThat(covered).containsExactlyInAnyOrderElementsOf(needSession);
  }

  @Test
  void everyErrorReasonInTheTableIsOneItsMethodDeclares() {
    Map<String, List<ErrorReason>> declared = new TreeMap<>();
    for (FileDescriptor file : PROTOS) {
      for (ServiceDescriptor service : file.getServices()) {
        for (MethodDescriptor method : service.getMethods()) {
          declared.put(service.getFullName() + "/" + method.getName(), method.getOptions().getExtension(AuthProto.errors));
        }
      }
    }
    for (Row row : RealServicesGoldenTable.ROWS) {
      if (row.isError()) {
        ErrorReason reason = ErrorReason.valueOf(row.reason());
        String method = RealServicesGoldenTable.route(router, row).fullMethodName();
        if (!isCommon(reason)) {
          assertThat(declared.get(method)).as(row + ": (parley.common.v1.errors) of " + method).contains(reason);
        }
      }
    }
  }

  /**
   * A stranger learns nothing of an INVITE_ONLY group from SendMessage: GROUP_NOT_FOUND, as GetGroup
   * answers (and PullMessages, CONVERSATION_NOT_FOUND), not NOT_GROUP_MEMBER, which confirms that
   * the group exists (group-svc's {@code Membership}, message-svc's {@code ConversationGuard}).
   */
  @Test
  void sendMessageToAnInviteOnlyGroupTellsAStrangerGroupNotFound() {
    String carol = fixture.authorization("carol");
    String team = fixture.ids().get("team");
    HttpTester.Reply getGroup = parley.http().get("/v1/groups/" + team, "Authorization", carol);
    assertThat(getGroup.status()).isEqualTo(404);
    assertThat(getGroup.reason()).isEqualTo("GROUP_NOT_FOUND");

    HttpTester.Reply send = parley.http().send("POST", "/v1/messages",
        "{\"toGroupId\":\"" + team + "\",\"clientMsgId\":\"probe-1\",\"content\":{\"text\":{\"text\":\"Anyone here?\"}}}",
        "Authorization", carol);
    assertThat(send.status()).as(send.body()).isEqualTo(404);
    assertThat(send.reason()).isEqualTo("GROUP_NOT_FOUND");
  }

  /**
   * The reasons any method may return, which auth.proto says the {@code errors} option leaves out:
   * credentials and sessions, INVALID_ARGUMENT, the UNAVAILABLE ones and INTERNAL_ERROR.
   */
  private static boolean isCommon(ErrorReason reason) {
    return (reason.getNumber() >= ErrorReason.TOKEN_MISSING_VALUE && reason.getNumber() <= ErrorReason.SESSION_MISMATCH_VALUE)
        || Set.of(ErrorReason.INVALID_ARGUMENT, ErrorReason.SESSION_STORE_UNAVAILABLE, ErrorReason.STORE_UNAVAILABLE,
            ErrorReason.UPSTREAM_UNAVAILABLE, ErrorReason.SERVER_BUSY, ErrorReason.INTERNAL_ERROR).contains(reason);
  }

  private HttpTester.Reply send(Fixture values, Row row, Route route) {
    List<String> headers = new ArrayList<>();
    String authorization = values.authorization(row.caller());
    if (authorization != null) {
      headers.addAll(List.of("Authorization", authorization));
    }
    String path = values.fill(row.path());
    if (route.isStreaming()) {
      headers.addAll(List.of("Accept", "application/x-ndjson"));
      return parley.http().firstLine(path, headers.toArray(String[]::new));
    }
    return parley.http().send(row.verb(), path, values.fill(row.body()), headers.toArray(String[]::new));
  }

  /** {@code values} and the value the row's answer saves for later rows, if it saves one. */
  private static Fixture save(Fixture values, Row row, HttpTester.Reply reply) {
    if (row.saved() == null) {
      return values;
    }
    JsonElement value = reply.json().get(row.saved().field());
    assertThat(value).as("answer." + row.saved().field() + ", saved as {" + row.saved().name() + "}").isNotNull();
    return values.with(row.saved().name(), value.getAsString());
  }

  private void check(Fixture values, Row row, Route route, HttpTester.Reply reply) {
    assertThat(reply.status()).as("status").isEqualTo(row.status());
    oracle.assertDocumented(oracle.operation(route.operationId()), reply, false, "the OpenAPI document");
    if (!row.isError()) {
      if (row.expect() != null) {
        assertHolds(reply.jsonElement(), JsonParser.parseString(values.fill(row.expect())), "answer");
      }
      return;
    }
    JsonObject error = reply.error();
    assertThat(error.get("code").getAsInt()).as("error.code").isEqualTo(row.status());
    assertThat(reply.reason()).as("ErrorInfo.reason").isEqualTo(row.reason());
    assertThat(reply.detail("type.googleapis.com/google.rpc.RequestInfo").get("requestId").getAsString())
        .as("RequestInfo.requestId").isEqualTo(reply.header("x-request-id"));
    JsonObject localized = reply.detail("type.googleapis.com/google.rpc.LocalizedMessage");
    assertThat(localized).as("LocalizedMessage detail").isNotNull();
    assertThat(localized.get("locale").getAsString()).as("LocalizedMessage.locale").isEqualTo("en");
    assertThat(localized.get("message").getAsString()).as("LocalizedMessage.message").isNotBlank();
    if (row.status() == 429) {
      assertThat(reply.header("retry-after")).as("Retry-After").matches("[1-9][0-9]*");
    }
    if (!row.fields().isEmpty()) {
      JsonObject badRequest = reply.detail("type.googleapis.com/google.rpc.BadRequest");
      assertThat(badRequest).as("BadRequest detail").isNotNull();
      List<String> fields = new ArrayList<>();
      badRequest.getAsJsonArray("fieldViolations").forEach(v -> fields.add(v.getAsJsonObject().get("field").getAsString()));
      assertThat(fields).as("BadRequest fields").containsExactlyInAnyOrderElementsOf(row.fields());
    }
    if (row.status() == 401) {
      if (row.caller().equals(RealServicesGoldenTable.ANONYMOUS)) {
        assertThat(reply.header("www-authenticate")).as("WWW-Authenticate").isEqualTo("Bearer realm=\"parley\"");
      } else {
        assertThat(reply.header("www-authenticate")).as("WWW-Authenticate")
            .startsWith("Bearer").contains("error=\"invalid_token\"");
      }
    }
  }

  /**
   * Asserts that {@code actual} holds {@code expected}: an object at least the expected names with
   * values that hold theirs, an array exactly as many elements each holding its counterpart, any
   * other value equal.
   */
  private static void assertHolds(JsonElement actual, JsonElement expected, String where) {
    if (expected.isJsonObject()) {
      assertThat(actual.isJsonObject()).as(where + " is an object: " + actual).isTrue();
      for (Map.Entry<String, JsonElement> entry : expected.getAsJsonObject().entrySet()) {
        JsonElement value = actual.getAsJsonObject().get(entry.getKey());
        assertThat(value).as(where + "." + entry.getKey() + " is missing").isNotNull();
        assertHolds(value, entry.getValue(), where + "." + entry.getKey());
      }
    } else if (expected.isJsonArray()) {
      assertThat(actual.isJsonArray()).as(where + " is an array: " + actual).isTrue();
      assertThat(actual.getAsJsonArray().size()).as(where + " has " + expected.getAsJsonArray().size() + " elements: " + actual)
          .isEqualTo(expected.getAsJsonArray().size());
      for (int i = 0; i < expected.getAsJsonArray().size(); i++) {
        assertHolds(actual.getAsJsonArray().get(i), expected.getAsJsonArray().get(i), where + "[" + i + "]");
      }
    } else {
      assertThat(actual).as(where).isEqualTo(expected);
    }
  }
}
