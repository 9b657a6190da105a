package io.parley.gateway;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.Any;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import com.google.rpc.BadRequest;
import com.google.rpc.DebugInfo;
import com.google.rpc.ErrorInfo;
import com.google.rpc.Help;
import com.google.rpc.LocalizedMessage;
import com.google.rpc.PreconditionFailure;
import com.google.rpc.QuotaFailure;
import com.google.rpc.RequestInfo;
import com.google.rpc.ResourceInfo;
import com.google.rpc.RetryInfo;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proto3 JSON mapping as the gateway speaks it: lowerCamelCase names out (both spellings in),
 * every field printed even at its default (so clients see {@code "unreadCount": 0} rather than
 * nothing), enums by name, 64-bit integers as strings, well-known types in their JSON forms, and
 * {@code Any} (error details) with its {@code @type}. Thread-safe.
 */
final class ProtoJson {
  private static final Logger logger = LoggerFactory.getLogger(ProtoJson.class);

  /** The google.rpc error detail types, printed in error bodies. */
  static final List<Descriptor> ERROR_DETAIL_TYPES = List.of(
      ErrorInfo.getDescriptor(), RetryInfo.getDescriptor(), DebugInfo.getDescriptor(),
      QuotaFailure.getDescriptor(), PreconditionFailure.getDescriptor(), BadRequest.getDescriptor(),
      RequestInfo.getDescriptor(), ResourceInfo.getDescriptor(), Help.getDescriptor(),
      LocalizedMessage.getDescriptor());

  private final JsonFormat.Printer printer;
  private final JsonFormat.Parser parser;

  ProtoJson(ServiceCatalog catalog) {
    JsonFormat.TypeRegistry.Builder types = JsonFormat.TypeRegistry.newBuilder();
    types.add(ERROR_DETAIL_TYPES);
    for (FileDescriptor file : catalog.files()) {
      types.add(file.getMessageTypes());
    }
    JsonFormat.TypeRegistry registry = types.build();
    this.printer = JsonFormat.printer()
        .usingTypeRegistry(registry)
        .includingDefaultValueFields()
        .omittingInsignificantWhitespace();
    this.parser = JsonFormat.parser().usingTypeRegistry(registry);
  }

  /** The parser for request bodies: rejects unknown fields, accepts both field-name spellings. */
  JsonFormat.Parser parser() {
    return parser;
  }

  /** One line of JSON. */
  String print(MessageOrBuilder message) {
    try {
      return printer.print(message);
    } catch (InvalidProtocolBufferException e) {
      // Only an Any whose type is in no descriptor gets here.
      throw new IllegalStateException("cannot print " + message.getDescriptorForType().getFullName() + " as JSON", e);
    }
  }

  /** The JSON of a response: the whole message, or the route's {@code response_body} field. */
  String printResponse(Route route, Message response) {
    FieldDescriptor field = route.responseBodyField();
    if (field == null) {
      return print(response);
    }
    if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE && !field.isRepeated()) {
      return print((Message) response.getField(field));
    }
    JsonObject whole = JsonParser.parseString(print(response)).getAsJsonObject();
    JsonElement value = whole.get(field.getJsonName());
    return value == null ? "null" : value.toString();
  }

  /** The details of an error, each with its {@code @type}; a detail of a type no descriptor knows is left out. */
  JsonArray details(com.google.rpc.Status status) {
    JsonArray details = new JsonArray();
    for (Any detail : status.getDetailsList()) {
      try {
        details.add(JsonParser.parseString(printer.print(detail)));
      } catch (InvalidProtocolBufferException e) {
        logger.debug("error detail of unknown type {} left out", detail.getTypeUrl());
      }
    }
    return details;
  }
}
