package io.parley.server;

import io.grpc.Context;
import io.grpc.Metadata;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The request id of the current call: taken from the {@code x-request-id} metadata when the client
 * sends a sane one, generated otherwise, echoed in the response headers, written in every log line
 * about the call and sent back in {@code google.rpc.RequestInfo} on errors.
 */
public final class RequestIds {
  /** The metadata key, in requests and responses alike. */
  public static final Metadata.Key<String> METADATA_KEY =
      Metadata.Key.of("x-request-id", Metadata.ASCII_STRING_MARSHALLER);

  static final Context.Key<String> CONTEXT_KEY = Context.key("parley-request-id");

  private static final int MAX_LENGTH = 128;
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private RequestIds() {}

  /** The current call's request id, or null outside a call. */
  public static String current() {
    return CONTEXT_KEY.get();
  }

  /** A context with {@code requestId} as the current request id (for tests and background work). */
  public static Context withRequestId(Context context, String requestId) {
    return context.withValue(CONTEXT_KEY, requestId);
  }

  /** Whether a client-sent id is usable: 1-128 visible ASCII characters. */
  static boolean isValid(String id) {
    if (id == null || id.isEmpty() || id.length() > MAX_LENGTH) {
      return false;
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (c <= 0x20 || c >= 0x7f) {
        return false;
      }
    }
    return true;
  }

  /** A new random id: 32 hex characters (128 bits). */
  public static String newId() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    char[] out = new char[32];
    for (int half = 0; half < 2; half++) {
      long bits = random.nextLong();
      for (int i = 0; i < 16; i++) {
        out[half * 16 + i] = HEX[(int) (bits >>> (60 - 4 * i)) & 0xf];
      }
    }
    return new String(out);
  }
}
