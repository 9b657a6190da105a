package io.parley.launcher;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * One process's meters: a Prometheus registry that every part of the node registers in (one per
 * node, never Micrometer's global registry) and, once {@linkplain #serve served}, Micrometer's JVM
 * meters and the {@link AdminServer} that exposes them all. Closing it stops the admin server and
 * the JVM meters' listeners.
 */
final class NodeMetrics implements AutoCloseable {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private JvmGcMetrics gc;
  private AdminServer admin;

  NodeMetrics() {
    // Micrometer's gRPC meters name two tags in camelCase; Prometheus labels are snake_case.
    registry.config()
        .meterFilter(MeterFilter.renameTag("grpc", "methodType", "method_type"))
        .meterFilter(MeterFilter.renameTag("grpc", "statusCode", "status_code"))
        // Two of ProcessorMetrics' names break Prometheus's conventions (promtool flags them);
        // process_cpu_usage and system_cpu_usage say the same.
        .meterFilter(MeterFilter.deny(id -> id.getName().equals("process.cpu.time")
            || id.getName().equals("system.cpu.count")));
  }

  MeterRegistry registry() {
    return registry;
  }

  /**
   * Adds the JVM's meters, and serves them all on {@code host:port} ({@link NodeConfig#adminPort()}:
   * 0 picks a free port, {@link NodeConfig#NO_ADMIN_PORT} serves nothing).
   *
   * @throws java.io.UncheckedIOException if the port cannot be bound
   */
  synchronized void serve(String host, int port) {
    gc = new JvmGcMetrics();
    new JvmInfoMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    if (port != NodeConfig.NO_ADMIN_PORT) {
      admin = AdminServer.start(host, port, registry);
    }
  }

  /** The admin server's port, or -1 if none is served. */
  synchronized int port() {
    return admin == null ? -1 : admin.port();
  }

  @Override
  public synchronized void close() {
    if (admin != null) {
      admin.close();
    }
    if (gc != null) {
      gc.close();
    }
    registry.close();
  }
}
