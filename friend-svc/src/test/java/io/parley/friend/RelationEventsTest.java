package io.parley.friend;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parley.data.Ids;
import org.junit.jupiter.api.Test;

class RelationEventsTest {
  @Test
  void thePayloadIsBothUserIdsSmallerFirst() {
    String a = Ids.newId("u");
    String b = Ids.newId("u");
    String low = a.compareTo(b) < 0 ? a : b;
    String high = a.compareTo(b) < 0 ? b : a;

    byte[] payload = RelationEvents.payload(UserPair.of(b, a));

    assertThat(new String(payload, UTF_8)).isEqualTo(low + " " + high);
    assertThat(RelationEvents.userIds(payload)).containsExactly(low, high);
  }

  @Test
  void anythingElseIsNotARelationEvent() {
    String a = Ids.newId("u");
    String b = Ids.newId("u");
    String low = a.compareTo(b) < 0 ? a : b;
    String high = a.compareTo(b) < 0 ? b : a;

    for (String payload : new String[] {high + " " + low, low, low + "  " + high, low + " " + high + " x", "a b"}) {
      assertThatThrownBy(() -> RelationEvents.userIds(payload.getBytes(UTF_8)))
          .as(payload).isInstanceOf(IllegalArgumentException.class);
    }
  }
}
