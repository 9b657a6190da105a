package io.parley.gateway;

import static java.util.Objects.requireNonNull;

import com.google.api.AnnotationsProto;
import com.google.api.FieldBehaviorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.Descriptors.DescriptorValidationException;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import com.google.protobuf.ExtensionRegistry;
import com.google.protobuf.InvalidProtocolBufferException;
import io.parley.common.v1.AuthProto;
import io.parley.common.v1.ErrorReasonProto;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The files and services of a {@code FileDescriptorSet}, linked into descriptors with their
 * options ({@code google.api.http}, {@code google.api.field_behavior}, {@code
 * (parley.common.v1.auth)}) parsed and their source comments kept. Everything the gateway does
 * comes from here. Immutable and thread-safe.
 */
final class ServiceCatalog {
  /** The classpath resource of the Parley descriptor set, built by the {@code proto} module. */
  static final String PARLEY_DESCRIPTOR_SET = "/io/parley/proto/parley.binpb";

  private static final ExtensionRegistry EXTENSIONS = newExtensionRegistry();

  private final List<FileDescriptor> files;
  private final List<ServiceDescriptor> services;
  private final SourceComments comments;

  private ServiceCatalog(List<FileDescriptor> files, SourceComments comments) {
    this.files = List.copyOf(files);
    List<ServiceDescriptor> all = new ArrayList<>();
    files.forEach(file -> all.addAll(file.getServices()));
    this.services = List.copyOf(all);
    this.comments = comments;
  }

  /** The Parley descriptor set from the classpath. */
  static FileDescriptorSet parleyDescriptorSet() {
    try (InputStream in = ServiceCatalog.class.getResourceAsStream(PARLEY_DESCRIPTOR_SET)) {
      if (in == null) {
        throw new IllegalStateException(
            PARLEY_DESCRIPTOR_SET + " is not on the classpath: the gateway needs the parley-proto jar");
      }
      return FileDescriptorSet.parseFrom(in, EXTENSIONS);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + PARLEY_DESCRIPTOR_SET, e);
    }
  }

  /**
   * Links every file of {@code set}. The set must be closed under imports (protoc's {@code
   * --include_imports}).
   *
   * @throws IllegalArgumentException if a file imports one the set lacks, or does not link
   */
  static ServiceCatalog of(FileDescriptorSet set) {
    requireNonNull(set, "set");
    Map<String, FileDescriptorProto> protos = new LinkedHashMap<>();
    for (FileDescriptorProto file : set.getFileList()) {
      protos.put(file.getName(), withExtensions(file));
    }
    Map<String, FileDescriptor> built = new LinkedHashMap<>();
    for (String name : protos.keySet()) {
      build(name, protos, built, new HashSet<>());
    }
    List<FileDescriptor> files = new ArrayList<>(built.values());
    return new ServiceCatalog(files, SourceComments.of(files, protos));
  }

  List<FileDescriptor> files() {
    return files;
  }

  /** Every service of every file, in file order. */
  List<ServiceDescriptor> services() {
    return services;
  }

  SourceComments comments() {
    return comments;
  }

  /** The service named {@code fullName}, or null. */
  ServiceDescriptor service(String fullName) {
    for (ServiceDescriptor service : services) {
      if (service.getFullName().equals(fullName)) {
        return service;
      }
    }
    return null;
  }

  /** Options parsed without our registry keep extensions as unknown fields; parse them again with it. */
  private static FileDescriptorProto withExtensions(FileDescriptorProto file) {
    try {
      return FileDescriptorProto.parseFrom(file.toByteString(), EXTENSIONS);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("cannot re-read " + file.getName(), e);
    }
  }

  private static FileDescriptor build(
      String name, Map<String, FileDescriptorProto> protos, Map<String, FileDescriptor> built, Set<String> visiting) {
    FileDescriptor done = built.get(name);
    if (done != null) {
      return done;
    }
    FileDescriptorProto proto = protos.get(name);
    if (proto == null) {
      throw new IllegalArgumentException("the descriptor set lacks " + name + ": build it with its imports included");
    }
    if (!visiting.add(name)) {
      throw new IllegalArgumentException("import cycle through " + name);
    }
    FileDescriptor[] dependencies = new FileDescriptor[proto.getDependencyCount()];
    for (int i = 0; i < dependencies.length; i++) {
      dependencies[i] = build(proto.getDependency(i), protos, built, visiting);
    }
    try {
      FileDescriptor file = FileDescriptor.buildFrom(proto, dependencies);
      built.put(name, file);
      return file;
    } catch (DescriptorValidationException e) {
      throw new IllegalArgumentException("cannot link " + name + ": " + e.getMessage(), e);
    }
  }

  private static ExtensionRegistry newExtensionRegistry() {
    ExtensionRegistry registry = ExtensionRegistry.newInstance();
    registry.add(AnnotationsProto.http);
    registry.add(FieldBehaviorProto.fieldBehavior);
    registry.add(AuthProto.auth);
    registry.add(AuthProto.errors);
    registry.add(ErrorReasonProto.code);
    return registry.getUnmodifiable();
  }
}
