package io.parley.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class GroupSettingsTest {
  @Test
  void defaultsAreTwoThousandMembersAndAFiveSecondLookup() {
    GroupSettings settings = GroupSettings.defaults();

    assertThat(settings.maxMembers()).isEqualTo(2_000);
    assertThat(settings.userLookupTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(settings.withMaxMembers(50).maxMembers()).isEqualTo(50);
    assertThat(settings.withUserLookupTimeout(Duration.ofSeconds(1)).userLookupTimeout()).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void badValuesAreRejectedWithAMessageNamingThem() {
    assertThatThrownBy(() -> GroupSettings.defaults().withMaxMembers(1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxMembers").hasMessageContaining("1");
    assertThatThrownBy(() -> GroupSettings.defaults().withMaxMembers(100_001))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxMembers");
    assertThatThrownBy(() -> GroupSettings.defaults().withUserLookupTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("userLookupTimeout");
    assertThatThrownBy(() -> new GroupSettings(10, null))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("userLookupTimeout");
  }
}
