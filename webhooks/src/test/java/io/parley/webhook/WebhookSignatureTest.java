package io.parley.webhook;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class WebhookSignatureTest {
  private static final byte[] SECRET = "0123456789abcdef0123".getBytes(UTF_8);
  private static final Instant NOW = Instant.parse("2026-12-04T15:00:00Z");
  private final WebhookSignature signature = new WebhookSignature(SECRET);

  @Test
  void headerIsHmacSha256OfTimestampDotBody() throws Exception {
    byte[] body = "{\"id\":\"e1\"}".getBytes(UTF_8);
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(SECRET, "HmacSHA256"));
    String expected = HexFormat.of().formatHex(mac.doFinal((NOW.getEpochSecond() + ".{\"id\":\"e1\"}").getBytes(UTF_8)));

    assertThat(signature.header(NOW, body)).isEqualTo("t=" + NOW.getEpochSecond() + ",v1=" + expected);
  }

  @Test
  void signedBodyVerifiesWithinTolerance() {
    byte[] body = "{}".getBytes(UTF_8);
    String header = signature.header(NOW, body);

    assertThat(signature.verify(header, body, NOW.plusSeconds(200), Duration.ofMinutes(5))).isTrue();
  }

  @Test
  void alteredBodyOtherKeyOrOldTimestampDoNotVerify() {
    byte[] body = "{\"a\":1}".getBytes(UTF_8);
    String header = signature.header(NOW, body);

    assertThat(signature.verify(header, "{\"a\":2}".getBytes(UTF_8), NOW, Duration.ofMinutes(5))).isFalse();
    assertThat(new WebhookSignature("another-secret-of-20".getBytes(UTF_8)).verify(header, body, NOW,
        Duration.ofMinutes(5))).isFalse();
    assertThat(signature.verify(header, body, NOW.plusSeconds(301), Duration.ofMinutes(5))).isFalse();
    assertThat(signature.verify("t=abc,v1=zz", body, NOW, Duration.ofMinutes(5))).isFalse();
    assertThat(signature.verify(null, body, NOW, Duration.ofMinutes(5))).isFalse();
  }
}
