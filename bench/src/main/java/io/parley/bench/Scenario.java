package io.parley.bench;

/** One measurement the bench knows how to make. Implementations start what they need. */
public interface Scenario {
  /** The command-line name, e.g. {@code auth-overhead}. */
  String name();

  /** One line on what is measured and the target. */
  String description();

  /**
   * Checks, before anything starts, that {@code targets} (if any) name what this scenario needs to
   * measure a running deployment, and nothing it would ignore.
   *
   * @throws IllegalArgumentException saying what is missing or extra
   */
  void checkTargets(Targets targets);

  Report run(BenchOptions options) throws Exception;
}
