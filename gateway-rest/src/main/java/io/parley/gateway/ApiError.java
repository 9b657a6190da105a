package io.parley.gateway;

import static java.util.Objects.requireNonNull;

import com.google.gson.JsonObject;
import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.ErrorInfo;
import com.google.rpc.RetryInfo;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.protobuf.ProtoUtils;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.parley.common.v1.ErrorReason;
import io.parley.error.ErrorReasons;
import io.parley.error.ErrorStatuses;
import io.parley.error.ParleyException;
import java.util.Locale;

/**
 * An error as an HTTP client receives it: a status code by the {@code google.rpc.Code} table, and
 * an AIP-193 body built from a {@code google.rpc.Status} with the same details the services send
 * ({@code ErrorInfo}, {@code RequestInfo}, {@code BadRequest}, {@code RetryInfo}, {@code
 * LocalizedMessage}), whether the error comes from a service or from the gateway itself:
 *
 * <pre>{"error":{"code":404,"status":"NOT_FOUND","message":"…","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo",…}]}}</pre>
 *
 * @param httpStatus the HTTP status
 * @param status the gRPC status with its details
 */
record ApiError(HttpResponseStatus httpStatus, com.google.rpc.Status status) {
  /** Client Closed Request, nginx's code, which google.rpc.Code maps CANCELLED to. */
  static final HttpResponseStatus CLIENT_CLOSED_REQUEST = new HttpResponseStatus(499, "Client Closed Request");

  private static final Metadata.Key<com.google.rpc.Status> STATUS_DETAILS =
      Metadata.Key.of("grpc-status-details-bin", ProtoUtils.metadataMarshaller(com.google.rpc.Status.getDefaultInstance()));

  ApiError {
    requireNonNull(httpStatus, "httpStatus");
    requireNonNull(status, "status");
  }

  /** A gateway-side error, with the HTTP status its reason calls for (405, 413 and 415 where HTTP has one). */
  static ApiError of(ParleyException error, String requestId, Locale locale) {
    HttpResponseStatus http = switch (error.reason()) {
      case METHOD_NOT_ALLOWED -> HttpResponseStatus.METHOD_NOT_ALLOWED;
      case REQUEST_TOO_LARGE -> HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE;
      case UNSUPPORTED_MEDIA_TYPE -> HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE;
      default -> httpStatus(ErrorReasons.code(error.reason()));
    };
    return new ApiError(http, ErrorStatuses.toRpcStatus(error, requestId, locale));
  }

  /**
   * The error a service answered with. A status that carries {@code google.rpc.Status} details
   * (every Parley service's does) is passed on as it is; a bare one, which the channel makes when
   * the service cannot be reached or the deadline passes, gets the same details as a gateway-side
   * error, with a fixed message: its own description may name hosts and ports.
   */
  static ApiError fromUpstream(Status status, Metadata trailers, String requestId, Locale locale) {
    com.google.rpc.Status details = trailers == null ? null : trailers.get(STATUS_DETAILS);
    if (details != null && details.getCode() == status.getCode().value()) {
      return new ApiError(httpStatus(status.getCode()), details);
    }
    ErrorReason reason = ErrorReasons.genericReason(status.getCode());
    String message = switch (status.getCode()) {
      case UNAVAILABLE -> "the service is unavailable; retry shortly";
      case DEADLINE_EXCEEDED -> "deadline exceeded";
      case CANCELLED -> "cancelled";
      case UNIMPLEMENTED -> "not implemented by the service";
      default -> status.getDescription() == null ? status.getCode().name() : status.getDescription();
    };
    ParleyException error = reason == null
        ? ParleyException.builder(ErrorReason.INTERNAL_ERROR).message("internal error").build()
        : ParleyException.builder(reason).message(message).build();
    return new ApiError(httpStatus(ErrorReasons.code(error.reason())), ErrorStatuses.toRpcStatus(error, requestId, locale));
  }

  /** The HTTP status for a gRPC code, as {@code google/rpc/code.proto} documents it. */
  static HttpResponseStatus httpStatus(Status.Code code) {
    return switch (code) {
      case OK -> HttpResponseStatus.OK;
      case CANCELLED -> CLIENT_CLOSED_REQUEST;
      case UNKNOWN, INTERNAL, DATA_LOSS -> HttpResponseStatus.INTERNAL_SERVER_ERROR;
      case INVALID_ARGUMENT, FAILED_PRECONDITION, OUT_OF_RANGE -> HttpResponseStatus.BAD_REQUEST;
      case DEADLINE_EXCEEDED -> HttpResponseStatus.GATEWAY_TIMEOUT;
      case NOT_FOUND -> HttpResponseStatus.NOT_FOUND;
      case ALREADY_EXISTS, ABORTED -> HttpResponseStatus.CONFLICT;
      case PERMISSION_DENIED -> HttpResponseStatus.FORBIDDEN;
      case UNAUTHENTICATED -> HttpResponseStatus.UNAUTHORIZED;
      case RESOURCE_EXHAUSTED -> HttpResponseStatus.TOO_MANY_REQUESTS;
      case UNIMPLEMENTED -> HttpResponseStatus.NOT_IMPLEMENTED;
      case UNAVAILABLE -> HttpResponseStatus.SERVICE_UNAVAILABLE;
    };
  }

  /** The same error under another HTTP status (431 or 414 for oversized headers, say). */
  ApiError withHttpStatus(HttpResponseStatus other) {
    return new ApiError(other, status);
  }

  /** The Parley reason in the {@code ErrorInfo} detail, or null if there is none. */
  ErrorReason reason() {
    ErrorInfo info = detail(ErrorInfo.class);
    return info == null || !ErrorReasons.DOMAIN.equals(info.getDomain()) ? null : ErrorReasons.fromName(info.getReason());
  }

  /** The gRPC code name, e.g. {@code NOT_FOUND}. */
  String grpcCode() {
    return Status.fromCodeValue(status.getCode()).getCode().name();
  }

  /** The AIP-193 body. */
  String toJson(ProtoJson json) {
    JsonObject error = new JsonObject();
    error.addProperty("code", httpStatus.code());
    error.addProperty("status", grpcCode());
    error.addProperty("message", status.getMessage());
    error.add("details", json.details(status));
    JsonObject body = new JsonObject();
    body.add("error", error);
    return body.toString();
  }

  /**
   * Adds the headers that go with the error: {@code WWW-Authenticate: Bearer} on 401 (RFC 6750,
   * with {@code error="invalid_token"} when a token was sent but is no good), and {@code
   * Retry-After} when the error says when to retry.
   */
  void addHeaders(HttpHeaders headers) {
    if (httpStatus.code() == HttpResponseStatus.UNAUTHORIZED.code()) {
      headers.set(HttpHeaderNames.WWW_AUTHENTICATE, wwwAuthenticate());
    }
    RetryInfo retry = detail(RetryInfo.class);
    if (retry != null && retry.hasRetryDelay()) {
      long seconds = retry.getRetryDelay().getSeconds() + (retry.getRetryDelay().getNanos() > 0 ? 1 : 0);
      headers.set(HttpHeaderNames.RETRY_AFTER, Long.toString(Math.max(1, seconds)));
    }
  }

  private String wwwAuthenticate() {
    String challenge = "Bearer realm=\"parley\"";
    ErrorReason reason = reason();
    if (reason == null || reason == ErrorReason.TOKEN_MISSING || reason == ErrorReason.INVALID_CREDENTIALS) {
      return challenge;
    }
    if (reason == ErrorReason.AUTH_SCHEME_UNSUPPORTED) {
      return challenge + ", error=\"invalid_request\"";
    }
    return challenge + ", error=\"invalid_token\", error_description=\"" + quotable(status.getMessage()) + "\"";
  }

  /** RFC 6750 limits error_description to %x20-21 / %x23-5B / %x5D-7E. */
  private static String quotable(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      out.append(c >= 0x20 && c <= 0x7e && c != '"' && c != '\\' ? c : ' ');
    }
    return out.toString();
  }

  private <T extends com.google.protobuf.Message> T detail(Class<T> type) {
    for (Any any : status.getDetailsList()) {
      if (any.is(type)) {
        try {
          return any.unpack(type);
        } catch (InvalidProtocolBufferException e) {
          return null;
        }
      }
    }
    return null;
  }

  /** E.g. {@code 401 UNAUTHENTICATED SESSION_KICKED}, for log lines. */
  String describe() {
    ErrorReason reason = reason();
    return httpStatus.code() + " " + grpcCode() + (reason == null ? "" : " " + reason.name());
  }
}
