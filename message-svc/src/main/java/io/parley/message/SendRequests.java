package io.parley.message;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import io.parley.common.v1.ErrorReason;
import io.parley.data.Ids;
import io.parley.data.UserText;
import io.parley.error.FieldViolations;
import io.parley.error.ParleyException;
import io.parley.message.v1.CustomContent;
import io.parley.message.v1.FileContent;
import io.parley.message.v1.ImageContent;
import io.parley.message.v1.MessageContent;
import io.parley.message.v1.SendMessageRequest;
import io.parley.message.v1.TextContent;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * The shape rules of a {@link SendMessageRequest}, checked before anyone is asked anything, and the
 * content to store. Field names in violations are the proto's, e.g. {@code content.text}.
 *
 * <p><b>What is accepted can always be read.</b> A stored message travels in PullMessagesResponse,
 * in ListConversationsResponse (as a conversation's last message), in a Subscribe event, and as
 * JSON through the REST gateway; each of them is decoded by protobuf code that stops at 100 nested
 * messages, and custom data is the one part of a message whose nesting a sender chooses. Its
 * objects and arrays may nest {@value #MAX_CUSTOM_DATA_DEPTH} deep: in protobuf, an object costs up
 * to three levels (Struct, map entry, Value) and an array two, so data at the limit reaches 47
 * levels below itself, 52 below a ListConversationsResponse, leaving the rest of the 100 to clients
 * that wrap messages in their own. Its size is bounded both as JSON (what the gateway prints) and
 * in protobuf (what is stored and sent), so that a message is at most about 23 KiB whatever its
 * kind (custom data, a 64-character type and client_msg_id, 100 mentions), and a page of 100
 * conversations at most about 2.3 MiB, within gRPC's default 4 MiB; a pull of up to 200 messages
 * stops at {@link MessageGrpcService#MAX_PULL_BYTES}.
 *
 * <p>Text is a {@linkplain UserText#body body}: it keeps what emoji sequences and scripts need
 * (joiners, variation selectors, tags, directional marks) and refuses control characters but line
 * breaks and tabs, and the bidirectional controls that would reorder what surrounds it. File and
 * image names are {@linkplain UserText#label labels}, since a client shows them next to an icon
 * and a right-to-left override there is the classic way to disguise {@code invoice.exe}.
 */
final class SendRequests {
  static final int MAX_TEXT_BYTES = 4 * 1024;
  /** The most bytes of custom data once encoded as JSON (what the gateway prints), as the proto says. */
  static final int MAX_CUSTOM_DATA_JSON_BYTES = 16 * 1024;
  /**
   * The most bytes of custom data in protobuf (what is stored and sent): JSON of 16 KiB takes a
   * little more or less, and only arrays of small numbers take several times more.
   */
  static final int MAX_CUSTOM_DATA_PROTO_BYTES = 20 * 1024;
  /** How deep custom data's objects and arrays may nest, data itself being the first level. */
  static final int MAX_CUSTOM_DATA_DEPTH = 16;
  static final int MAX_CLIENT_MSG_ID_CHARS = 64;
  static final int MAX_MENTIONS = 100;
  static final int MAX_URL_CHARS = 2048;

  static final UserText TEXT = UserText.body(MAX_TEXT_BYTES, MAX_TEXT_BYTES);
  static final UserText FILE_NAME = UserText.label(255, 1024);
  static final UserText MIME_TYPE = UserText.label(255, 255);
  static final UserText CUSTOM_TYPE = UserText.name(64, 256);
  /** What a URL may hold: a client may show it as a link, where an override would disguise it. */
  static final UserText URL = UserText.label(MAX_URL_CHARS, 4 * MAX_URL_CHARS);

  private static final JsonFormat.Printer JSON = JsonFormat.printer().omittingInsignificantWhitespace();

  private SendRequests() {}

  /**
   * Checks the request of {@code senderId} and answers the content to store: the request's, with
   * its text and names normalized as their rules say.
   *
   * @throws ParleyException INVALID_ARGUMENT naming every invalid field, or else PAYLOAD_TOO_LARGE
   *     naming the content field over its limit
   */
  static MessageContent validate(SendMessageRequest request, String senderId) {
    FieldViolations violations = new FieldViolations();
    switch (request.getTargetCase()) {
      case TO_USER_ID -> {
        if (violations.check(Ids.isValid(request.getToUserId(), "u"), "to_user_id", "not a user id")) {
          violations.check(!request.getToUserId().equals(senderId), "to_user_id",
              "cannot send a message to yourself");
        }
        violations.check(request.getMentionUserIdsCount() == 0, "mention_user_ids", "only for group messages");
        violations.check(!request.getMentionAll(), "mention_all", "only for group messages");
      }
      case TO_GROUP_ID -> violations.check(Ids.isValid(request.getToGroupId(), "g"), "to_group_id", "not a group id");
      default -> violations.add("to_user_id", "to_user_id or to_group_id is required");
    }
    violations.check(request.getReplyToSeq() >= 0, "reply_to_seq", "must not be negative");
    String clientMsgId = request.getClientMsgId();
    int chars = clientMsgId.codePointCount(0, clientMsgId.length());
    violations.check(chars >= 1 && chars <= MAX_CLIENT_MSG_ID_CHARS && clientMsgId.chars().noneMatch(Character::isISOControl),
        "client_msg_id", "must be 1-" + MAX_CLIENT_MSG_ID_CHARS + " characters, without control characters");
    List<String> mentions = request.getMentionUserIdsList();
    if (violations.check(mentions.size() <= MAX_MENTIONS, "mention_user_ids", "at most " + MAX_MENTIONS)) {
      for (int i = 0; i < mentions.size(); i++) {
        violations.check(Ids.isValid(mentions.get(i), "u"), "mention_user_ids[" + i + "]", "not a user id");
      }
    }
    ContentCheck check = new ContentCheck(violations);
    MessageContent content = check.content(request.getContent());
    violations.throwIfAny();
    if (check.tooLarge != null) {
      throw check.tooLarge;
    }
    return content;
  }

  /**
   * Checks the content of an edit of a message of the given kind, by the rules of a send, and
   * answers the content to store.
   *
   * @throws ParleyException INVALID_ARGUMENT naming every invalid field (content of another kind
   *     included), or else PAYLOAD_TOO_LARGE naming the content field over its limit
   */
  static MessageContent validateEdit(MessageContent content, MessageContent.KindCase kind) {
    FieldViolations violations = new FieldViolations();
    ContentCheck check = new ContentCheck(violations);
    MessageContent stored = check.content(content);
    if (content.getKindCase() != MessageContent.KindCase.KIND_NOT_SET) {
      violations.check(content.getKindCase() == kind, "content",
          "must be of the message's kind, " + kind.name().toLowerCase(Locale.ROOT));
    }
    violations.throwIfAny();
    if (check.tooLarge != null) {
      throw check.tooLarge;
    }
    return stored;
  }

  /**
   * The checks of a message's content: invalid fields go to the request's violations, and a field
   * over its size limit (only one can be: content has one kind) to {@link #tooLarge}, thrown only
   * if nothing else is wrong. Not thread-safe; one per request.
   */
  private static final class ContentCheck {
    private final FieldViolations violations;
    ParleyException tooLarge;

    ContentCheck(FieldViolations violations) {
      this.violations = violations;
    }

    private void tooLarge(String field, String description) {
      tooLarge = ParleyException.builder(ErrorReason.PAYLOAD_TOO_LARGE)
          .message(field + ": " + description)
          .violation(field, description)
          .build();
    }

    /** The content to store: {@code content} with its text and names as their rules store them. */
    MessageContent content(MessageContent content) {
      MessageContent.Builder out = content.toBuilder();
      switch (content.getKindCase()) {
        case TEXT -> {
          String text = content.getText().getText();
          if (!violations.check(!text.isEmpty(), "content.text", "must not be empty")) {
            break;
          }
          if (content.getText().getTextBytes().size() > MAX_TEXT_BYTES) {
            tooLarge("content.text", "at most " + MAX_TEXT_BYTES + " bytes of UTF-8");
            break;
          }
          String stored = TEXT.check(violations, "content.text", text);
          if (stored != null) {
            out.setText(TextContent.newBuilder().setText(stored));
          }
        }
        case IMAGE -> {
          ImageContent image = content.getImage();
          url(image.getUrl(), "content.image.url", violations);
          violations.check(image.getSizeBytes() >= 0, "content.image.size_bytes", "must not be negative");
          violations.check(image.getWidth() >= 0, "content.image.width", "must not be negative");
          violations.check(image.getHeight() >= 0, "content.image.height", "must not be negative");
          String mimeType = MIME_TYPE.check(violations, "content.image.mime_type", image.getMimeType());
          String name = FILE_NAME.check(violations, "content.image.name", image.getName());
          if (mimeType != null && name != null) {
            out.setImage(image.toBuilder().setMimeType(mimeType).setName(name));
          }
        }
        case FILE -> {
          FileContent file = content.getFile();
          url(file.getUrl(), "content.file.url", violations);
          violations.check(file.getSizeBytes() >= 0, "content.file.size_bytes", "must not be negative");
          String mimeType = MIME_TYPE.check(violations, "content.file.mime_type", file.getMimeType());
          String name = FILE_NAME.check(violations, "content.file.name", file.getName());
          if (name != null && violations.check(!name.isEmpty(), "content.file.name", "must not be empty")
              && mimeType != null) {
            out.setFile(file.toBuilder().setMimeType(mimeType).setName(name));
          }
        }
        case CUSTOM -> {
          CustomContent custom = content.getCustom();
          String type = CUSTOM_TYPE.check(violations, "content.custom.type", custom.getType());
          customData(custom.getData());
          if (type != null) {
            out.setCustom(custom.toBuilder().setType(type));
          }
        }
        default -> violations.add("content", "exactly one of text, image, file or custom is required");
      }
      return out.build();
    }

    /**
     * Custom data: its protobuf size first (cheap, and a bound on the work that follows), then how
     * deep it nests and whether its numbers are finite (JSON has no NaN or infinity, so the gateway
     * could not print it), then its size as JSON.
     */
    private void customData(Struct data) {
      String field = "content.custom.data";
      String size = "at most " + MAX_CUSTOM_DATA_JSON_BYTES + " bytes once encoded as JSON, and "
          + MAX_CUSTOM_DATA_PROTO_BYTES + " in protobuf";
      if (data.getSerializedSize() > MAX_CUSTOM_DATA_PROTO_BYTES) {
        tooLarge(field, size);
        return;
      }
      DataShape shape = new DataShape();
      shape.struct(data, 1);
      boolean valid = violations.check(shape.depth <= MAX_CUSTOM_DATA_DEPTH, field,
          "objects and arrays may nest at most " + MAX_CUSTOM_DATA_DEPTH + " deep, data itself included");
      valid &= violations.check(!shape.nonFinite, field, "numbers must be finite: JSON has no NaN or infinity");
      if (valid && jsonBytes(data) > MAX_CUSTOM_DATA_JSON_BYTES) {
        tooLarge(field, size);
      }
    }
  }

  /**
   * How deep a Struct's objects and arrays nest (looking no deeper than one level past the limit),
   * and whether it holds a NaN or an infinite number. Not thread-safe; one per check.
   */
  private static final class DataShape {
    int depth;
    boolean nonFinite;

    void struct(Struct struct, int level) {
      if (enter(level)) {
        struct.getFieldsMap().values().forEach(value -> value(value, level));
      }
    }

    void list(ListValue list, int level) {
      if (enter(level)) {
        list.getValuesList().forEach(value -> value(value, level));
      }
    }

    private boolean enter(int level) {
      depth = Math.max(depth, level);
      return level <= MAX_CUSTOM_DATA_DEPTH;
    }

    private void value(Value value, int level) {
      switch (value.getKindCase()) {
        case NUMBER_VALUE -> nonFinite |= !Double.isFinite(value.getNumberValue());
        case STRUCT_VALUE -> struct(value.getStructValue(), level + 1);
        case LIST_VALUE -> list(value.getListValue(), level + 1);
        default -> {
          // null, string, bool: a leaf
        }
      }
    }
  }

  /** The size of {@code data} as JSON, without insignificant white space. */
  private static int jsonBytes(Struct data) {
    try {
      return JSON.print(data).getBytes(StandardCharsets.UTF_8).length;
    } catch (InvalidProtocolBufferException e) {
      // Finite numbers and a bounded depth always print; refuse anything else rather than store it.
      return Integer.MAX_VALUE;
    }
  }

  private static void url(String url, String field, FieldViolations violations) {
    if (!violations.check(!url.isEmpty() && url.length() <= MAX_URL_CHARS, field,
        "must be 1-" + MAX_URL_CHARS + " characters") || URL.check(violations, field, url) == null) {
      return;
    }
    boolean valid;
    try {
      URI uri = new URI(url);
      valid = ("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()))
          && uri.getHost() != null;
    } catch (URISyntaxException e) {
      valid = false;
    }
    violations.check(valid, field, "must be an http or https URL");
  }
}
