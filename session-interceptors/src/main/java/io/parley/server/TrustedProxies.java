package io.parley.server;

import static java.util.Objects.requireNonNull;

import com.google.common.net.InetAddresses;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The peers whose {@code x-forwarded-for} metadata a server believes: the REST gateway and any
 * other proxy in front of the services, by address range. A call from anyone else is from its
 * transport's remote address, whatever it sends. Peers that are not on IP (in-process calls, which
 * come from this very process, and Unix sockets) are always trusted.
 *
 * <p>Written as a comma-separated list of CIDR ranges ({@code 10.0.0.0/8}, {@code fd00::/8}, a bare
 * address for one host) and the words {@code loopback} (127.0.0.0/8 and ::1) and {@code none}.
 * Immutable and thread-safe.
 */
public final class TrustedProxies {
  private static final TrustedProxies NONE = new TrustedProxies(List.of(), "none");
  private static final TrustedProxies LOOPBACK = parse("loopback");

  private record Range(byte[] network, int prefix) {
    boolean contains(byte[] address) {
      if (address.length != network.length) {
        return false;
      }
      int full = prefix / 8;
      for (int i = 0; i < full; i++) {
        if (address[i] != network[i]) {
          return false;
        }
      }
      int rest = prefix % 8;
      if (rest == 0) {
        return true;
      }
      int mask = (0xff << (8 - rest)) & 0xff;
      return (address[full] & mask) == (network[full] & mask);
    }
  }

  private final List<Range> ranges;
  private final String spec;

  private TrustedProxies(List<Range> ranges, String spec) {
    this.ranges = List.copyOf(ranges);
    this.spec = spec;
  }

  /** Trusts no IP peer (in-process and Unix-socket peers only). */
  public static TrustedProxies none() {
    return NONE;
  }

  /** Trusts peers on 127.0.0.0/8 and ::1 (and in-process ones): the default, fit for one host. */
  public static TrustedProxies loopback() {
    return LOOPBACK;
  }

  /**
   * Reads a list such as {@code loopback,10.0.0.0/8,fd00::/8}; empty or {@code none} trusts no IP
   * peer.
   *
   * @throws IllegalArgumentException naming the entry that is not a range
   */
  public static TrustedProxies parse(String spec) {
    requireNonNull(spec, "spec");
    List<Range> ranges = new ArrayList<>();
    for (String raw : spec.split(",")) {
      String entry = raw.strip().toLowerCase(Locale.ROOT);
      if (entry.isEmpty() || entry.equals("none")) {
        continue;
      }
      if (entry.equals("loopback")) {
        ranges.add(range("127.0.0.0/8"));
        ranges.add(range("::1/128"));
      } else {
        ranges.add(range(entry));
      }
    }
    return ranges.isEmpty() ? NONE : new TrustedProxies(ranges, spec.strip());
  }

  private static Range range(String entry) {
    int slash = entry.indexOf('/');
    String address = slash < 0 ? entry : entry.substring(0, slash);
    if (!InetAddresses.isInetAddress(address)) {
      throw new IllegalArgumentException("trusted proxy '" + entry + "' is not an address range such as 10.0.0.0/8, "
          + "fd00::/8, 192.0.2.7, loopback or none");
    }
    byte[] network = canonical(InetAddresses.forString(address)).getAddress();
    int prefix = network.length * 8;
    if (slash >= 0) {
      try {
        prefix = Integer.parseInt(entry.substring(slash + 1));
      } catch (NumberFormatException e) {
        prefix = -1;
      }
      if (prefix < 0 || prefix > network.length * 8) {
        throw new IllegalArgumentException("trusted proxy '" + entry + "': the prefix length must be 0-"
            + network.length * 8);
      }
    }
    return new Range(network, prefix);
  }

  /** Whether a peer at {@code address} may tell who its client is. */
  public boolean trusts(InetAddress address) {
    byte[] bytes = canonical(requireNonNull(address, "address")).getAddress();
    for (Range range : ranges) {
      if (range.contains(bytes)) {
        return true;
      }
    }
    return false;
  }

  /** {@code address}, or the IPv4 address an IPv4-mapped IPv6 address ({@code ::ffff:a.b.c.d}) stands for. */
  static InetAddress canonical(InetAddress address) {
    if (!(address instanceof Inet6Address)) {
      return address;
    }
    try {
      // Made from its bytes alone, a mapped address comes back as the Inet4Address it maps.
      return InetAddress.getByAddress(address.getAddress());
    } catch (UnknownHostException e) {
      throw new AssertionError("16 bytes are an IPv6 address", e);
    }
  }

  @Override
  public String toString() {
    return spec;
  }
}
