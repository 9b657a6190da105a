package io.parley.error;

import static java.util.Objects.requireNonNull;

import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import com.google.rpc.RetryInfo;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.parley.common.v1.ErrorReason;
import io.parley.redis.RedisCalls;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;
import redis.clients.jedis.exceptions.JedisException;

/**
 * An ordered table from exception types to {@link ParleyException}: the first entry whose type
 * matches wins, so list the most specific types first. Whatever no entry matches becomes
 * INTERNAL_ERROR "internal error".
 *
 * <p>The {@linkplain #defaults() defaults} map, in order: {@link ParleyException} to itself; a gRPC
 * status from a downstream call to the same Parley reason if it carries one, else by code
 * (UNAVAILABLE to UPSTREAM_UNAVAILABLE, DEADLINE_EXCEEDED, CANCELLED); a Redis that cannot serve
 * now (see {@link RedisCalls}) to STORE_UNAVAILABLE; a rejected task to SERVER_BUSY. Immutable and
 * thread-safe.
 */
public final class ErrorMapping {
  private static final ErrorMapping DEFAULTS = builder().build();

  private final List<Entry<?>> entries;

  private ErrorMapping(List<Entry<?>> entries) {
    this.entries = List.copyOf(entries);
  }

  public static ErrorMapping defaults() {
    return DEFAULTS;
  }

  /** A builder pre-filled with the defaults; entries added to it are tried before them. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The Parley error for {@code t}. Returns {@code t} itself if it is a {@link ParleyException}
   * (unless a custom entry says otherwise), and an INTERNAL_ERROR for anything unknown.
   */
  public ParleyException map(Throwable t) {
    requireNonNull(t, "t");
    for (Entry<?> entry : entries) {
      ParleyException mapped = entry.tryMap(t);
      if (mapped != null) {
        return mapped;
      }
    }
    return internalError(t);
  }

  /** Whether {@code mapped}, produced by {@link #map(Throwable)}, means an unexpected failure. */
  public static boolean isUnexpected(ParleyException mapped) {
    return mapped.reason() == ErrorReason.INTERNAL_ERROR;
  }

  static ParleyException internalError(Throwable cause) {
    return ParleyException.builder(ErrorReason.INTERNAL_ERROR).message("internal error").cause(cause).build();
  }

  /** A status from another service: keep its Parley reason if it has one, else map by code. */
  static ParleyException fromStatus(Status status, com.google.rpc.Status details, Throwable t) {
    if (details != null) {
      for (com.google.protobuf.Any any : details.getDetailsList()) {
        if (any.is(ErrorInfo.class)) {
          ErrorInfo info = unpack(any, ErrorInfo.class);
          if (info != null && ErrorReasons.DOMAIN.equals(info.getDomain())) {
            return fromParleyDetails(status, info, details, t);
          }
        }
      }
    }
    // Without Parley details, only a transport outcome says something the caller can act on;
    // any other bare status from a peer is a bug somewhere, reported as INTERNAL_ERROR.
    return switch (status.getCode()) {
      case UNAVAILABLE, DEADLINE_EXCEEDED, CANCELLED -> ParleyException.builder(ErrorReasons.genericReason(status.getCode()))
          .message(status.getCode() == Status.Code.UNAVAILABLE
              ? "a service this call depends on is unavailable"
              : status.getCode() == Status.Code.DEADLINE_EXCEEDED ? "deadline exceeded" : "cancelled")
          .cause(t)
          .build();
      default -> internalError(t);
    };
  }

  private static ParleyException fromParleyDetails(
      Status status, ErrorInfo info, com.google.rpc.Status details, Throwable t) {
    ParleyException.Builder builder =
        ParleyException.builder(ErrorReasons.fromName(info.getReason()))
            .message(status.getDescription() == null ? info.getReason() : status.getDescription())
            .cause(t);
    info.getMetadataMap().forEach(builder::metadata);
    for (com.google.protobuf.Any any : details.getDetailsList()) {
      if (any.is(BadRequest.class)) {
        BadRequest badRequest = unpack(any, BadRequest.class);
        if (badRequest != null) {
          badRequest.getFieldViolationsList().forEach(v -> builder.violation(v.getField(), v.getDescription()));
        }
      } else if (any.is(RetryInfo.class)) {
        RetryInfo retry = unpack(any, RetryInfo.class);
        if (retry != null && retry.hasRetryDelay()) {
          builder.retryAfter(Duration.ofSeconds(retry.getRetryDelay().getSeconds(), retry.getRetryDelay().getNanos()));
        }
      }
    }
    return builder.build();
  }

  private static <T extends com.google.protobuf.Message> T unpack(com.google.protobuf.Any any, Class<T> type) {
    try {
      return any.unpack(type);
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      return null;
    }
  }

  private record Entry<T extends Throwable>(Class<T> type, Function<? super T, ParleyException> mapper) {
    ParleyException tryMap(Throwable t) {
      return type.isInstance(t) ? mapper.apply(type.cast(t)) : null;
    }
  }

  /** Builds an {@link ErrorMapping}. Not thread-safe. */
  public static final class Builder {
    private final List<Entry<?>> custom = new ArrayList<>();

    private Builder() {}

    /**
     * Maps exceptions of {@code type} (and its subtypes) with {@code mapper}, which may return
     * null to let later entries try. Entries are tried in the order added, before the defaults.
     */
    public <T extends Throwable> Builder on(Class<T> type, Function<? super T, ParleyException> mapper) {
      custom.add(new Entry<>(requireNonNull(type, "type"), requireNonNull(mapper, "mapper")));
      return this;
    }

    public ErrorMapping build() {
      List<Entry<?>> all = new ArrayList<>(custom);
      all.add(new Entry<>(ParleyException.class, e -> e));
      all.add(new Entry<>(StatusRuntimeException.class,
          e -> fromStatus(e.getStatus(), StatusProto.fromThrowable(e), e)));
      all.add(new Entry<>(StatusException.class,
          e -> fromStatus(e.getStatus(), StatusProto.fromThrowable(e), e)));
      all.add(new Entry<>(JedisException.class,
          e -> RedisCalls.isUnavailable(e) ? storeUnavailable(e) : null));
      all.add(new Entry<>(RejectedExecutionException.class,
          e -> ParleyException.builder(ErrorReason.SERVER_BUSY).message("server busy, retry").cause(e).build()));
      return new ErrorMapping(all);
    }
  }

  private static ParleyException storeUnavailable(Throwable e) {
    return ParleyException.builder(ErrorReason.STORE_UNAVAILABLE).message("data store unavailable, retry").cause(e).build();
  }
}
