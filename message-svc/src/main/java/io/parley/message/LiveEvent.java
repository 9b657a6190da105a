package io.parley.message;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.util.Objects.requireNonNull;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import io.parley.message.store.ConversationId;
import io.parley.message.v1.Event;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A live event of a conversation, as every replica hears it: a new message, an edit, a reaction, a
 * recall, a read receipt, a typing signal, a settings change or a deletion for oneself, and whom to
 * push it to; or a user's presence, which belongs to no conversation and goes to the streams that
 * watch the user ({@link PresenceTracker}). message-svc appends these to its event log ({@link
 * LiveEvents}) once the change they announce is committed; this is the log entries' codec.
 *
 * <p>One event's wire form is a small header and the {@link Event} as clients receive it, so that a
 * replica parses it once and hands the same object to every subscriber:
 *
 * <pre>
 *   0x01 | len | origin session id (ASCII) | len | audience user id (ASCII) | Event (protobuf)
 * </pre>
 *
 * <p>Several events published together (the events of one committed batch, in order) are one
 * frame: {@code 0x02 | count (varint) | (length (varint) | one event's wire form) × count}. {@link
 * #decodeAll} reads either form.
 *
 * @param originSessionId the session whose action caused the event, which is not pushed the
 *     event back; empty if none
 * @param audienceUserId the only user to push the event to; empty for every participant of the
 *     conversation
 * @param event what subscribers receive
 */
public record LiveEvent(String originSessionId, String audienceUserId, Event event) {
  private static final byte VERSION = 1;
  private static final byte BATCH = 2;

  public LiveEvent {
    checkAscii(requireNonNull(originSessionId, "originSessionId"), "originSessionId");
    checkAscii(requireNonNull(audienceUserId, "audienceUserId"), "audienceUserId");
    requireNonNull(event, "event");
    if (event.getKindCase() != Event.KindCase.MESSAGE && event.getKindCase() != Event.KindCase.RECALL
        && event.getKindCase() != Event.KindCase.EDIT && event.getKindCase() != Event.KindCase.REACTION
        && event.getKindCase() != Event.KindCase.READ_RECEIPT && event.getKindCase() != Event.KindCase.TYPING
        && event.getKindCase() != Event.KindCase.SETTINGS_CHANGED
        && event.getKindCase() != Event.KindCase.DELETED_FOR_ME
        && event.getKindCase() != Event.KindCase.PRESENCE) {
      throw new IllegalArgumentException("a live event is a message, an edit, a reaction, a recall, a read receipt, "
          + "a typing signal, a settings change, a deletion for oneself or a presence: "
          + event.getKindCase());
    }
  }

  /** The conversation the event belongs to; not for a presence, which has none. */
  public ConversationId conversation() {
    String id = switch (event.getKindCase()) {
      case MESSAGE -> event.getMessage().getConversationId();
      case RECALL -> event.getRecall().getConversationId();
      case EDIT -> event.getEdit().getConversationId();
      case REACTION -> event.getReaction().getConversationId();
      case TYPING -> event.getTyping().getConversationId();
      case SETTINGS_CHANGED -> event.getSettingsChanged().getConversationId();
      case DELETED_FOR_ME -> event.getDeletedForMe().getConversationId();
      default -> event.getReadReceipt().getConversationId();
    };
    return ConversationId.parse(id)
        .orElseThrow(() -> new IllegalStateException("event names a malformed conversation: " + id));
  }

  /** One event's wire prefix, before the {@link Event} bytes. */
  private static byte[] header(String originSessionId, String audienceUserId) {
    byte[] origin = originSessionId.getBytes(US_ASCII);
    byte[] audience = audienceUserId.getBytes(US_ASCII);
    byte[] header = new byte[3 + origin.length + audience.length];
    header[0] = VERSION;
    header[1] = (byte) origin.length;
    System.arraycopy(origin, 0, header, 2, origin.length);
    header[2 + origin.length] = (byte) audience.length;
    System.arraycopy(audience, 0, header, 3 + origin.length, audience.length);
    return header;
  }

  /** One event's wire form: its header followed by the event. */
  public byte[] encode() {
    byte[] header = header(originSessionId, audienceUserId);
    byte[] out = new byte[header.length + event.getSerializedSize()];
    System.arraycopy(header, 0, out, 0, header.length);
    try {
      event.writeTo(CodedOutputStream.newInstance(out, header.length, out.length - header.length));
    } catch (IOException e) {
      throw new IllegalStateException("cannot encode an event", e);
    }
    return out;
  }

  /**
   * Parses the wire form.
   *
   * @throws IllegalArgumentException if {@code bytes} is not an event in this layout
   */
  public static LiveEvent decode(byte[] bytes) {
    try {
      if (bytes.length < 3 || bytes[0] != VERSION) {
        throw new IllegalArgumentException("not a live event (bad version)");
      }
      int originLength = bytes[1] & 0xff;
      String origin = new String(bytes, 2, originLength, US_ASCII);
      int audienceAt = 2 + originLength;
      int audienceLength = bytes[audienceAt] & 0xff;
      String audience = new String(bytes, audienceAt + 1, audienceLength, US_ASCII);
      int eventAt = audienceAt + 1 + audienceLength;
      Event event = Event.parseFrom(CodedInputStream.newInstance(bytes, eventAt, bytes.length - eventAt));
      return new LiveEvent(origin, audience, event);
    } catch (IOException | IndexOutOfBoundsException e) {
      throw new IllegalArgumentException("not a live event: " + e.getMessage(), e);
    }
  }

  /** The wire form of several events in order: one event's own form if there is one, else a frame. */
  public static byte[] encodeAll(List<LiveEvent> events) {
    if (events.isEmpty()) {
      throw new IllegalArgumentException("no events to encode");
    }
    if (events.size() == 1) {
      return events.get(0).encode();
    }
    List<byte[]> encoded = new ArrayList<>(events.size());
    int size = 1 + CodedOutputStream.computeUInt32SizeNoTag(events.size());
    for (LiveEvent event : events) {
      byte[] one = event.encode();
      encoded.add(one);
      size += CodedOutputStream.computeUInt32SizeNoTag(one.length) + one.length;
    }
    byte[] out = new byte[size];
    out[0] = BATCH;
    CodedOutputStream stream = CodedOutputStream.newInstance(out, 1, size - 1);
    try {
      stream.writeUInt32NoTag(events.size());
      for (byte[] one : encoded) {
        stream.writeUInt32NoTag(one.length);
        stream.writeRawBytes(one);
      }
      stream.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new IllegalStateException("cannot encode events", e);
    }
    return out;
  }

  /**
   * Parses one event's wire form or a frame of several, in order.
   *
   * @throws IllegalArgumentException if {@code bytes} is neither
   */
  public static List<LiveEvent> decodeAll(byte[] bytes) {
    if (bytes.length == 0 || bytes[0] != BATCH) {
      return List.of(decode(bytes));
    }
    try {
      CodedInputStream in = CodedInputStream.newInstance(bytes, 1, bytes.length - 1);
      int count = in.readUInt32();
      if (count < 0 || count > bytes.length) {
        throw new IllegalArgumentException("not a frame of live events (bad count " + count + ")");
      }
      List<LiveEvent> events = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        events.add(decode(in.readByteArray()));
      }
      if (!in.isAtEnd()) {
        throw new IllegalArgumentException("not a frame of live events (trailing bytes)");
      }
      return events;
    } catch (IOException e) {
      throw new IllegalArgumentException("not a frame of live events: " + e.getMessage(), e);
    }
  }

  private static void checkAscii(String value, String name) {
    if (value.length() > 255) {
      throw new IllegalArgumentException(name + " is longer than 255 characters");
    }
    for (int i = 0; i < value.length(); i++) {
      if (value.charAt(i) > 127) {
        throw new IllegalArgumentException(name + " must be ASCII: " + value);
      }
    }
  }
}
