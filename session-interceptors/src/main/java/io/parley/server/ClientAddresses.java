package io.parley.server;

import static java.util.Objects.requireNonNull;

import com.google.common.net.InetAddresses;
import io.grpc.Context;
import io.grpc.Metadata;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The address of the client behind the current call, for limits and logs that are per client
 * address (registering, logging in). Every server built by {@link ParleyServer} sets it, by this
 * rule:
 *
 * <ul>
 *   <li>the transport's remote address, unless that peer is a {@linkplain TrustedProxies trusted
 *       proxy} (in-process and Unix-socket peers always are);
 *   <li>if it is, the {@code x-forwarded-for} metadata is read from its right end (the entry the
 *       proxy appended) leftwards, for as long as the entries are trusted proxies themselves: the
 *       first entry that is not, or the leftmost one, is the client. An entry that is not an IP
 *       address (a name, {@code unknown}, garbage) ends the walk at the last proxy believed.
 * </ul>
 *
 * <p>So a client can put what it likes in {@code x-forwarded-for}, and it changes nothing unless
 * every hop after it is a trusted proxy. In-process calls without the metadata are from {@link
 * InetAddress#getLoopbackAddress()}.
 *
 * <pre>{@code
 * limiter.acquire(settings.loginLimit(), ClientAddresses.currentKey());
 * }</pre>
 */
public final class ClientAddresses {
  /** The metadata a proxy appends its client's address to, comma-separated, as for HTTP. */
  public static final Metadata.Key<String> X_FORWARDED_FOR =
      Metadata.Key.of("x-forwarded-for", Metadata.ASCII_STRING_MARSHALLER);

  static final Context.Key<InetAddress> CONTEXT_KEY = Context.key("parley-client-address");

  /** Most forwarded-for entries examined from the right: no real chain of proxies is longer. */
  private static final int MAX_HOPS = 16;

  private ClientAddresses() {}

  /**
   * The current call's client address.
   *
   * @throws IllegalStateException outside a call of a {@link ParleyServer}
   */
  public static InetAddress current() {
    InetAddress address = CONTEXT_KEY.get();
    if (address == null) {
      throw new IllegalStateException("no client address: not in a call of a ParleyServer");
    }
    return address;
  }

  /**
   * The key of the current call's client for per-address limits: see {@link #keyOf}.
   *
   * @throws IllegalStateException outside a call of a {@link ParleyServer}
   */
  public static String currentKey() {
    return keyOf(current());
  }

  /**
   * The key of {@code address} for per-address limits: an IPv4 address itself ({@code
   * 192.0.2.7}), an IPv6 address's /64 network ({@code 2001:db8:1:2::/64}), since one subscriber
   * usually holds a whole /64 and could otherwise take a fresh address per call.
   */
  public static String keyOf(InetAddress address) {
    InetAddress canonical = TrustedProxies.canonical(requireNonNull(address, "address"));
    if (canonical instanceof Inet4Address) {
      return InetAddresses.toAddrString(canonical);
    }
    byte[] network = Arrays.copyOf(canonical.getAddress(), 16);
    Arrays.fill(network, 8, 16, (byte) 0);
    try {
      return InetAddresses.toAddrString(InetAddress.getByAddress(network)) + "/64";
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError("16 bytes are an IPv6 address", e);
    }
  }

  /** {@code context} with {@code address} as the client address (tests, background work for a client). */
  public static Context withAddress(Context context, InetAddress address) {
    return context.withValue(CONTEXT_KEY, requireNonNull(address, "address"));
  }

  /**
   * The client of a call from {@code peer} that carried {@code forwardedFor} (the values of every
   * {@code x-forwarded-for} entry, or null), by the rule above.
   */
  static InetAddress resolve(SocketAddress peer, Iterable<String> forwardedFor, TrustedProxies trusted) {
    InetAddress client;
    boolean believed;
    if (peer instanceof InetSocketAddress inet && inet.getAddress() != null) {
      client = TrustedProxies.canonical(inet.getAddress());
      believed = trusted.trusts(client);
    } else {
      client = InetAddress.getLoopbackAddress();
      believed = true;
    }
    if (!believed || forwardedFor == null) {
      return client;
    }
    List<String> hops = new ArrayList<>();
    for (String value : forwardedFor) {
      hops.addAll(Arrays.asList(value.split(",", -1)));
    }
    for (int i = hops.size() - 1, seen = 0; i >= 0 && believed && seen < MAX_HOPS; i--, seen++) {
      InetAddress hop = parseHop(hops.get(i).strip());
      if (hop == null) {
        break;
      }
      client = hop;
      believed = trusted.trusts(hop);
    }
    return client;
  }

  /**
   * An entry of {@code x-forwarded-for} as an address, or null: {@code 192.0.2.7}, {@code
   * 192.0.2.7:443}, {@code 2001:db8::1}, {@code [2001:db8::1]:443}.
   */
  static InetAddress parseHop(String hop) {
    String literal = hop;
    if (literal.startsWith("[")) {
      int end = literal.indexOf(']');
      if (end < 0) {
        return null;
      }
      literal = literal.substring(1, end);
    } else if (literal.indexOf(':') >= 0 && literal.indexOf(':') == literal.lastIndexOf(':')) {
      literal = literal.substring(0, literal.indexOf(':')); // IPv4 with a port
    }
    if (literal.isEmpty() || literal.length() > 45 || !InetAddresses.isInetAddress(literal)) {
      return null;
    }
    return TrustedProxies.canonical(InetAddresses.forString(literal));
  }
}
