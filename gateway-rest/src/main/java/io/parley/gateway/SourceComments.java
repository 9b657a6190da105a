package io.parley.gateway;

import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.SourceCodeInfo.Location;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.GenericDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The comments written above (or, failing that, after) each message, field, enum, enum value,
 * service and method, from the {@code source_code_info} protoc keeps when asked to. Immutable and
 * thread-safe.
 */
final class SourceComments {
  // Field numbers in descriptor.proto that source paths are made of.
  private static final int FILE_MESSAGE = 4;
  private static final int FILE_ENUM = 5;
  private static final int FILE_SERVICE = 6;
  private static final int MESSAGE_FIELD = 2;
  private static final int MESSAGE_NESTED = 3;
  private static final int MESSAGE_ENUM = 4;
  private static final int ENUM_VALUE = 2;
  private static final int SERVICE_METHOD = 2;

  private final Map<String, String> byFullName;

  private SourceComments(Map<String, String> byFullName) {
    this.byFullName = Map.copyOf(byFullName);
  }

  static SourceComments of(List<FileDescriptor> files, Map<String, FileDescriptorProto> protos) {
    Map<String, String> comments = new HashMap<>();
    for (FileDescriptor file : files) {
      FileDescriptorProto proto = protos.get(file.getName());
      if (proto == null || !proto.hasSourceCodeInfo()) {
        continue;
      }
      Map<List<Integer>, String> byPath = new HashMap<>();
      for (Location location : proto.getSourceCodeInfo().getLocationList()) {
        String text = clean(location.hasLeadingComments() ? location.getLeadingComments() : location.getTrailingComments());
        if (!text.isEmpty()) {
          byPath.put(location.getPathList(), text);
        }
      }
      new Walker(byPath, comments).file(file);
    }
    return new SourceComments(comments);
  }

  /** The comment of {@code descriptor}; empty if it has none. */
  String of(GenericDescriptor descriptor) {
    return byFullName.getOrDefault(descriptor.getFullName(), "");
  }

  /** The first sentence of a comment, for summaries; "e.g." and the like do not end one. */
  static String firstSentence(String comment) {
    String text = comment.strip().replace('\n', ' ');
    int paragraph = comment.strip().indexOf("\n\n");
    int end = paragraph < 0 ? text.length() : paragraph;
    for (int dot = text.indexOf(". "); dot >= 0 && dot < end; dot = text.indexOf(". ", dot + 1)) {
      String before = text.substring(0, dot + 1).toLowerCase(Locale.ROOT);
      if (!before.endsWith("e.g.") && !before.endsWith("i.e.") && !before.endsWith("etc.") && !before.endsWith("vs.")) {
        end = dot + 1;
        break;
      }
    }
    return text.substring(0, end).strip();
  }

  private static String clean(String raw) {
    List<String> lines = new ArrayList<>();
    for (String line : raw.split("\n", -1)) {
      lines.add(line.startsWith(" ") ? line.substring(1).stripTrailing() : line.stripTrailing());
    }
    return String.join("\n", lines).strip();
  }

  private record Walker(Map<List<Integer>, String> byPath, Map<String, String> out) {
    void file(FileDescriptor file) {
      for (Descriptor message : file.getMessageTypes()) {
        message(message, List.of(FILE_MESSAGE, message.getIndex()));
      }
      for (EnumDescriptor type : file.getEnumTypes()) {
        enumType(type, List.of(FILE_ENUM, type.getIndex()));
      }
      for (ServiceDescriptor service : file.getServices()) {
        List<Integer> path = List.of(FILE_SERVICE, service.getIndex());
        put(service, path);
        for (MethodDescriptor method : service.getMethods()) {
          put(method, append(path, SERVICE_METHOD, method.getIndex()));
        }
      }
    }

    private void message(Descriptor message, List<Integer> path) {
      put(message, path);
      for (FieldDescriptor field : message.getFields()) {
        put(field, append(path, MESSAGE_FIELD, field.getIndex()));
      }
      for (Descriptor nested : message.getNestedTypes()) {
        message(nested, append(path, MESSAGE_NESTED, nested.getIndex()));
      }
      for (EnumDescriptor type : message.getEnumTypes()) {
        enumType(type, append(path, MESSAGE_ENUM, type.getIndex()));
      }
    }

    private void enumType(EnumDescriptor type, List<Integer> path) {
      put(type, path);
      type.getValues().forEach(value -> put(value, append(path, ENUM_VALUE, value.getIndex())));
    }

    private void put(GenericDescriptor descriptor, List<Integer> path) {
      String text = byPath.get(path);
      if (text != null) {
        out.put(descriptor.getFullName(), text);
      }
    }

    private static List<Integer> append(List<Integer> path, int kind, int index) {
      List<Integer> longer = new ArrayList<>(path.size() + 2);
      longer.addAll(path);
      longer.add(kind);
      longer.add(index);
      return List.copyOf(longer);
    }
  }
}
