package io.parley.message.presence;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.data.Ids;
import io.parley.message.v1.PresenceVisibility;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What every {@link PresenceSettings} does. */
abstract class PresenceSettingsContract {
  abstract PresenceSettings settings();

  @Test
  void aUserWhoNeverChoseHasTheDefaultAndAChoiceIsKeptUntilChangedAgain() {
    String alice = Ids.newId("u");
    String bob = Ids.newId("u");
    assertThat(settings().visibility(List.of(alice, bob)))
        .isEqualTo(Map.of(alice, PresenceVisibility.FRIENDS_AND_GROUPS, bob, PresenceVisibility.FRIENDS_AND_GROUPS));

    settings().setVisibility(alice, PresenceVisibility.NOBODY);
    assertThat(settings().visibility(List.of(alice, bob)))
        .isEqualTo(Map.of(alice, PresenceVisibility.NOBODY, bob, PresenceVisibility.FRIENDS_AND_GROUPS));
    settings().setVisibility(alice, PresenceVisibility.FRIENDS);
    assertThat(settings().visibility(List.of(alice))).isEqualTo(Map.of(alice, PresenceVisibility.FRIENDS));
    assertThat(settings().visibility(List.of())).isEmpty();
  }
}
