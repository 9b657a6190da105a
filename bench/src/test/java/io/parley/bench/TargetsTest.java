package io.parley.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TargetsTest {
  @Test
  void parsesRolesWithOneOrMoreAddresses() {
    Map<String, String> given = new LinkedHashMap<>();
    given.put("user", "10.0.0.1:9090");
    given.put("message", "m1:9090, m2:9091");
    given.put("redis", "redis://:secret@cache:6379");
    Targets targets = Targets.parse(given);

    assertThat(targets.isEmpty()).isFalse();
    assertThat(targets.require("x", "user")).isEqualTo("10.0.0.1:9090");
    assertThat(targets.require("x", "message", 2)).containsExactly("m1:9090", "m2:9091");
    assertThat(Targets.host("m2:9091")).isEqualTo("m2");
    assertThat(Targets.port("m2:9091")).isEqualTo(9091);
    assertThat(Targets.parse(Map.of()).isEmpty()).isTrue();
  }

  @Test
  void refusesUnknownRolesAndMalformedAddresses() {
    assertThatThrownBy(() -> Targets.parse(Map.of("users", "h:1")))
        .hasMessageContaining("unknown --target role 'users'").hasMessageContaining("friend, gateway, group");
    assertThatThrownBy(() -> Targets.parse(Map.of("user", "h")))
        .hasMessage("--target user=h: expected host:port");
    assertThatThrownBy(() -> Targets.parse(Map.of("redis", "h:6379")))
        .hasMessage("--target redis=h:6379: expected a redis:// URL");
    assertThatThrownBy(() -> Targets.parse(Map.of("group", " , ")))
        .hasMessage("--target group= names no address");
  }

  @Test
  void saysWhatAScenarioIsMissingOrWouldIgnore() {
    Targets targets = Targets.parse(Map.of("user", "h:1"));
    assertThatThrownBy(() -> targets.require("messaging", "friend"))
        .hasMessage("messaging against a running deployment needs --target friend=host:port");
    assertThatThrownBy(() -> targets.require("revocation", "user", 2))
        .hasMessage("revocation against a running deployment needs --target user=host1:port,host2:port "
            + "(2 replicas sharing one store)");
    assertThatThrownBy(() -> targets.allowOnly("session-memory", "redis"))
        .hasMessage("session-memory does not use --target user=; it takes redis");
    assertThatThrownBy(() -> targets.allowOnly("fixture"))
        .hasMessage("fixture measures a fixture of its own and takes no --target");
    assertThatCode(() -> targets.allowOnly("gateway", "user", "gateway")).doesNotThrowAnyException();
  }
}
