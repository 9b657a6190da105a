package io.parley.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.grpc.CallOptions;
import io.grpc.Status;
import io.parley.message.v1.CustomContent;
import io.parley.message.v1.ListConversationsRequest;
import io.parley.message.v1.MessageContent;
import io.parley.message.v1.MessageServiceProto;
import io.parley.message.v1.PullMessagesRequest;
import io.parley.message.v1.SendMessageRequest;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What the abuse suite's fuzzers found wrong in the services, each kept as a regression test named
 * for what broke, sent as a gRPC client sends it to the real services in-process. (Through the
 * gateway, both are a 400 too: {@link ProtoLimits}.)
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RealServicesFindingsTest {
  private static final MethodDescriptor SEND = method("SendMessage");
  private static final MethodDescriptor PULL = method("PullMessages");
  private static final MethodDescriptor LIST = method("ListConversations");

  private RealParley parley;
  private FuzzFixture fixture;

  @BeforeAll
  void start() {
    parley = RealParley.start();
    fixture = FuzzFixture.build(new ParleyRest(parley.http()));
  }

  @AfterAll
  void stop() {
    parley.close();
  }

  /**
   * #13.1 (message-svc, and the platform's server for the parse failure): custom content nested 33
   * JSON levels or more makes SendMessage's request deeper than the 100 levels protobuf parses;
   * the server's parser refuses it and the call ends UNKNOWN "Application error processing RPC"
   * (INTERNAL through an in-process channel), logged as ERROR ExceptionMappingServerInterceptor
   * "SendMessage failed unexpectedly" with "StatusRuntimeException: INTERNAL: Half-closed without
   * a request". Content at any depth must be refused INVALID_ARGUMENT, or be readable everywhere.
   */
  @Test
  void contentAtAnyDepthIsRefusedInvalidArgumentOrReadableNeverUnknown() {
    for (int depth : new int[] {30, 32, 33, 34, 40, 47, 48, 60}) {
      Struct.Builder data = Struct.newBuilder().putFields("v", Value.newBuilder().setStringValue("deep").build());
      for (int i = 1; i < depth; i++) {
        data = Struct.newBuilder().putFields("k", Value.newBuilder().setStructValue(data).build());
      }
      Status sent = send("deep-" + depth, data.build());
      assertThat(sent.getCode()).as("SendMessage with content nested %d levels: %s", depth, sent)
          .isIn(Status.Code.OK, Status.Code.INVALID_ARGUMENT);
      if (sent.isOk()) {
        assertThat(readAsBob(LIST, ListConversationsRequest.getDefaultInstance()).getCode())
            .as("ListConversations after content nested %d levels", depth).isEqualTo(Status.Code.OK);
        assertThat(readAsBob(PULL, PullMessagesRequest.newBuilder().setConversationId(conversation()).build()).getCode())
            .as("PullMessages after content nested %d levels", depth).isEqualTo(Status.Code.OK);
      }
    }
  }

  /**
   * message-svc: a google.protobuf.Value number that is NaN or infinite in custom content makes
   * SendMessage fail INTERNAL "internal error", logged as ERROR ExceptionMappingServerInterceptor
   * "SendMessage failed unexpectedly" with "IllegalArgumentException: google.protobuf.Value cannot
   * encode double values for infinity or nan, because they would be parsed as a string". It must be
   * INVALID_ARGUMENT naming content.custom.data (JSON, and so every REST reader, has no such number).
   */
  @Test
  void customContentWithANanOrInfiniteNumberIsInvalidArgumentNotInternal() {
    for (double number : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
      Status sent = send("number-" + number, Struct.newBuilder()
          .putFields("x", Value.newBuilder().setNumberValue(number).build()).build());
      assertThat(sent.getCode()).as("SendMessage with %s in custom content: %s", number, sent)
          .isEqualTo(Status.Code.INVALID_ARGUMENT);
    }
  }

  /** Alice sends bob a custom message with {@code data}. */
  private Status send(String clientMsgId, Struct data) {
    SendMessageRequest request = SendMessageRequest.newBuilder()
        .setToUserId(fixture.ids().get("user").get(1))
        .setClientMsgId(clientMsgId)
        .setContent(MessageContent.newBuilder().setCustom(CustomContent.newBuilder().setType("probe").setData(data)))
        .build();
    return DynamicCalls.call(parley.channel(), SEND, fixture.authorizations().get(0),
        RandomMessages.convert(SEND.getInputType(), request), "finding-" + clientMsgId, options());
  }

  private Status readAsBob(MethodDescriptor method, com.google.protobuf.Message request) {
    return DynamicCalls.call(parley.channel(), method, fixture.authorizations().get(1),
        RandomMessages.convert(method.getInputType(), request), "finding-read", options());
  }

  private String conversation() {
    return ParleyRest.privateConversation(fixture.ids().get("user").get(0), fixture.ids().get("user").get(1));
  }

  private static CallOptions options() {
    return CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS);
  }

  private static MethodDescriptor method(String name) {
    return MessageServiceProto.getDescriptor().findServiceByName("MessageService").findMethodByName(name);
  }
}
