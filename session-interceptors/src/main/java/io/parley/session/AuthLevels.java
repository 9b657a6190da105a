package io.parley.session;

import com.google.protobuf.DescriptorProtos.MethodOptions;
import io.grpc.MethodDescriptor;
import io.grpc.protobuf.ProtoMethodDescriptorSupplier;
import io.parley.common.v1.AuthLevel;
import io.parley.common.v1.AuthProto;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Reads the {@code (parley.common.v1.auth)} option of a method from its proto descriptor, once per method. */
final class AuthLevels {
  private final Map<String, AuthLevel> levels = new ConcurrentHashMap<>();

  /** SESSION unless the method's descriptor says PUBLIC or INTERNAL; SESSION also for methods without one. */
  AuthLevel of(MethodDescriptor<?, ?> method) {
    return levels.computeIfAbsent(method.getFullMethodName(), name -> read(method));
  }

  static AuthLevel read(MethodDescriptor<?, ?> method) {
    if (method.getSchemaDescriptor() instanceof ProtoMethodDescriptorSupplier supplier) {
      MethodOptions options = supplier.getMethodDescriptor().getOptions();
      if (options.hasExtension(AuthProto.auth)) {
        AuthLevel level = options.getExtension(AuthProto.auth);
        return level == AuthLevel.AUTH_LEVEL_UNSPECIFIED ? AuthLevel.SESSION : level;
      }
    }
    return AuthLevel.SESSION;
  }
}
