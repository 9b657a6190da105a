package io.parley.client;

import io.grpc.EquivalentAddressGroup;
import io.grpc.NameResolver;
import io.grpc.NameResolverProvider;
import io.grpc.StatusOr;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Resolves {@code static:///host1:port1,host2:port2} to a fixed list of replicas, one address
 * group each, so that round-robin spreads calls over them. Registered through {@code
 * META-INF/services}; {@link ParleyChannels} also accepts the bare list {@code h1:p1,h2:p2}.
 */
public final class StaticNameResolverProvider extends NameResolverProvider {
  static final String SCHEME = "static";

  @Override
  protected boolean isAvailable() {
    return true;
  }

  @Override
  protected int priority() {
    return 5;
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
    List<EquivalentAddressGroup> groups = new ArrayList<>();
    for (String hostPort : list.split(",")) {
      if (hostPort.isBlank()) {
        continue;
      }
      int colon = hostPort.lastIndexOf(':');
      if (colon <= 0) {
        throw new IllegalArgumentException("static target entry needs host:port: '" + hostPort + "'");
      }
      int port = Integer.parseInt(hostPort.substring(colon + 1).trim());
      String host = hostPort.substring(0, colon).trim().replaceAll("^\\[|]$", "");
      groups.add(new EquivalentAddressGroup(new InetSocketAddress(host, port)));
    }
    if (groups.isEmpty()) {
      throw new IllegalArgumentException("static target names no address: " + targetUri);
    }
    List<EquivalentAddressGroup> addresses = List.copyOf(groups);
    return new NameResolver() {
      @Override
      public String getServiceAuthority() {
        return "parley";
      }

      @Override
      public void start(Listener2 listener) {
        listener.onResult(ResolutionResult.newBuilder()
            .setAddressesOrError(StatusOr.fromValue(addresses))
            .build());
      }

      @Override
      public void refresh() {}

      @Override
      public void shutdown() {}
    };
  }

}
