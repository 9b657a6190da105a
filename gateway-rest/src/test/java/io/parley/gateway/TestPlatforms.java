package io.parley.gateway;

import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import io.grpc.BindableService;
import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.parley.auth.TokenKeys;
import io.parley.server.ParleyServer;
import io.parley.server.Platform;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/** Real platforms, in-process servers and descriptor sets for the gateway's tests. */
final class TestPlatforms {
  private TestPlatforms() {}

  /** A platform with the memory store and an HMAC key, as the embedded mode runs. */
  static Platform platform() {
    return Platform.builder(TokenKeys.hmac("gateway-tests-0123456789abcdef0123456789".getBytes(StandardCharsets.UTF_8)))
        .build();
  }

  /** Starts the services in-process behind the platform's real interceptors; returns the server's name. */
  static ParleyServer serve(Platform platform, String name, BindableService... services) {
    ParleyServer.Builder builder = platform.serverBuilder().inProcess(name).threads(4);
    for (BindableService service : services) {
      builder.addService(service);
    }
    return builder.build().start();
  }

  static ManagedChannel channel(String name) {
    return InProcessChannelBuilder.forName(name).build();
  }

  /**
   * A local port that refuses connections for as long as the returned socket stays open: bound,
   * never listening, so no server started later in the run can take it (a port merely closed
   * can be handed out again, and the "dead" upstream then answers, or hangs).
   */
  static Socket deadPort() {
    try {
      Socket socket = new Socket();
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      return socket;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String uniqueName(String prefix) {
    return prefix + "-" + UUID.randomUUID();
  }

  /** The descriptor set of echo.proto (with its imports), built by the test-compile. */
  static FileDescriptorSet echoDescriptorSet() {
    try (InputStream in = TestPlatforms.class.getResourceAsStream("/io/parley/gateway/echo.binpb")) {
      return FileDescriptorSet.parseFrom(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The files of several sets, each file once. */
  static FileDescriptorSet merge(FileDescriptorSet... sets) {
    Map<String, FileDescriptorProto> files = new LinkedHashMap<>();
    for (FileDescriptorSet set : sets) {
      set.getFileList().forEach(file -> files.putIfAbsent(file.getName(), file));
    }
    return FileDescriptorSet.newBuilder().addAllFile(files.values()).build();
  }

  static FileDescriptorSet parleyDescriptorSet() {
    return ServiceCatalog.parleyDescriptorSet();
  }
}
