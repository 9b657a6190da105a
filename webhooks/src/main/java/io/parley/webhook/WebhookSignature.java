package io.parley.webhook;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The {@value #HEADER} header of every webhook call: {@code t=<unix seconds>,v1=<hex>}, where the
 * hex is the HMAC-SHA256, under the shared secret, of the UTF-8 bytes of {@code "<t>."} followed by
 * the exact body. A receiver recomputes it over the body it received, compares in constant time,
 * and refuses a timestamp too far from its own clock (a replayed call). Thread-safe; never exposes
 * the key.
 */
public final class WebhookSignature {
  /** The header that carries the signature. */
  public static final String HEADER = "Parley-Signature";
  /** The header that carries the event id, the same for every attempt of a delivery. */
  public static final String IDEMPOTENCY_KEY = "Idempotency-Key";

  private static final String ALGORITHM = "HmacSHA256";
  private static final HexFormat HEX = HexFormat.of();

  private final SecretKeySpec key;

  /** A signature under {@code secret} (copied). */
  public WebhookSignature(byte[] secret) {
    requireNonNull(secret, "secret");
    if (secret.length == 0) {
      throw new IllegalArgumentException("secret must not be empty");
    }
    this.key = new SecretKeySpec(secret.clone(), ALGORITHM);
  }

  /** The header value for {@code body} sent at {@code time}. */
  public String header(Instant time, byte[] body) {
    long t = time.getEpochSecond();
    return "t=" + t + ",v1=" + HEX.formatHex(mac(t, body));
  }

  /**
   * Whether {@code header} signs {@code body} with this key, at a time within {@code tolerance} of
   * {@code now}. A malformed header is simply not valid.
   */
  public boolean verify(String header, byte[] body, Instant now, Duration tolerance) {
    if (header == null) {
      return false;
    }
    Long t = null;
    byte[] given = null;
    for (String part : header.split(",")) {
      String[] kv = part.trim().split("=", 2);
      if (kv.length != 2) {
        continue;
      }
      try {
        if (kv[0].equals("t")) {
          t = Long.parseLong(kv[1]);
        } else if (kv[0].equals("v1")) {
          given = HEX.parseHex(kv[1]);
        }
      } catch (IllegalArgumentException e) {
        return false;
      }
    }
    if (t == null || given == null) {
      return false;
    }
    if (Math.abs(now.getEpochSecond() - t) > tolerance.toSeconds()) {
      return false;
    }
    return MessageDigest.isEqual(mac(t, body), given);
  }

  private byte[] mac(long t, byte[] body) {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(key);
      mac.update((t + ".").getBytes(UTF_8));
      return mac.doFinal(body);
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }

  @Override
  public String toString() {
    return "WebhookSignature{HmacSHA256, key=***}";
  }
}
