package io.parley.gateway;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.StringJoiner;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The proxies in front of the gateway whose {@code X-Forwarded-For} it believes, as IP addresses
 * and CIDR blocks, and the client address that follows from them.
 *
 * <p>The gateway forwards {@code x-forwarded-for} to the services with the client's address as its
 * <em>last</em> entry, so that a service that trusts the gateway (user-svc's per-address limits)
 * reads the last entry and nothing else. When the TCP peer is not a trusted proxy (the default:
 * none is), the peer is the client and the header is one address: whatever the client sent is
 * dropped, so no client can choose the address it is limited by. When the peer is a trusted
 * proxy, the entries it and the trusted proxies before it appended are walked from the right, and
 * the first address that is not a trusted proxy is the client; the entries left of it are kept as
 * they came (the IP addresses among them; they are unverified), and the trusted hops right of it
 * are dropped. Parsing never resolves a name. Immutable and thread-safe.
 */
final class TrustedProxies {
  /** Trusts no proxy: the TCP peer is always the client. */
  static final TrustedProxies NONE = new TrustedProxies(List.of());

  /** Entries of X-Forwarded-For kept at most, the client's included; the oldest go first. */
  private static final int MAX_ENTRIES = 16;
  private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
  private static final Pattern IPV4_WITH_PORT = Pattern.compile("(\\d{1,3}(?:\\.\\d{1,3}){3})(?::\\d{1,5})?");
  private static final Pattern IPV6_BRACKETED = Pattern.compile("\\[([0-9A-Fa-f:.]+)](?::\\d{1,5})?");
  private static final Pattern IPV6_BARE = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

  private final List<Block> blocks;

  private TrustedProxies(List<Block> blocks) {
    this.blocks = List.copyOf(blocks);
  }

  /**
   * The proxies given as IP addresses ({@code 10.0.0.7}, {@code ::1}) or CIDR blocks ({@code
   * 10.0.0.0/8}, {@code fd00::/8}).
   *
   * @throws IllegalArgumentException naming the first entry that is neither
   */
  static TrustedProxies of(List<String> proxies) {
    List<Block> blocks = new ArrayList<>();
    for (String proxy : requireNonNull(proxies, "proxies")) {
      blocks.add(Block.parse(requireNonNull(proxy, "proxy")));
    }
    return new TrustedProxies(blocks);
  }

  boolean isEmpty() {
    return blocks.isEmpty();
  }

  boolean trusts(InetAddress address) {
    for (Block block : blocks) {
      if (block.contains(address)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The {@code x-forwarded-for} to send for a request from {@code peer} that carried {@code
   * header} (null if none): comma-separated addresses, the client's last.
   */
  String forwardedFor(String header, InetAddress peer) {
    if (header == null || !trusts(peer)) {
      return text(peer);
    }
    String[] entries = header.split(",", -1);
    Deque<String> kept = new ArrayDeque<>();
    InetAddress client = null;
    for (int i = entries.length - 1; i >= 0 && kept.size() < MAX_ENTRIES; i--) {
      InetAddress address = literal(entries[i].strip());
      if (client == null) {
        if (address == null) {
          // The hop that a trusted proxy reports is no address: the last trusted hop is all we know.
          break;
        }
        if (trusts(address)) {
          peer = address;
          continue;
        }
        client = address;
      }
      if (address != null) {
        kept.addFirst(text(address));
      }
    }
    if (client == null) {
      return text(peer);
    }
    StringJoiner chain = new StringJoiner(", ");
    kept.forEach(chain::add);
    return chain.toString();
  }

  /** The address written without a zone or brackets, e.g. {@code 203.0.113.7} or {@code 2001:db8:0:0:0:0:0:1}. */
  static String text(InetAddress address) {
    String text = address.getHostAddress();
    int zone = text.indexOf('%');
    return zone < 0 ? text : text.substring(0, zone);
  }

  /**
   * The address an X-Forwarded-For entry names ({@code 1.2.3.4}, {@code 1.2.3.4:80}, {@code ::1},
   * {@code [::1]:80}), or null if it is anything else. Never a DNS lookup.
   */
  static InetAddress literal(String entry) {
    Matcher v4 = IPV4_WITH_PORT.matcher(entry);
    if (v4.matches()) {
      return ipv4(v4.group(1));
    }
    Matcher bracketed = IPV6_BRACKETED.matcher(entry);
    String v6 = bracketed.matches() ? bracketed.group(1) : IPV6_BARE.matcher(entry).matches() ? entry : null;
    if (v6 == null || v6.length() > 45) {
      return null;
    }
    try {
      // Brackets make the JDK read an IPv6 literal or fail; it never looks a name up.
      return InetAddress.getByName("[" + v6 + "]");
    } catch (UnknownHostException e) {
      return null;
    }
  }

  private static InetAddress ipv4(String text) {
    Matcher matcher = IPV4.matcher(text);
    if (!matcher.matches()) {
      return null;
    }
    byte[] bytes = new byte[4];
    for (int i = 0; i < 4; i++) {
      int octet = Integer.parseInt(matcher.group(i + 1));
      if (octet > 255) {
        return null;
      }
      bytes[i] = (byte) octet;
    }
    try {
      return InetAddress.getByAddress(bytes);
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  @Override
  public String toString() {
    return blocks.toString();
  }

  /** An address and how many of its leading bits a match needs. */
  private record Block(byte[] address, int prefix, String text) {
    static Block parse(String text) {
      String trimmed = text.strip();
      int slash = trimmed.indexOf('/');
      String host = slash < 0 ? trimmed : trimmed.substring(0, slash);
      InetAddress address = host.indexOf(':') >= 0 || host.startsWith("[") ? literal(host) : ipv4(host);
      if (address == null) {
        throw new IllegalArgumentException("trustedProxies: not an IP address or CIDR block: " + text);
      }
      byte[] bytes = address.getAddress();
      int prefix = bytes.length * 8;
      if (slash >= 0) {
        try {
          prefix = Integer.parseInt(trimmed.substring(slash + 1));
        } catch (NumberFormatException e) {
          prefix = -1;
        }
        if (prefix < 0 || prefix > bytes.length * 8) {
          throw new IllegalArgumentException("trustedProxies: bad prefix length in " + text);
        }
      }
      return new Block(bytes, prefix, trimmed);
    }

    boolean contains(InetAddress candidate) {
      byte[] other = candidate.getAddress();
      if (other.length != address.length) {
        return false;
      }
      int bits = prefix;
      for (int i = 0; i < address.length && bits > 0; i++, bits -= 8) {
        int mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
        if ((address[i] & mask) != (other[i] & mask)) {
          return false;
        }
      }
      return true;
    }

    @Override
    public String toString() {
      return text;
    }
  }
}
