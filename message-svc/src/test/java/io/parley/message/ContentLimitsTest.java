package io.parley.message;

import static io.parley.message.Errors.assertFails;
import static io.parley.message.Errors.violatedFields;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.ListValue;
import com.google.protobuf.Message;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import io.grpc.CallOptions;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
import io.parley.common.v1.ErrorReason;
import io.parley.data.Ids;
import io.parley.message.store.ConversationId;
import io.parley.message.v1.Conversation;
import io.parley.message.v1.CustomContent;
import io.parley.message.v1.Event;
import io.parley.message.v1.ListConversationsRequest;
import io.parley.message.v1.ListConversationsResponse;
import io.parley.message.v1.MessageContent;
import io.parley.message.v1.MessageServiceGrpc;
import io.parley.message.v1.PullMessagesRequest;
import io.parley.message.v1.PullMessagesResponse;
import io.parley.message.v1.SendMessageRequest;
import io.parley.message.v1.SendMessageResponse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What is stored can always be read (#13.1). Custom content nested 47 levels deep used to be
 * accepted and then fail the recipient's ListConversations for as long as it was the last message
 * (the response nests it two levels deeper than the request, past protobuf's 100), and content
 * nested 48 deep failed the send UNKNOWN without a reason. Here content at its depth and size
 * limits goes out and comes back through every read path with the real protobuf encoding (a server
 * on a TCP port) and as the REST gateway decodes and prints it; past them, the send fails naming
 * the field, and a request protobuf cannot decode fails INVALID_ARGUMENT.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ContentLimitsTest {
  /** The gateway's JSON (gateway-rest's ProtoJson): every field, on one line. */
  private static final JsonFormat.Printer GATEWAY_JSON =
      JsonFormat.printer().includingDefaultValueFields().omittingInsignificantWhitespace();

  final MessageRig rig = startRig();

  /** The rig every test of the class shares: on the memory store, over TCP, here. */
  MessageRig startRig() {
    return MessageRig.overTcp();
  }

  @AfterAll
  void closeRig() {
    rig.close();
  }

  /** Objects nested {@code depth} deep, {@code data} itself the first: the deepest protobuf per level. */
  static Struct objects(int depth) {
    Struct data = Struct.newBuilder().putFields("leaf", text("x")).build();
    for (int level = 1; level < depth; level++) {
      data = Struct.newBuilder().putFields("o", Value.newBuilder().setStructValue(data).build()).build();
    }
    return data;
  }

  /** Arrays nested inside {@code data} to a depth of {@code depth}, {@code data} itself the first. */
  static Struct arrays(int depth) {
    Value value = text("x");
    for (int level = 1; level < depth; level++) {
      value = Value.newBuilder().setListValue(ListValue.newBuilder().addValues(value)).build();
    }
    return Struct.newBuilder().putFields("l", value).build();
  }

  /** {@code {"s":"xx…"}}, exactly {@code bytes} long as JSON. */
  static Struct jsonOfExactly(int bytes) {
    Struct data = Struct.newBuilder().putFields("s", text("x".repeat(bytes - 8))).build();
    assertThat(json(data).getBytes(StandardCharsets.UTF_8)).hasSize(bytes);
    return data;
  }

  /** Objects nested to the depth limit, padded to the size limit as JSON. */
  static Struct deepAndLarge() {
    Struct deep = objects(SendRequests.MAX_CUSTOM_DATA_DEPTH);
    int padding = SendRequests.MAX_CUSTOM_DATA_JSON_BYTES - json(deep).getBytes(StandardCharsets.UTF_8).length
        - ",\"pad\":\"\"".length();
    Struct data = deep.toBuilder().putFields("pad", text("p".repeat(padding))).build();
    assertThat(json(data).getBytes(StandardCharsets.UTF_8)).hasSize(SendRequests.MAX_CUSTOM_DATA_JSON_BYTES);
    return data;
  }

  private static Value text(String s) {
    return Value.newBuilder().setStringValue(s).build();
  }

  private static String json(Message message) {
    try {
      return JsonFormat.printer().omittingInsignificantWhitespace().print(message);
    } catch (InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
  }

  static SendMessageRequest custom(User to, Struct data) {
    return SendMessageRequest.newBuilder()
        .setToUserId(to.id())
        .setClientMsgId(Ids.newId("c"))
        .setContent(MessageContent.newBuilder().setCustom(CustomContent.newBuilder().setType("card").setData(data)))
        .build();
  }

  private String conversation(User a, User b) {
    return ConversationId.ofUsers(a.id(), b.id()).value();
  }

  /**
   * {@code response} as the REST gateway turns it into JSON: decoded from its bytes into a
   * DynamicMessage by grpc's protobuf marshaller (its recursion limit included), printed; and read
   * back by a client's JSON parser into the generated type.
   */
  @SuppressWarnings("unchecked")
  private static <T extends Message> T throughTheGateway(T response) throws Exception {
    MethodDescriptor.Marshaller<DynamicMessage> marshaller =
        ProtoUtils.marshaller(DynamicMessage.getDefaultInstance(response.getDescriptorForType()));
    DynamicMessage decoded;
    try (InputStream bytes = new ByteArrayInputStream(response.toByteArray())) {
      decoded = marshaller.parse(bytes);
    }
    String json = GATEWAY_JSON.print(decoded);
    Message.Builder client = response.newBuilderForType();
    JsonFormat.parser().merge(json, client);
    return (T) client.build();
  }

  static Stream<Arguments> atTheLimits() {
    return Stream.of(
        Arguments.of("objects 16 deep", objects(SendRequests.MAX_CUSTOM_DATA_DEPTH)),
        Arguments.of("arrays 16 deep", arrays(SendRequests.MAX_CUSTOM_DATA_DEPTH)),
        Arguments.of("16 KiB of JSON", jsonOfExactly(SendRequests.MAX_CUSTOM_DATA_JSON_BYTES)),
        Arguments.of("objects 16 deep in 16 KiB of JSON", deepAndLarge()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("atTheLimits")
  void customContentAtTheLimitsIsReadThroughEveryPath(String name, Struct data) throws Exception {
    User[] pair = rig.friendsPair();
    EventStream stream = EventStream.subscribed(rig.asyncAs(pair[1]));
    try {
      SendMessageRequest request = custom(pair[1], data);
      // The gateway's request path: JSON into a DynamicMessage, then protobuf.
      DynamicMessage.Builder fromJson = DynamicMessage.newBuilder(SendMessageRequest.getDescriptor());
      JsonFormat.parser().merge(GATEWAY_JSON.print(request), fromJson);
      assertThat(SendMessageRequest.parseFrom(fromJson.build().toByteArray())).isEqualTo(request);

      SendMessageResponse sent = rig.as(pair[0]).sendMessage(request);

      PullMessagesResponse pulled = rig.as(pair[1]).pullMessages(
          PullMessagesRequest.newBuilder().setConversationId(sent.getConversationId()).build());
      assertThat(pulled.getMessages(0).getContent().getCustom().getData()).isEqualTo(data);
      ListConversationsResponse listed =
          rig.as(pair[1]).listConversations(ListConversationsRequest.getDefaultInstance());
      Conversation first = listed.getConversations(0);
      assertThat(first.getLastMessage().getMessageId()).isEqualTo(sent.getMessageId());
      assertThat(first.getLastMessage().getContent().getCustom().getData()).isEqualTo(data);
      Event pushed = stream.next();
      assertThat(pushed.getMessage().getContent().getCustom().getData()).isEqualTo(data);

      // The REST gateway's JSON responses, and its Server-Sent Events (one Event as JSON each).
      assertThat(throughTheGateway(pulled)).isEqualTo(pulled);
      assertThat(throughTheGateway(listed)).isEqualTo(listed);
      assertThat(throughTheGateway(pushed)).isEqualTo(pushed);
    } finally {
      stream.cancel();
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"objects", "arrays"})
  void customContentNestedOnePastTheLimitIsRefusedNamingTheField(String shape) {
    User[] pair = rig.friendsPair();
    int depth = SendRequests.MAX_CUSTOM_DATA_DEPTH + 1;
    Struct data = shape.equals("objects") ? objects(depth) : arrays(depth);

    Throwable thrown = assertFails(() -> rig.as(pair[0]).sendMessage(custom(pair[1], data)),
        Status.Code.INVALID_ARGUMENT, ErrorReason.INVALID_ARGUMENT);

    assertThat(violatedFields(thrown)).containsExactly("content.custom.data");
    assertThat(rig.as(pair[1]).pullMessages(PullMessagesRequest.newBuilder()
        .setConversationId(conversation(pair[0], pair[1])).build()).getMessagesList()).isEmpty();
  }

  @Test
  void contentNestedAsDeepAsProtobufDecodesIsRefusedNamingTheField() {
    User[] pair = rig.friendsPair();
    // 47 arrays inside data: the deepest request protobuf decodes (99 nested messages), and the
    // depth that used to break the recipient's ListConversations.
    Throwable thrown = assertFails(() -> rig.as(pair[0]).sendMessage(custom(pair[1], arrays(48))),
        Status.Code.INVALID_ARGUMENT, ErrorReason.INVALID_ARGUMENT);
    assertThat(violatedFields(thrown)).containsExactly("content.custom.data");
    assertThat(rig.as(pair[1]).listConversations(ListConversationsRequest.getDefaultInstance())
        .getConversationsList()).isEmpty();
  }

  @ParameterizedTest(name = "{0} levels")
  @ValueSource(ints = {49, 60, 500})
  void contentNestedDeeperThanProtobufDecodesIsInvalidArgumentNotUnknown(int depth) {
    User[] pair = rig.friendsPair();
    Throwable thrown = assertFails(() -> rig.as(pair[0]).sendMessage(custom(pair[1], arrays(depth))),
        Status.Code.INVALID_ARGUMENT, ErrorReason.INVALID_ARGUMENT);
    assertThat(Status.fromThrowable(thrown).getDescription())
        .contains("parley.message.v1.MessageService/SendMessage cannot be decoded")
        .contains("more than 100 deep");
  }

  @Test
  void bytesThatAreNotProtobufAreInvalidArgumentNotUnknown() {
    User user = rig.user();
    MethodDescriptor<byte[], byte[]> raw = MessageServiceGrpc.getSendMessageMethod().toBuilder(
        RAW, RAW).build();
    // Field 1 (to_user_id) as a string whose length runs past the end of the message.
    byte[] truncated = {0x0a, 0x7f, 'u'};

    assertFails(() -> ClientCalls.blockingUnaryCall(rig.replica.channel(), raw,
            CallOptions.DEFAULT.withCallCredentials(user.credentials()), truncated),
        Status.Code.INVALID_ARGUMENT, ErrorReason.INVALID_ARGUMENT);
  }

  private static final MethodDescriptor.Marshaller<byte[]> RAW = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  };

  @Test
  void customDataLargerInProtobufThanAllowedIsPayloadTooLargeThoughItsJsonIsSmaller() {
    User[] pair = rig.friendsPair();
    // Small numbers: 4 bytes each as JSON ("0.0,"), 11 in protobuf.
    ListValue.Builder zeros = ListValue.newBuilder();
    for (int i = 0; i < 2000; i++) {
      zeros.addValues(Value.newBuilder().setNumberValue(0));
    }
    Struct data = Struct.newBuilder().putFields("z", Value.newBuilder().setListValue(zeros).build()).build();
    assertThat(json(data).length()).isLessThan(SendRequests.MAX_CUSTOM_DATA_JSON_BYTES);
    assertThat(data.getSerializedSize()).isGreaterThan(SendRequests.MAX_CUSTOM_DATA_PROTO_BYTES);

    Throwable thrown = assertFails(() -> rig.as(pair[0]).sendMessage(custom(pair[1], data)),
        Status.Code.INVALID_ARGUMENT, ErrorReason.PAYLOAD_TOO_LARGE);
    assertThat(violatedFields(thrown)).containsExactly("content.custom.data");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(doubles = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY})
  void numbersJsonCannotCarryAreRefusedSinceTheGatewayCouldNotPrintThem(double number) {
    User[] pair = rig.friendsPair();
    Struct data = Struct.newBuilder().putFields("n", Value.newBuilder().setNumberValue(number).build()).build();
    Throwable thrown = assertFails(() -> rig.as(pair[0]).sendMessage(custom(pair[1], data)),
        Status.Code.INVALID_ARGUMENT, ErrorReason.INVALID_ARGUMENT);
    assertThat(violatedFields(thrown)).containsExactly("content.custom.data");
  }

  @Test
  void aPullOfLargeMessagesStopsNearOneMebibyteAndSaysThereIsMore() {
    User[] pair = rig.friendsPair();
    int count = 120;
    for (int i = 0; i < count; i++) {
      rig.as(pair[0]).sendMessage(custom(pair[1], jsonOfExactly(SendRequests.MAX_CUSTOM_DATA_JSON_BYTES)));
    }
    String id = conversation(pair[0], pair[1]);

    PullMessagesResponse page = rig.as(pair[1]).pullMessages(
        PullMessagesRequest.newBuilder().setConversationId(id).setLimit(200).build());
    assertThat(page.getMessagesCount()).isBetween(2, count - 1);
    assertThat(page.getHasMore()).isTrue();
    // The budget counts each message and its tag and length; has_more and last_seq add a few bytes.
    assertThat(page.getSerializedSize()).isLessThanOrEqualTo(MessageGrpcService.MAX_PULL_BYTES + 16);

    List<Long> seqs = new ArrayList<>();
    page.getMessagesList().forEach(m -> seqs.add(m.getSeq()));
    while (page.getHasMore()) {
      page = rig.as(pair[1]).pullMessages(PullMessagesRequest.newBuilder().setConversationId(id).setLimit(200)
          .setAfterSeq(seqs.get(seqs.size() - 1)).build());
      page.getMessagesList().forEach(m -> seqs.add(m.getSeq()));
    }
    assertThat(seqs).hasSize(count).doesNotHaveDuplicates().isSorted();
  }

  @Test
  void aFullPageOfConversationsWhoseLastMessagesAreAtTheSizeLimitIsReadable() {
    User reader = rig.user();
    Struct data = deepAndLarge();
    for (int i = 0; i < MessageGrpcService.MAX_PAGE_SIZE; i++) {
      User peer = rig.user();
      rig.friends().befriend(peer.id(), reader.id());
      rig.as(peer).sendMessage(custom(reader, data).toBuilder()
          .setClientMsgId("c".repeat(SendRequests.MAX_CLIENT_MSG_ID_CHARS)).build());
    }

    ListConversationsResponse page = rig.as(reader).listConversations(
        ListConversationsRequest.newBuilder().setPageSize(MessageGrpcService.MAX_PAGE_SIZE).build());

    assertThat(page.getConversationsList()).hasSize(MessageGrpcService.MAX_PAGE_SIZE)
        .allSatisfy(c -> assertThat(c.getLastMessage().getContent().getCustom().getData()).isEqualTo(data));
  }
}
