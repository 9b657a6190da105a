package io.parley.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class MessageSettingsTest {
  @Test
  void defaultsAreTheDocumentedOnes() {
    MessageSettings defaults = MessageSettings.defaults();
    assertThat(defaults.allowStrangers()).isFalse();
    assertThat(defaults.recallWindow()).isEqualTo(Duration.ofMinutes(2));
    assertThat(defaults.retentionAge()).isEqualTo(Duration.ofDays(30));
    assertThat(defaults.retentionCount()).isEqualTo(10_000);
    assertThat(defaults.idempotencyWindow()).isEqualTo(Duration.ofHours(24));
    assertThat(defaults.subscriberBufferSize()).isEqualTo(1024);
    assertThat(defaults.cacheTtl()).isEqualTo(Duration.ofSeconds(5));
    assertThat(defaults.upstreamTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(defaults.sessionCheckInterval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(defaults.deliveryThreads()).isGreaterThanOrEqualTo(2);
  }

  @Test
  void copiesChangeOneSettingOnly() {
    MessageSettings changed = MessageSettings.defaults().withAllowStrangers(true).withRetentionCount(5);
    assertThat(changed.allowStrangers()).isTrue();
    assertThat(changed.retentionCount()).isEqualTo(5);
    assertThat(changed.withAllowStrangers(false).withRetentionCount(10_000)).isEqualTo(MessageSettings.defaults());
  }

  @Test
  void impossibleValuesAreRejectedByName() {
    MessageSettings defaults = MessageSettings.defaults();
    assertThatThrownBy(() -> defaults.withRecallWindow(Duration.ofSeconds(-1))).hasMessageContaining("recallWindow");
    assertThatThrownBy(() -> defaults.withRetentionAge(Duration.ZERO)).hasMessageContaining("retentionAge");
    assertThatThrownBy(() -> defaults.withRetentionCount(0)).hasMessageContaining("retentionCount");
    assertThatThrownBy(() -> defaults.withIdempotencyWindow(Duration.ZERO)).hasMessageContaining("idempotencyWindow");
    assertThatThrownBy(() -> defaults.withSubscriberBufferSize(0)).hasMessageContaining("subscriberBufferSize");
    assertThatThrownBy(() -> defaults.withCacheTtl(Duration.ofMillis(-1))).hasMessageContaining("cacheTtl");
    assertThatThrownBy(() -> defaults.withUpstreamTimeout(Duration.ZERO)).hasMessageContaining("upstreamTimeout");
    assertThatThrownBy(() -> defaults.withSessionCheckInterval(Duration.ZERO))
        .hasMessageContaining("sessionCheckInterval");
    assertThatThrownBy(() -> defaults.withDeliveryThreads(0)).hasMessageContaining("deliveryThreads");
    assertThatThrownBy(() -> defaults.withCacheTtl(null)).isInstanceOf(NullPointerException.class)
        .hasMessageContaining("cacheTtl");
  }
}
