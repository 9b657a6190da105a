package io.parley.bench;

/** One measurement the bench knows how to make. Implementations start what they need. */
public interface Scenario {
  /** The command-line name, e.g. {@code auth-overhead}. */
  String name();

  /** One line on what is measured and the target. */
  String description();

  Report run(BenchOptions options) throws Exception;
}
