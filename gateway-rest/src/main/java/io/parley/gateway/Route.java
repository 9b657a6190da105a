package io.parley.gateway;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import io.netty.handler.codec.http.HttpMethod;
import io.parley.common.v1.AuthLevel;
import java.util.ArrayList;
import java.util.List;

/**
 * One HTTP binding of a gRPC method: a {@code google.api.http} rule or one of its {@code
 * additional_bindings}, checked against the request and response types when the gateway starts.
 *
 * @param httpMethod the HTTP method
 * @param template the path template
 * @param method the gRPC method it calls
 * @param bindingIndex 0 for the rule itself, n for its nth additional binding
 * @param body {@code ""} (no body), {@code "*"} (the body is the request, less the path
 *     variables) or the name of the top-level request field the body fills
 * @param responseBody {@code ""} (the whole response) or the response field to answer with
 * @param auth the method's {@code (parley.common.v1.auth)} level, SESSION when unset
 * @param variableFields for each template variable, in order, the fields its path names
 */
record Route(
    HttpMethod httpMethod,
    PathTemplate template,
    MethodDescriptor method,
    int bindingIndex,
    String body,
    String responseBody,
    AuthLevel auth,
    List<List<FieldDescriptor>> variableFields) {

  Route {
    requireNonNull(httpMethod, "httpMethod");
    requireNonNull(template, "template");
    requireNonNull(method, "method");
    requireNonNull(body, "body");
    requireNonNull(responseBody, "responseBody");
    requireNonNull(auth, "auth");
    variableFields = List.copyOf(variableFields);
  }

  /**
   * A route whose template variables, body and response body name real fields.
   *
   * @throws IllegalArgumentException naming the method and what is wrong
   */
  static Route of(HttpMethod httpMethod, String template, MethodDescriptor method, int bindingIndex,
      String body, String responseBody, AuthLevel auth) {
    String where = method.getFullName() + " (" + httpMethod + " " + template + ")";
    PathTemplate parsed;
    try {
      parsed = PathTemplate.parse(template);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
    }
    List<List<FieldDescriptor>> variableFields = new ArrayList<>();
    for (PathTemplate.Variable variable : parsed.variables()) {
      List<FieldDescriptor> path = resolve(method.getInputType(), variable.fieldPath());
      if (path == null) {
        throw new IllegalArgumentException(where + ": no field " + variable.fieldPath() + " in "
            + method.getInputType().getFullName());
      }
      FieldDescriptor leaf = path.get(path.size() - 1);
      if (leaf.isRepeated() || (leaf.getJavaType() == FieldDescriptor.JavaType.MESSAGE
          && !WellKnownTypes.hasStringForm(leaf.getMessageType()))) {
        throw new IllegalArgumentException(where + ": path variable " + variable.fieldPath()
            + " must name a singular scalar field");
      }
      variableFields.add(List.copyOf(path));
    }
    if (!body.isEmpty() && !body.equals("*")) {
      FieldDescriptor field = method.getInputType().findFieldByName(body);
      if (field == null) {
        throw new IllegalArgumentException(where + ": body names no top-level field '" + body + "'");
      }
    }
    if (!responseBody.isEmpty() && method.getOutputType().findFieldByName(responseBody) == null) {
      throw new IllegalArgumentException(where + ": response_body names no top-level field '" + responseBody + "'");
    }
    return new Route(httpMethod, parsed, method, bindingIndex, body, responseBody, auth, variableFields);
  }

  /** The fields a dotted proto field path names, or null if one is missing or crosses a non-message field. */
  static List<FieldDescriptor> resolve(Descriptor type, String fieldPath) {
    List<FieldDescriptor> path = new ArrayList<>();
    Descriptor current = type;
    String[] names = fieldPath.split("\\.");
    for (int i = 0; i < names.length; i++) {
      if (current == null) {
        return null;
      }
      FieldDescriptor field = current.findFieldByName(names[i]);
      if (field == null) {
        return null;
      }
      path.add(field);
      boolean last = i == names.length - 1;
      if (!last && (field.isRepeated() || field.getJavaType() != FieldDescriptor.JavaType.MESSAGE)) {
        return null;
      }
      current = field.getJavaType() == FieldDescriptor.JavaType.MESSAGE ? field.getMessageType() : null;
    }
    return path;
  }

  /** E.g. {@code parley.user.v1.UserService}. */
  String serviceName() {
    return method.getService().getFullName();
  }

  /** E.g. {@code parley.user.v1.UserService/GetUser}, as gRPC names it. */
  String fullMethodName() {
    return serviceName() + "/" + method.getName();
  }

  /** E.g. {@code UserService_GetUser}, or {@code UserService_Logout_1} for an additional binding. */
  String operationId() {
    String id = method.getService().getName() + "_" + method.getName();
    return bindingIndex == 0 ? id : id + "_" + bindingIndex;
  }

  boolean isStreaming() {
    return method.isServerStreaming();
  }

  /** The field the body fills, or null when the body is absent or {@code "*"}. */
  FieldDescriptor bodyField() {
    return body.isEmpty() || body.equals("*") ? null : method.getInputType().findFieldByName(body);
  }

  /** The response field answered with, or null for the whole response. */
  FieldDescriptor responseBodyField() {
    return responseBody.isEmpty() ? null : method.getOutputType().findFieldByName(responseBody);
  }

  @Override
  public String toString() {
    return httpMethod + " " + template + " -> " + fullMethodName();
  }
}
