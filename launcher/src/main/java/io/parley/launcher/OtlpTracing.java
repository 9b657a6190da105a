package io.parley.launcher;

import static java.util.Objects.requireNonNull;

import io.opentelemetry.api.baggage.propagation.W3CBaggagePropagator;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;

/**
 * Where a process sends its spans: an OTLP/HTTP receiver (an OpenTelemetry Collector, Jaeger,
 * Tempo, … on port 4318), as {@code service.name} (one per role by default, e.g. {@code
 * parley-message}), sampling a share of the traces that start here and following the caller's
 * decision for the rest. Propagation is W3C {@code traceparent}/{@code tracestate} and {@code
 * baggage}.
 *
 * @param endpoint the receiver's base URL, {@code http(s)://host:port[/prefix]}; spans go to
 *     {@code <endpoint>/v1/traces}, as with {@code OTEL_EXPORTER_OTLP_ENDPOINT}
 * @param serviceName the {@code service.name} of every span
 * @param sampleRatio the share of traces started here that are recorded, 0 to 1
 */
record OtlpTracing(URI endpoint, String serviceName, double sampleRatio) {
  private static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");
  private static final AttributeKey<String> SERVICE_NAMESPACE = AttributeKey.stringKey("service.namespace");

  OtlpTracing {
    requireNonNull(endpoint, "endpoint");
    requireNonNull(serviceName, "serviceName");
    String scheme = endpoint.getScheme() == null ? "" : endpoint.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https") || endpoint.getHost() == null
        || endpoint.getQuery() != null || endpoint.getFragment() != null || endpoint.getUserInfo() != null) {
      throw new IllegalArgumentException("--otlp-endpoint must be http(s)://host:port of an OTLP/HTTP receiver "
          + "(e.g. http://localhost:4318), not '" + endpoint + "'");
    }
    if (serviceName.isBlank()) {
      throw new IllegalArgumentException("--service-name must not be blank");
    }
    if (!(sampleRatio >= 0 && sampleRatio <= 1)) {
      throw new IllegalArgumentException("--trace-sample-ratio must be between 0 and 1, not " + sampleRatio);
    }
  }

  /** The default service name of {@code role}: {@code parley-<role>}, e.g. {@code parley-gateway}. */
  static String defaultServiceName(Role role) {
    return "parley-" + role.command();
  }

  /** Where spans are posted: the endpoint's {@code /v1/traces}. */
  String tracesUrl() {
    String base = endpoint.toString();
    return (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/v1/traces";
  }

  /**
   * Starts an SDK that batches spans and posts them to the receiver. Close it last, after the node:
   * closing flushes what is still batched.
   */
  OpenTelemetrySdk start() {
    OtlpHttpSpanExporter exporter = OtlpHttpSpanExporter.builder()
        .setEndpoint(tracesUrl())
        .setTimeout(Duration.ofSeconds(10))
        .build();
    Resource resource = Resource.getDefault().merge(Resource.create(
        Attributes.of(SERVICE_NAME, serviceName, SERVICE_NAMESPACE, "parley")));
    SdkTracerProvider tracers = SdkTracerProvider.builder()
        .setResource(resource)
        .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(sampleRatio)))
        .addSpanProcessor(BatchSpanProcessor.builder(exporter).build())
        .build();
    return OpenTelemetrySdk.builder()
        .setTracerProvider(tracers)
        .setPropagators(ContextPropagators.create(TextMapPropagator.composite(
            W3CTraceContextPropagator.getInstance(), W3CBaggagePropagator.getInstance())))
        .build();
  }
}
