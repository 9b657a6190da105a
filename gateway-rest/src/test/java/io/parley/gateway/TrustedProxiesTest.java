package io.parley.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrustedProxiesTest {
  private static final InetAddress CLIENT = TrustedProxies.literal("203.0.113.7");
  private static final InetAddress PROXY = TrustedProxies.literal("10.0.0.2");

  @Test
  void withNoTrustedProxyThePeerIsTheClientWhateverTheHeaderSays() {
    assertThat(TrustedProxies.NONE.forwardedFor(null, CLIENT)).isEqualTo("203.0.113.7");
    assertThat(TrustedProxies.NONE.forwardedFor("198.51.100.1", CLIENT)).isEqualTo("203.0.113.7");
    assertThat(TrustedProxies.NONE.forwardedFor("198.51.100.1", PROXY)).isEqualTo("10.0.0.2");
  }

  @Test
  void aTrustedPeersHeaderNamesTheClientLast() {
    TrustedProxies proxies = TrustedProxies.of(List.of("10.0.0.0/8", "192.0.2.1"));
    assertThat(proxies.forwardedFor("203.0.113.7", PROXY)).isEqualTo("203.0.113.7");
    // Hops appended by trusted proxies are dropped; what the client claimed is kept, left of it.
    assertThat(proxies.forwardedFor("198.51.100.1, 203.0.113.7, 192.0.2.1, 10.9.9.9", PROXY))
        .isEqualTo("198.51.100.1, 203.0.113.7");
    // Entries that are no address are dropped from what the client claimed.
    assertThat(proxies.forwardedFor("unknown, 198.51.100.1,203.0.113.7:4711", PROXY)).isEqualTo("198.51.100.1, 203.0.113.7");
    assertThat(proxies.forwardedFor("[2001:db8::1]:443", PROXY)).isEqualTo("2001:db8:0:0:0:0:0:1");
    // A trusted proxy that names no client address, or only trusted ones: the last trusted hop is all we know.
    assertThat(proxies.forwardedFor("garbage", PROXY)).isEqualTo("10.0.0.2");
    assertThat(proxies.forwardedFor("198.51.100.1, garbage", PROXY)).isEqualTo("10.0.0.2");
    assertThat(proxies.forwardedFor("10.1.1.1", PROXY)).isEqualTo("10.1.1.1");
    assertThat(proxies.forwardedFor(null, PROXY)).isEqualTo("10.0.0.2");
    // A peer outside the blocks is the client.
    assertThat(proxies.forwardedFor("198.51.100.1", CLIENT)).isEqualTo("203.0.113.7");
  }

  @Test
  void blocksMatchByPrefixInTheirOwnFamily() {
    TrustedProxies proxies = TrustedProxies.of(List.of("172.16.0.0/12", "fd00::/8", "::1"));
    assertThat(proxies.trusts(TrustedProxies.literal("172.31.255.255"))).isTrue();
    assertThat(proxies.trusts(TrustedProxies.literal("172.32.0.0"))).isFalse();
    assertThat(proxies.trusts(TrustedProxies.literal("fdab::7"))).isTrue();
    assertThat(proxies.trusts(TrustedProxies.literal("fe00::7"))).isFalse();
    assertThat(proxies.trusts(TrustedProxies.literal("::1"))).isTrue();
    assertThat(proxies.trusts(TrustedProxies.literal("127.0.0.1"))).isFalse();
    assertThat(TrustedProxies.of(List.of("0.0.0.0/0")).trusts(CLIENT)).isTrue();
  }

  @Test
  void onlyAddressLiteralsAreReadAndNoNameIsLookedUp() {
    assertThat(TrustedProxies.literal("localhost")).isNull();
    assertThat(TrustedProxies.literal("example.com")).isNull();
    assertThat(TrustedProxies.literal("abcd")).isNull();
    assertThat(TrustedProxies.literal("1.2.3")).isNull();
    assertThat(TrustedProxies.literal("256.1.1.1")).isNull();
    assertThat(TrustedProxies.literal("1.2.3.4.5")).isNull();
    assertThat(TrustedProxies.literal("zz::1")).isNull();
    assertThat(TrustedProxies.literal("")).isNull();
    assertThat(TrustedProxies.literal("1.2.3.4:80")).isEqualTo(TrustedProxies.literal("1.2.3.4"));
  }

  @Test
  void badEntriesAreRejectedNamingThem() {
    assertThatThrownBy(() -> TrustedProxies.of(List.of("proxy.internal"))).hasMessageContaining("proxy.internal");
    assertThatThrownBy(() -> TrustedProxies.of(List.of("10.0.0.0/33"))).hasMessageContaining("10.0.0.0/33");
    assertThatThrownBy(() -> TrustedProxies.of(List.of("10.0.0.0/x"))).hasMessageContaining("10.0.0.0/x");
  }
}
