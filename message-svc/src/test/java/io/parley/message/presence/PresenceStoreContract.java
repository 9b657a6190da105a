package io.parley.message.presence;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.common.v1.Terminal;
import io.parley.data.Ids;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What every {@link PresenceStore} does; subclasses give a fresh, empty store per test. */
abstract class PresenceStoreContract {
  static final long T0 = 1_800_000_000_000L;
  static final long LEASE = 60_000;

  PresenceStore store;

  abstract PresenceStore newStore();

  @BeforeEach
  void setUp() {
    store = newStore();
  }

  static String user() {
    return Ids.newId("u");
  }

  static DeviceLease lease(String userId, String sessionId, String replicaId, Terminal terminal, long now) {
    return new DeviceLease(userId, sessionId, replicaId, terminal, now, now + LEASE);
  }

  @Test
  void aUserIsOnlineWithTheirFirstDeviceAndLastSeenWhenItGoes() {
    String alice = user();
    assertThat(store.read(alice)).isEqualTo(new UserPresence(alice, List.of(), 0, 0));

    PresenceChange online = store.connect(lease(alice, "s1", "r1", Terminal.WEB, T0));

    assertThat(online.cameOnline()).isTrue();
    assertThat(online.wentOffline()).isFalse();
    assertThat(online.presence().devices()).containsExactly(new UserPresence.Device("s1", Terminal.WEB, T0));
    assertThat(store.read(alice)).isEqualTo(online.presence());

    PresenceChange offline = store.disconnect(alice, DeviceLease.device("s1", "r1"), T0 + 5_000).orElseThrow();

    assertThat(offline.wentOffline()).isTrue();
    assertThat(online.presence().version()).isEqualTo(1);
    assertThat(offline.presence()).isEqualTo(new UserPresence(alice, List.of(), T0 + 5_000, 2));
    assertThat(store.read(alice)).isEqualTo(offline.presence());
    assertThat(store.disconnect(alice, DeviceLease.device("s1", "r1"), T0 + 6_000)).isEmpty();
  }

  @Test
  void aSecondDeviceIsShownWithoutTheUserComingOnlineAgain() {
    String alice = user();
    store.connect(lease(alice, "s1", "r1", Terminal.WEB, T0));

    PresenceChange second = store.connect(lease(alice, "s2", "r2", Terminal.MOBILE, T0 + 1));

    assertThat(second.cameOnline()).isFalse();
    assertThat(second.presence().version()).isEqualTo(2);
    assertThat(second.presence().devices()).containsExactly(
        new UserPresence.Device("s1", Terminal.WEB, T0), new UserPresence.Device("s2", Terminal.MOBILE, T0 + 1));
    PresenceChange firstGone = store.disconnect(alice, DeviceLease.device("s1", "r1"), T0 + 2).orElseThrow();
    assertThat(firstGone.wentOffline()).isFalse();
    assertThat(firstGone.presence().online()).isTrue();
    assertThat(firstGone.presence().devices()).containsExactly(new UserPresence.Device("s2", Terminal.MOBILE, T0 + 1));
  }

  @Test
  void oneSessionOnTwoReplicasIsOneDeviceUntilBothLetGo() {
    String alice = user();
    store.connect(lease(alice, "s1", "r1", Terminal.DESKTOP, T0));
    store.connect(lease(alice, "s1", "r2", Terminal.DESKTOP, T0 + 10));

    assertThat(store.read(alice).devices()).containsExactly(new UserPresence.Device("s1", Terminal.DESKTOP, T0));
    assertThat(store.disconnect(alice, DeviceLease.device("s1", "r1"), T0 + 20).orElseThrow().wentOffline()).isFalse();
    assertThat(store.read(alice).online()).isTrue();
    assertThat(store.disconnect(alice, DeviceLease.device("s1", "r2"), T0 + 30).orElseThrow().wentOffline()).isTrue();
  }

  @Test
  void aReconnectedDeviceKeepsItsOnlineSinceTime() {
    String alice = user();
    store.connect(lease(alice, "s1", "r1", Terminal.WEB, T0));
    PresenceChange again = store.connect(lease(alice, "s1", "r1", Terminal.WEB, T0 + 500));

    assertThat(again.cameOnline()).isFalse();
    assertThat(again.presence().devices()).containsExactly(new UserPresence.Device("s1", Terminal.WEB, T0));
  }

  @Test
  void anExpiredLeaseIsSweptOnceAndTheUserIsLastSeenAtItsLastRenewal() {
    String alice = user();
    store.connect(lease(alice, "s1", "r1", Terminal.WEB, T0));
    assertThat(store.renew(alice, DeviceLease.device("s1", "r1"), T0 + 20_000, T0 + 20_000 + LEASE)).isTrue();

    assertThat(store.sweep(T0 + 20_000 + LEASE, 100)).as("not expired yet").isEmpty();
    assertThat(store.read(alice).online()).as("an expired lease counts until swept").isTrue();
    List<PresenceChange> swept = store.sweep(T0 + 20_001 + LEASE, 100);

    assertThat(swept).hasSize(1);
    assertThat(swept.get(0).wentOffline()).isTrue();
    assertThat(swept.get(0).presence()).isEqualTo(new UserPresence(alice, List.of(), T0 + 20_000, 2));
    assertThat(store.sweep(T0 + 2 * LEASE, 100)).as("swept once").isEmpty();
    assertThat(store.renew(alice, DeviceLease.device("s1", "r1"), T0 + 90_000, T0 + 90_000 + LEASE))
        .as("a swept device must be connected again").isFalse();
    assertThat(store.read(alice)).isEqualTo(new UserPresence(alice, List.of(), T0 + 20_000, 2));
  }

  @Test
  void twoExpiredDevicesTakeTheUserOfflineOnce() {
    String alice = user();
    store.connect(lease(alice, "s1", "r1", Terminal.WEB, T0));
    store.connect(lease(alice, "s2", "r1", Terminal.MOBILE, T0 + 1));
    String bob = user();
    store.connect(lease(bob, "s3", "r2", Terminal.WEB, T0 + LEASE));

    List<PresenceChange> swept = store.sweep(T0 + LEASE + 2, 100);

    assertThat(swept).extracting(c -> c.presence().userId()).containsExactly(alice, alice);
    assertThat(swept).filteredOn(PresenceChange::wentOffline).hasSize(1);
    assertThat(swept.get(1).wentOffline()).isTrue();
    assertThat(swept.get(1).presence().lastSeenMillis()).isEqualTo(T0 + 1);
    assertThat(store.read(bob).online()).isTrue();
  }

  @Test
  void aSweepTakesAtMostItsBatchAndTheNextTakesTheRest() {
    String alice = user();
    for (int i = 0; i < 5; i++) {
      store.connect(lease(alice, "s" + i, "r1", Terminal.WEB, T0 + i));
    }

    assertThat(store.sweep(T0 + 2 * LEASE, 3)).hasSize(3);
    assertThat(store.sweep(T0 + 2 * LEASE, 3)).hasSize(2);
    assertThat(store.read(alice).online()).isFalse();
  }

  @Test
  void renewingAnUnknownDeviceTellsTheCallerToConnectIt() {
    assertThat(store.renew(user(), DeviceLease.device("s1", "r1"), T0, T0 + LEASE)).isFalse();
  }
}
