package io.parley.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.net.InetAddresses;
import org.junit.jupiter.api.Test;

class TrustedProxiesTest {
  private static boolean trusts(TrustedProxies proxies, String address) {
    return proxies.trusts(InetAddresses.forString(address));
  }

  @Test
  void loopbackTrustsTheLoopbackRangesOnly() {
    TrustedProxies loopback = TrustedProxies.loopback();
    assertThat(trusts(loopback, "127.0.0.1")).isTrue();
    assertThat(trusts(loopback, "127.9.8.7")).isTrue();
    assertThat(trusts(loopback, "::1")).isTrue();
    assertThat(trusts(loopback, "::ffff:127.0.0.1")).as("IPv4-mapped").isTrue();
    assertThat(trusts(loopback, "10.0.0.1")).isFalse();
    assertThat(trusts(loopback, "::2")).isFalse();
  }

  @Test
  void rangesMatchTheirPrefixBitForBit() {
    TrustedProxies proxies = TrustedProxies.parse("10.1.0.0/17, fd00:ab::/33, 192.0.2.7");
    assertThat(trusts(proxies, "10.1.127.255")).isTrue();
    assertThat(trusts(proxies, "10.1.128.0")).isFalse();
    assertThat(trusts(proxies, "fd00:ab:7fff::1")).isTrue();
    assertThat(trusts(proxies, "fd00:ab:8000::1")).isFalse();
    assertThat(trusts(proxies, "192.0.2.7")).isTrue();
    assertThat(trusts(proxies, "192.0.2.8")).isFalse();
    assertThat(trusts(proxies, "127.0.0.1")).as("loopback only when listed").isFalse();
  }

  @Test
  void noneAndEmptyTrustNoIpPeer() {
    assertThat(trusts(TrustedProxies.parse("none"), "127.0.0.1")).isFalse();
    assertThat(trusts(TrustedProxies.parse(""), "127.0.0.1")).isFalse();
    assertThat(trusts(TrustedProxies.none(), "::1")).isFalse();
  }

  @Test
  void whatIsNotARangeIsRefusedNamingIt() {
    assertThatThrownBy(() -> TrustedProxies.parse("loopback,gateway.internal"))
        .hasMessageContaining("'gateway.internal' is not an address range");
    assertThatThrownBy(() -> TrustedProxies.parse("10.0.0.0/33")).hasMessageContaining("prefix length must be 0-32");
    assertThatThrownBy(() -> TrustedProxies.parse("::/x")).hasMessageContaining("prefix length must be 0-128");
  }
}
