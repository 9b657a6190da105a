package io.parley.gateway;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.DynamicMessage;
import io.grpc.MethodDescriptor;
import io.grpc.protobuf.ProtoUtils;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Everything the connections of one gateway share: the route table, the transcoders, the upstream
 * channels, the generated OpenAPI document and the settings. Built once at start-up; immutable and
 * thread-safe.
 */
final class Gateway {
  private final Router router;
  private final ProtoJson json;
  private final RequestBinder binder;
  private final Upstreams upstreams;
  private final byte[] openApi;
  private final SwaggerUi docs;
  private final WebClient webClient;
  private final Duration defaultTimeout;
  private final Duration maxGrpcTimeout;
  private final Duration heartbeatInterval;
  private final Duration readinessTimeout;
  private final TrustedProxies trustedProxies;
  private final HttpServerTracing tracing;
  private final GatewayMetrics metrics;
  private final Map<com.google.protobuf.Descriptors.MethodDescriptor, MethodDescriptor<DynamicMessage, DynamicMessage>> methods;

  Gateway(Router router, ProtoJson json, Upstreams upstreams, byte[] openApi, SwaggerUi docs, WebClient webClient,
      Duration defaultTimeout, Duration maxGrpcTimeout, Duration heartbeatInterval, Duration readinessTimeout,
      TrustedProxies trustedProxies, HttpServerTracing tracing, GatewayMetrics metrics) {
    this.router = requireNonNull(router, "router");
    this.json = requireNonNull(json, "json");
    this.binder = new RequestBinder(json.parser());
    this.upstreams = requireNonNull(upstreams, "upstreams");
    this.openApi = openApi.clone();
    this.docs = requireNonNull(docs, "docs");
    this.webClient = requireNonNull(webClient, "webClient");
    this.defaultTimeout = requireNonNull(defaultTimeout, "defaultTimeout");
    this.maxGrpcTimeout = requireNonNull(maxGrpcTimeout, "maxGrpcTimeout");
    this.heartbeatInterval = requireNonNull(heartbeatInterval, "heartbeatInterval");
    this.readinessTimeout = requireNonNull(readinessTimeout, "readinessTimeout");
    this.trustedProxies = requireNonNull(trustedProxies, "trustedProxies");
    this.tracing = requireNonNull(tracing, "tracing");
    this.metrics = requireNonNull(metrics, "metrics");
    Map<com.google.protobuf.Descriptors.MethodDescriptor, MethodDescriptor<DynamicMessage, DynamicMessage>> methods =
        new HashMap<>();
    for (Route route : router.routes()) {
      methods.computeIfAbsent(route.method(), Gateway::grpcMethod);
    }
    this.methods = Map.copyOf(methods);
  }

  Router router() {
    return router;
  }

  ProtoJson json() {
    return json;
  }

  RequestBinder binder() {
    return binder;
  }

  Upstreams upstreams() {
    return upstreams;
  }

  /** The OpenAPI document; a shared array that callers must not change. */
  byte[] openApi() {
    return openApi;
  }

  SwaggerUi docs() {
    return docs;
  }

  /** The web chat client served at {@code /}. */
  WebClient webClient() {
    return webClient;
  }

  Duration defaultTimeout() {
    return defaultTimeout;
  }

  /** The longest Grpc-Timeout a client may ask for. */
  Duration maxGrpcTimeout() {
    return maxGrpcTimeout;
  }

  /** The proxies whose X-Forwarded-For the gateway believes. */
  TrustedProxies trustedProxies() {
    return trustedProxies;
  }

  /** The server spans of routed requests. */
  HttpServerTracing tracing() {
    return tracing;
  }

  GatewayMetrics metrics() {
    return metrics;
  }

  Duration heartbeatInterval() {
    return heartbeatInterval;
  }

  Duration readinessTimeout() {
    return readinessTimeout;
  }

  /** The gRPC method of a route, with marshallers for dynamic messages of its types. */
  MethodDescriptor<DynamicMessage, DynamicMessage> grpcMethod(Route route) {
    return methods.get(route.method());
  }

  private static MethodDescriptor<DynamicMessage, DynamicMessage> grpcMethod(
      com.google.protobuf.Descriptors.MethodDescriptor method) {
    return MethodDescriptor.<DynamicMessage, DynamicMessage>newBuilder()
        .setType(method.isServerStreaming() ? MethodDescriptor.MethodType.SERVER_STREAMING : MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(MethodDescriptor.generateFullMethodName(method.getService().getFullName(), method.getName()))
        .setRequestMarshaller(ProtoUtils.marshaller(DynamicMessage.getDefaultInstance(method.getInputType())))
        .setResponseMarshaller(ProtoUtils.marshaller(DynamicMessage.getDefaultInstance(method.getOutputType())))
        .build();
  }
}
