package io.parley.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;

class TargetsTest {
  @Test
  void parsesRolesWithOneOrMoreAddresses() {
    Targets targets = Targets.parse(List.of("user=10.0.0.1:9090", "message=m1:9090, m2:9091",
        "redis=redis://:secret@cache:6379", "gateway=g:1", "group=g:65535"));

    assertThat(targets.isEmpty()).isFalse();
    assertThat(targets.require("x", "user")).isEqualTo("10.0.0.1:9090");
    assertThat(targets.require("x", "message", 2)).containsExactly("m1:9090", "m2:9091");
    assertThat(Targets.host("m2:9091")).isEqualTo("m2");
    assertThat(Targets.port("m2:9091")).isEqualTo(9091);
    assertThat(Targets.parse(List.of()).isEmpty()).isTrue();
  }

  @Test
  void refusesUnknownRolesAndMalformedAddresses() {
    assertThatParsing("users=h:1")
        .hasMessageContaining("unknown --target role 'users'").hasMessageContaining("friend, gateway, group");
    assertThatParsing("user").hasMessage("--target user: expected ROLE=ADDRESS[,ADDRESS...]");
    assertThatParsing("user=h").hasMessage("--target user=h: expected host:port");
    assertThatParsing("redis=h:6379").hasMessage("--target redis=h:6379: expected a redis:// URL");
    assertThatParsing("group= , ").hasMessage("--target group= names no address");
  }

  @Test
  void portOutsideOneTo65535IsRefusedBeforeAnyChannelIsBuilt() {
    assertThatParsing("user=h:0").hasMessage("--target user=h:0: the port must be 1 to 65535");
    assertThatParsing("message=m1:9090,m2:65536")
        .hasMessage("--target message=m2:65536: the port must be 1 to 65535");
    assertThatParsing("gateway=g:99999").hasMessage("--target gateway=g:99999: the port must be 1 to 65535");
  }

  @Test
  void aMalformedAddressIsShownWithoutItsPassword() {
    assertThatParsing("redis=rediss://:hunter2@cache:6380")
        .hasMessage("--target redis=rediss://***@cache:6380: expected a redis:// URL");
    assertThatParsing("redis=:hunter2@cache:6379").hasMessage("--target redis=***@cache:6379: expected a redis:// URL");
    assertThatParsing("user=admin:hunter2@h:9090").hasMessage("--target user=***@h:9090: expected host:port");
    assertThatParsing("rediss://:hunter2@cache").hasMessageNotContaining("hunter2");
    assertThatParsing("user=admin@h:9090").hasMessage("--target user=***@h:9090: expected host:port");
    // No role, and a password with '=' in it: the part before the '=' is not echoed as a role.
    assertThatParsing("redis://:hunter=2@cache:6379").hasMessageContaining("names no role")
        .hasMessageNotContaining("hunter");
  }

  @Test
  void aRoleGivenTwiceIsRefusedRatherThanHalfIgnored() {
    assertThatParsing("message=m1:9090", "user=u:9090", "message=m2:9090")
        .hasMessage("--target message= is given more than once; name all its addresses in one, separated by commas");
  }

  @Test
  void moreAddressesThanAScenarioUsesAreRefusedRatherThanIgnored() {
    assertThatParsing("redis=redis://a:6379,redis://b:6379").hasMessage("--target redis= takes one standalone Redis, not 2");
    Targets targets = Targets.parse(List.of("user=a:9090,b:9090"));
    assertThatThrownBy(() -> targets.require("gateway", "user"))
        .hasMessage("gateway uses one user address; --target user= names 2");
    assertThat(targets.require("revocation", "user", 2)).containsExactly("a:9090", "b:9090");
  }

  @Test
  void saysWhatAScenarioIsMissingOrWouldIgnore() {
    Targets targets = Targets.parse(List.of("user=h:1"));
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

  private static AbstractThrowableAssert<?, ? extends Throwable> assertThatParsing(String... entries) {
    return assertThatThrownBy(() -> Targets.parse(List.of(entries)));
  }
}
