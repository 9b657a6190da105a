package io.parley.message.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parley.data.Ids;
import io.parley.message.v1.ConversationType;
import org.junit.jupiter.api.Test;

class ConversationIdTest {
  private final String low = "u0000000000000000";
  private final String high = "uzzzzzzzzzzzzzzzz";

  @Test
  void aPrivateIdPutsTheSmallerUserFirstWhateverTheOrder() {
    ConversationId one = ConversationId.ofUsers(high, low);
    assertThat(one.value()).isEqualTo("p_" + low + "_" + high);
    assertThat(one).isEqualTo(ConversationId.ofUsers(low, high));
    assertThat(one.type()).isEqualTo(ConversationType.PRIVATE);
    assertThat(one.firstUser()).isEqualTo(low);
    assertThat(one.secondUser()).isEqualTo(high);
    assertThat(one.peerOf(low)).isEqualTo(high);
    assertThat(one.hasParticipant(high)).isTrue();
    assertThat(one.hasParticipant("u1111111111111111")).isFalse();
    assertThatThrownBy(() -> one.peerOf("u1111111111111111")).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(one::groupId).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> ConversationId.ofUsers(low, low)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aGroupIdNamesTheGroup() {
    String group = Ids.newId("g");
    ConversationId id = ConversationId.ofGroup(group);
    assertThat(id.value()).isEqualTo("g_" + group);
    assertThat(id.isGroup()).isTrue();
    assertThat(id.groupId()).isEqualTo(group);
    assertThat(id.hasParticipant(low)).isFalse();
    assertThatThrownBy(id::firstUser).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void parsingAcceptsOnlyWellFormedIds() {
    String group = Ids.newId("g");
    assertThat(ConversationId.parse("p_" + low + "_" + high)).contains(ConversationId.ofUsers(low, high));
    assertThat(ConversationId.parse("g_" + group)).contains(ConversationId.ofGroup(group));
    for (String bad : new String[] {null, "", "p_", "g_", "g_" + low, "p_" + high + "_" + low,
        "p_" + low + "_" + low, "p_" + low + "-" + high, "p_" + low + "_" + high + "x", "x_" + group,
        "p_" + low.replace('0', 'i') + "_" + high}) {
      assertThat(ConversationId.parse(bad)).as(String.valueOf(bad)).isEmpty();
    }
  }
}
