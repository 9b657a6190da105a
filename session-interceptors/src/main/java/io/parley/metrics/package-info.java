/**
 * What Parley's metrics share: the latency buckets of its timers. The meters themselves live with
 * the components they measure, which take a Micrometer {@code MeterRegistry} from whoever builds
 * them (the launcher gives them one that Prometheus scrapes).
 */
package io.parley.metrics;
