package io.parley.message.store;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.util.Objects.requireNonNull;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import io.parley.message.v1.Event;
import java.io.IOException;

/**
 * A live event of a conversation, as every replica hears it from the store: a new message, a
 * recall or a read receipt, and whom to push it to.
 *
 * <p>On the wire (Redis pub/sub) an event is a small header and the {@link Event} as clients
 * receive it, so that a replica parses it once and hands the same object to every subscriber:
 *
 * <pre>
 *   0x01 | len | origin session id (ASCII) | len | audience user id (ASCII) | Event (protobuf)
 * </pre>
 *
 * <p>The append script writes that layout itself (it knows the seq and time only there); {@link
 * #header(String, String)} makes the prefix it is given.
 *
 * @param originSessionId the session whose action caused the event, which is not pushed the
 *     event back; empty if none
 * @param audienceUserId the only user to push the event to; empty for every participant of the
 *     conversation
 * @param event what subscribers receive
 */
public record StoreEvent(String originSessionId, String audienceUserId, Event event) {
  private static final byte VERSION = 1;

  public StoreEvent {
    checkAscii(requireNonNull(originSessionId, "originSessionId"), "originSessionId");
    checkAscii(requireNonNull(audienceUserId, "audienceUserId"), "audienceUserId");
    requireNonNull(event, "event");
    if (event.getKindCase() != Event.KindCase.MESSAGE && event.getKindCase() != Event.KindCase.RECALL
        && event.getKindCase() != Event.KindCase.READ_RECEIPT) {
      throw new IllegalArgumentException("a store event is a message, a recall or a read receipt: "
          + event.getKindCase());
    }
  }

  /** The conversation the event belongs to. */
  public ConversationId conversation() {
    String id = switch (event.getKindCase()) {
      case MESSAGE -> event.getMessage().getConversationId();
      case RECALL -> event.getRecall().getConversationId();
      default -> event.getReadReceipt().getConversationId();
    };
    return ConversationId.parse(id)
        .orElseThrow(() -> new IllegalStateException("event names a malformed conversation: " + id));
  }

  /** The wire prefix before the {@link Event} bytes. */
  public static byte[] header(String originSessionId, String audienceUserId) {
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

  /** The wire form: {@link #header(String, String)} followed by the event. */
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
  public static StoreEvent decode(byte[] bytes) {
    try {
      if (bytes.length < 3 || bytes[0] != VERSION) {
        throw new IllegalArgumentException("not a store event (bad version)");
      }
      int originLength = bytes[1] & 0xff;
      String origin = new String(bytes, 2, originLength, US_ASCII);
      int audienceAt = 2 + originLength;
      int audienceLength = bytes[audienceAt] & 0xff;
      String audience = new String(bytes, audienceAt + 1, audienceLength, US_ASCII);
      int eventAt = audienceAt + 1 + audienceLength;
      Event event = Event.parseFrom(CodedInputStream.newInstance(bytes, eventAt, bytes.length - eventAt));
      return new StoreEvent(origin, audience, event);
    } catch (IOException | IndexOutOfBoundsException e) {
      throw new IllegalArgumentException("not a store event: " + e.getMessage(), e);
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
