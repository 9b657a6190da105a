package io.parley.message;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.parley.common.v1.ErrorReason;
import io.parley.data.Ids;
import io.parley.error.FieldViolations;
import io.parley.error.ParleyException;
import io.parley.message.v1.CustomContent;
import io.parley.message.v1.FileContent;
import io.parley.message.v1.ImageContent;
import io.parley.message.v1.MessageContent;
import io.parley.message.v1.SendMessageRequest;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The shape rules of a {@link SendMessageRequest}, checked before anyone is asked anything. Field
 * names in violations are the proto's, e.g. {@code content.text}.
 */
final class SendRequests {
  static final int MAX_TEXT_BYTES = 4 * 1024;
  static final int MAX_CUSTOM_JSON_BYTES = 16 * 1024;
  static final int MAX_CLIENT_MSG_ID_CHARS = 64;
  static final int MAX_MENTIONS = 100;
  static final int MAX_URL_CHARS = 2048;
  static final int MAX_NAME_CHARS = 255;
  static final int MAX_CUSTOM_TYPE_CHARS = 64;

  private static final JsonFormat.Printer JSON = JsonFormat.printer().omittingInsignificantWhitespace();

  private SendRequests() {}

  /**
   * Checks the request of {@code senderId}.
   *
   * @throws ParleyException INVALID_ARGUMENT naming every invalid field, or else PAYLOAD_TOO_LARGE
   *     naming the content field over its limit
   */
  static void validate(SendMessageRequest request, String senderId) {
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
    ParleyException tooLarge = content(request.getContent(), violations);
    violations.throwIfAny();
    if (tooLarge != null) {
      throw tooLarge;
    }
  }

  /** Records invalid content fields; returns the PAYLOAD_TOO_LARGE error to throw if the shape is fine. */
  private static ParleyException content(MessageContent content, FieldViolations violations) {
    switch (content.getKindCase()) {
      case TEXT -> {
        String text = content.getText().getText();
        if (violations.check(!text.isEmpty(), "content.text", "must not be empty")
            && content.getText().getTextBytes().size() > MAX_TEXT_BYTES) {
          return tooLarge("content.text", "at most " + MAX_TEXT_BYTES + " bytes of UTF-8");
        }
      }
      case IMAGE -> {
        ImageContent image = content.getImage();
        url(image.getUrl(), "content.image.url", violations);
        violations.check(image.getSizeBytes() >= 0, "content.image.size_bytes", "must not be negative");
        violations.check(image.getWidth() >= 0, "content.image.width", "must not be negative");
        violations.check(image.getHeight() >= 0, "content.image.height", "must not be negative");
        violations.check(image.getMimeType().length() <= MAX_NAME_CHARS, "content.image.mime_type",
            "at most " + MAX_NAME_CHARS + " characters");
        violations.check(image.getName().length() <= MAX_NAME_CHARS, "content.image.name",
            "at most " + MAX_NAME_CHARS + " characters");
      }
      case FILE -> {
        FileContent file = content.getFile();
        url(file.getUrl(), "content.file.url", violations);
        violations.check(file.getSizeBytes() >= 0, "content.file.size_bytes", "must not be negative");
        violations.check(file.getMimeType().length() <= MAX_NAME_CHARS, "content.file.mime_type",
            "at most " + MAX_NAME_CHARS + " characters");
        violations.check(!file.getName().isEmpty() && file.getName().length() <= MAX_NAME_CHARS, "content.file.name",
            "must be 1-" + MAX_NAME_CHARS + " characters");
      }
      case CUSTOM -> {
        CustomContent custom = content.getCustom();
        violations.check(!custom.getType().isEmpty() && custom.getType().length() <= MAX_CUSTOM_TYPE_CHARS,
            "content.custom.type", "must be 1-" + MAX_CUSTOM_TYPE_CHARS + " characters");
        if (jsonBytes(custom) > MAX_CUSTOM_JSON_BYTES) {
          return tooLarge("content.custom.data", "at most " + MAX_CUSTOM_JSON_BYTES + " bytes once encoded as JSON");
        }
      }
      default -> violations.add("content", "exactly one of text, image, file or custom is required");
    }
    return null;
  }

  private static int jsonBytes(CustomContent custom) {
    if (!custom.hasData()) {
      return 2;
    }
    // A Struct's protobuf encoding is at most about 6 times its JSON (a list of one-digit
    // numbers: 11 bytes against 2), so anything 8 times over is surely too large: skip printing it.
    if (custom.getData().getSerializedSize() > 8 * MAX_CUSTOM_JSON_BYTES) {
      return Integer.MAX_VALUE;
    }
    try {
      return JSON.print(custom.getData()).getBytes(StandardCharsets.UTF_8).length;
    } catch (InvalidProtocolBufferException e) {
      // A Struct always prints, short of a NaN or infinite number value.
      return Integer.MAX_VALUE;
    }
  }

  private static void url(String url, String field, FieldViolations violations) {
    if (!violations.check(!url.isEmpty() && url.length() <= MAX_URL_CHARS, field,
        "must be 1-" + MAX_URL_CHARS + " characters")) {
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

  private static ParleyException tooLarge(String field, String description) {
    return ParleyException.builder(ErrorReason.PAYLOAD_TOO_LARGE)
        .message(field + ": " + description)
        .violation(field, description)
        .build();
  }
}
