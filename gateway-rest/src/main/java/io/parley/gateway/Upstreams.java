package io.parley.gateway;

import static java.util.Objects.requireNonNull;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The channel to each service: the one routed to its full name, else the default channel (one
 * process serving every service). The channels belong to the caller, who closes them. Immutable
 * and thread-safe.
 */
final class Upstreams {
  /** The readiness answer for a service no channel serves. */
  static final String NO_UPSTREAM = "NO_UPSTREAM";

  private final Map<String, Channel> byService;
  private final Channel defaultChannel;

  Upstreams(Map<String, Channel> byService, Channel defaultChannel) {
    this.byService = Map.copyOf(byService);
    this.defaultChannel = defaultChannel;
  }

  /** The channel for a service, or null if none is configured. */
  Channel channelFor(String service) {
    Channel channel = byService.get(service);
    return channel != null ? channel : defaultChannel;
  }

  /**
   * Asks every service's channel for {@code grpc.health.v1.Health/Check} of that service.
   *
   * @return each service's serving status by name ({@code SERVING}, {@code NOT_SERVING}, ...), the
   *     gRPC code of a failed check ({@code UNAVAILABLE}, {@code DEADLINE_EXCEEDED}, ...), or
   *     {@value #NO_UPSTREAM}; in the order given
   */
  CompletableFuture<Map<String, String>> check(List<String> services, Executor executor, Duration timeout) {
    requireNonNull(executor, "executor");
    Map<String, String> answers = new ConcurrentHashMap<>();
    CompletableFuture<Map<String, String>> done = new CompletableFuture<>();
    AtomicInteger remaining = new AtomicInteger(services.size() + 1);
    Runnable countDown = () -> {
      if (remaining.decrementAndGet() == 0) {
        Map<String, String> ordered = new LinkedHashMap<>();
        services.forEach(service -> ordered.put(service, answers.get(service)));
        done.complete(ordered);
      }
    };
    for (String service : services) {
      Channel channel = channelFor(service);
      if (channel == null) {
        answers.put(service, NO_UPSTREAM);
        countDown.run();
        continue;
      }
      CallOptions options = CallOptions.DEFAULT
          .withExecutor(executor)
          .withDeadlineAfter(timeout.toNanos(), TimeUnit.NANOSECONDS);
      ClientCalls.asyncUnaryCall(channel.newCall(HealthGrpc.getCheckMethod(), options),
          HealthCheckRequest.newBuilder().setService(service).build(),
          new StreamObserver<HealthCheckResponse>() {
            @Override
            public void onNext(HealthCheckResponse response) {
              answers.put(service, response.getStatus().name());
            }

            @Override
            public void onError(Throwable t) {
              answers.put(service, Status.fromThrowable(t).getCode().name());
              countDown.run();
            }

            @Override
            public void onCompleted() {
              answers.putIfAbsent(service, Status.Code.UNKNOWN.name());
              countDown.run();
            }
          });
    }
    countDown.run();
    return done;
  }
}
