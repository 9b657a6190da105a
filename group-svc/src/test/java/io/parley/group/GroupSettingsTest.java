package io.parley.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parley.ratelimit.RateLimit;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class GroupSettingsTest {
  @Test
  void defaultsAreTwoThousandMembersAFiveSecondLookupAndTheConsentLimits() {
    GroupSettings settings = GroupSettings.defaults();

    assertThat(settings.maxMembers()).isEqualTo(2_000);
    assertThat(settings.userLookupTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(settings.maxOwnedGroups()).isEqualTo(100);
    assertThat(settings.maxInviteesPerCall()).isEqualTo(100);
    assertThat(settings.maxPendingInvitations()).isEqualTo(20);
    assertThat(settings.maxPendingJoinRequests()).isEqualTo(20);
    assertThat(settings.refusalCooldown()).isEqualTo(Duration.ofDays(7));
    assertThat(settings.friendsAddDirectly()).isFalse();
    assertThat(settings.createGroupLimit().spec()).isEqualTo("20/1h,burst=10");
    assertThat(settings.createGroupLimit().name()).isEqualTo("group.create");
  }

  @Test
  void eachCopyChangesOneValue() {
    GroupSettings settings = GroupSettings.defaults()
        .withMaxMembers(50)
        .withUserLookupTimeout(Duration.ofSeconds(1))
        .withMaxOwnedGroups(3)
        .withMaxInviteesPerCall(10)
        .withMaxPendingInvitations(4)
        .withMaxPendingJoinRequests(5)
        .withRefusalCooldown(Duration.ZERO)
        .withFriendsAddDirectly(true)
        .withCreateGroupLimit(RateLimit.unlimited("group.create"));

    assertThat(settings).isEqualTo(new GroupSettings(50, Duration.ofSeconds(1), 3, 10, 4, 5, Duration.ZERO, true,
        RateLimit.unlimited("group.create")));
  }

  @Test
  void badValuesAreRejectedWithAMessageNamingThem() {
    GroupSettings defaults = GroupSettings.defaults();
    assertThatThrownBy(() -> defaults.withMaxMembers(1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxMembers").hasMessageContaining("1");
    assertThatThrownBy(() -> defaults.withMaxMembers(100_001))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxMembers");
    assertThatThrownBy(() -> defaults.withUserLookupTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("userLookupTimeout");
    assertThatThrownBy(() -> defaults.withUserLookupTimeout(null))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("userLookupTimeout");
    assertThatThrownBy(() -> defaults.withMaxOwnedGroups(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxOwnedGroups");
    assertThatThrownBy(() -> defaults.withMaxInviteesPerCall(101))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxInviteesPerCall").hasMessageContaining("1-100");
    assertThatThrownBy(() -> defaults.withMaxPendingInvitations(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxPendingInvitations");
    assertThatThrownBy(() -> defaults.withMaxPendingJoinRequests(1001))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxPendingJoinRequests");
    assertThatThrownBy(() -> defaults.withRefusalCooldown(Duration.ofDays(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("refusalCooldown");
    assertThatThrownBy(() -> defaults.withRefusalCooldown(Duration.ofDays(366)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("refusalCooldown");
    assertThatThrownBy(() -> defaults.withCreateGroupLimit(RateLimit.parse("friend.request", "1/1s")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("createGroupLimit")
        .hasMessageContaining("group.create");
    assertThatThrownBy(() -> defaults.withCreateGroupLimit(null))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("createGroupLimit");
  }
}
