package io.parley.session;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.parley.session.v1.SessionRecord;
import java.nio.charset.StandardCharsets;

/**
 * How a {@link SessionRecord} is written to the store: compact protobuf (the default) or JSON,
 * readable with {@code redis-cli}. Never Java serialization. Reading accepts both, so a
 * deployment can switch without migrating. The user and session ids and the terminal are left out
 * of the stored bytes, since the key, the field and the meta line already hold them.
 */
public enum SessionRecordCodec {
  PROTOBUF,
  JSON;

  private static final JsonFormat.Printer PRINTER = JsonFormat.printer().omittingInsignificantWhitespace();
  private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();

  byte[] encode(SessionRecord record) {
    SessionRecord stripped = record.toBuilder().clearUserId().clearSessionId().clearTerminal().build();
    if (this == PROTOBUF) {
      return stripped.toByteArray();
    }
    try {
      return PRINTER.print(stripped).getBytes(StandardCharsets.UTF_8);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("cannot print a session record as JSON", e);
    }
  }

  static SessionRecord decode(byte[] bytes, String userId, String sessionId) {
    try {
      SessionRecord.Builder builder = SessionRecord.newBuilder();
      if (bytes.length > 0 && bytes[0] == '{') {
        PARSER.merge(new String(bytes, StandardCharsets.UTF_8), builder);
      } else {
        builder.mergeFrom(bytes);
      }
      return builder.setUserId(userId).setSessionId(sessionId).build();
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("corrupt session record for session " + sessionId, e);
    }
  }
}
