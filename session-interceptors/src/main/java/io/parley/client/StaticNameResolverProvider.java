package io.parley.client;

import io.grpc.EquivalentAddressGroup;
import io.grpc.NameResolver;
import io.grpc.NameResolverProvider;
import io.grpc.Status;
import io.grpc.StatusOr;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Resolves {@code static:///host1:port1,host2:port2} to a fixed list of replicas, one address
 * group each, so that round-robin spreads calls over them. Host names are looked up on start and
 * on every refresh (grpc-java refreshes after a connection fails), so a replica whose address
 * changes is found again. Registered through {@code META-INF/services} below DNS's priority, so
 * bare {@code host:port} targets keep going to DNS; {@link ParleyChannels} also accepts the bare
 * list {@code h1:p1,h2:p2}.
 */
public final class StaticNameResolverProvider extends NameResolverProvider {
  static final String SCHEME = "static";

  @Override
  protected boolean isAvailable() {
    return true;
  }

  /** Below DNS (5), so that this provider never becomes the default scheme. */
  @Override
  protected int priority() {
    return 3;
  }

  @Override
  public String getDefaultScheme() {
    return SCHEME;
  }

  @Override
  public Collection<Class<? extends SocketAddress>> getProducedSocketAddressTypes() {
    return List.of(InetSocketAddress.class);
  }

  @Override
  public NameResolver newNameResolver(URI targetUri, NameResolver.Args args) {
    if (!SCHEME.equals(targetUri.getScheme())) {
      return null;
    }
    String list = targetUri.getPath() == null ? "" : targetUri.getPath().replaceFirst("^/", "");
    List<HostPort> replicas = new ArrayList<>();
    for (String hostPort : list.split(",")) {
      if (!hostPort.isBlank()) {
        replicas.add(HostPort.parse(hostPort.trim()));
      }
    }
    if (replicas.isEmpty()) {
      throw new IllegalArgumentException("static target names no address: " + targetUri);
    }
    return new StaticNameResolver(List.copyOf(replicas));
  }

  private record HostPort(String host, int port) {
    static HostPort parse(String hostPort) {
      int colon = hostPort.lastIndexOf(':');
      if (colon <= 0) {
        throw new IllegalArgumentException("static target entry needs host:port: '" + hostPort + "'");
      }
      try {
        return new HostPort(hostPort.substring(0, colon).replaceAll("^\\[|]$", ""),
            Integer.parseInt(hostPort.substring(colon + 1)));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("static target entry has a bad port: '" + hostPort + "'");
      }
    }
  }

  private static final class StaticNameResolver extends NameResolver {
    private final List<HostPort> replicas;
    private Listener2 listener;

    StaticNameResolver(List<HostPort> replicas) {
      this.replicas = replicas;
    }

    @Override
    public String getServiceAuthority() {
      return replicas.get(0).host();
    }

    @Override
    public void start(Listener2 listener) {
      this.listener = listener;
      resolve();
    }

    @Override
    public void refresh() {
      if (listener != null) {
        resolve();
      }
    }

    private void resolve() {
      List<EquivalentAddressGroup> groups = new ArrayList<>();
      List<String> unresolved = new ArrayList<>();
      for (HostPort replica : replicas) {
        InetSocketAddress address = new InetSocketAddress(replica.host(), replica.port());
        if (address.isUnresolved()) {
          unresolved.add(replica.host());
        } else {
          groups.add(new EquivalentAddressGroup(address));
        }
      }
      if (groups.isEmpty()) {
        listener.onError(Status.UNAVAILABLE.withDescription("cannot resolve " + unresolved));
        return;
      }
      listener.onResult(ResolutionResult.newBuilder().setAddressesOrError(StatusOr.fromValue(groups)).build());
    }

    @Override
    public void shutdown() {
      listener = null;
    }
  }
}
