package io.parley.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parley.ratelimit.RateLimit;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class MessageSettingsTest {
  @Test
  void defaultsAreTheDocumentedOnes() {
    MessageSettings defaults = MessageSettings.defaults();
    assertThat(defaults.allowStrangers()).isFalse();
    assertThat(defaults.recallWindow()).isEqualTo(Duration.ofMinutes(2));
    assertThat(defaults.retentionAge()).as("everything is kept").isEmpty();
    assertThat(defaults.subscriberBufferSize()).isEqualTo(1024);
    assertThat(defaults.cacheTtl()).isEqualTo(Duration.ofSeconds(5));
    assertThat(defaults.upstreamTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(defaults.sessionCheckInterval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(defaults.deliveryThreads()).isGreaterThanOrEqualTo(2);
    assertThat(defaults.writerThreads()).isEqualTo(1);
    assertThat(defaults.maxBatchSize()).isEqualTo(256);
    assertThat(defaults.sendLimit().name()).isEqualTo("message.send");
    assertThat(defaults.sendLimit().spec()).isEqualTo("10/1s,burst=50");
    assertThat(defaults.maxStreamsPerSession()).isEqualTo(4);
  }

  @Test
  void copiesChangeOneSettingOnly() {
    MessageSettings changed = MessageSettings.defaults().withAllowStrangers(true).withRetentionAge(Duration.ofDays(90));
    assertThat(changed.allowStrangers()).isTrue();
    assertThat(changed.retentionAge()).contains(Duration.ofDays(90));
    assertThat(changed.withAllowStrangers(false).withoutRetention()).isEqualTo(MessageSettings.defaults());
    assertThat(MessageSettings.defaults().withWriterThreads(3).withMaxBatchSize(64))
        .extracting(MessageSettings::writerThreads, MessageSettings::maxBatchSize).containsExactly(3, 64);
    MessageSettings limits = MessageSettings.defaults().withSendLimit(RateLimit.unlimited("message.send"))
        .withMaxStreamsPerSession(1);
    assertThat(limits.sendLimit().isUnlimited()).isTrue();
    assertThat(limits.maxStreamsPerSession()).isEqualTo(1);
    assertThat(limits.withSendLimit(MessageSettings.defaults().sendLimit()).withMaxStreamsPerSession(4))
        .isEqualTo(MessageSettings.defaults());
  }

  @Test
  void impossibleValuesAreRejectedByName() {
    MessageSettings defaults = MessageSettings.defaults();
    assertThatThrownBy(() -> defaults.withRecallWindow(Duration.ofSeconds(-1))).hasMessageContaining("recallWindow");
    assertThatThrownBy(() -> defaults.withRetentionAge(Duration.ZERO)).hasMessageContaining("retentionAge");
    assertThatThrownBy(() -> defaults.withRetentionAge(null)).isInstanceOf(NullPointerException.class)
        .hasMessageContaining("retentionAge");
    assertThatThrownBy(() -> defaults.withSubscriberBufferSize(0)).hasMessageContaining("subscriberBufferSize");
    assertThatThrownBy(() -> defaults.withCacheTtl(Duration.ofMillis(-1))).hasMessageContaining("cacheTtl");
    assertThatThrownBy(() -> defaults.withUpstreamTimeout(Duration.ZERO)).hasMessageContaining("upstreamTimeout");
    assertThatThrownBy(() -> defaults.withSessionCheckInterval(Duration.ZERO))
        .hasMessageContaining("sessionCheckInterval");
    assertThatThrownBy(() -> defaults.withDeliveryThreads(0)).hasMessageContaining("deliveryThreads");
    assertThatThrownBy(() -> defaults.withWriterThreads(0)).hasMessageContaining("writerThreads");
    assertThatThrownBy(() -> defaults.withMaxBatchSize(0)).hasMessageContaining("maxBatchSize");
    assertThatThrownBy(() -> defaults.withCacheTtl(null)).isInstanceOf(NullPointerException.class)
        .hasMessageContaining("cacheTtl");
    assertThatThrownBy(() -> defaults.withSendLimit(RateLimit.parse("user.search", "1/1s")))
        .hasMessageContaining("sendLimit").hasMessageContaining("message.send");
    assertThatThrownBy(() -> defaults.withSendLimit(null)).isInstanceOf(NullPointerException.class)
        .hasMessageContaining("sendLimit");
    assertThatThrownBy(() -> defaults.withMaxStreamsPerSession(0)).hasMessageContaining("maxStreamsPerSession");
    assertThatThrownBy(() -> defaults.withMaxStreamsPerSession(65)).hasMessageContaining("maxStreamsPerSession");
  }
}
