package io.parley.bench;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What a scenario found: its measurements, derived figures, and each target with whether it was met. Not thread-safe. */
public final class Report {
  /** A target of the scenario, e.g. "ratio ≥ 0.90", and the figure it was judged on. */
  public record Target(String description, double figure, boolean met) {}

  private final String scenario;
  private final List<Measurement> measurements = new ArrayList<>();
  private final Map<String, Double> figures = new LinkedHashMap<>();
  private final List<Target> targets = new ArrayList<>();
  /** How each target is judged, in the order of {@link #targets}, to judge a median again. */
  private final List<Rule> rules = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();

  private record Rule(double threshold, boolean atLeast) {
    boolean met(double figure) {
      return atLeast ? figure >= threshold : figure <= threshold;
    }
  }

  public Report(String scenario) {
    this.scenario = scenario;
  }

  public Report measurement(Measurement measurement) {
    measurements.add(measurement);
    return this;
  }

  public Report figure(String name, double value) {
    figures.put(name, value);
    return this;
  }

  /** A target met when {@code figure >= min}. */
  public Report atLeast(String description, double figure, double min) {
    return target(description, figure, new Rule(min, true));
  }

  /** A target met when {@code figure <= max}. */
  public Report atMost(String description, double figure, double max) {
    return target(description, figure, new Rule(max, false));
  }

  private Report target(String description, double figure, Rule rule) {
    targets.add(new Target(description, figure, rule.met(figure)));
    rules.add(rule);
    return this;
  }

  /**
   * The median of repeated runs of one scenario: each figure's and each target's median over the
   * runs (targets judged on the median), with every run's target figures in a note.
   */
  static Report median(String scenario, List<Report> runs) {
    Report first = runs.get(0);
    Report median = new Report(scenario + " (median of " + runs.size() + " runs)");
    first.figures.keySet().forEach(name -> median.figure(name,
        median(runs.stream().map(r -> r.figures.getOrDefault(name, Double.NaN)).toList())));
    for (int i = 0; i < first.targets.size(); i++) {
      int index = i;
      List<Double> values = runs.stream().map(r -> r.targets.get(index).figure()).toList();
      median.target(first.targets.get(i).description(), median(values), first.rules.get(i));
      median.note(first.targets.get(i).description() + ", run by run: "
          + String.join(", ", values.stream().map(Report::format).toList()));
    }
    return median;
  }

  private static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  public Report note(String note) {
    notes.add(note);
    return this;
  }

  public List<Measurement> measurements() {
    return measurements;
  }

  public Map<String, Double> figures() {
    return figures;
  }

  public List<Target> targets() {
    return targets;
  }

  public boolean allTargetsMet() {
    return targets.stream().allMatch(Target::met);
  }

  void print(PrintStream out) {
    out.println();
    out.println("== " + scenario);
    measurements.forEach(m -> out.println("  " + m.describe()));
    figures.forEach((name, value) -> out.printf("  %-36s %s%n", name, format(value)));
    targets.forEach(t -> out.printf("  target %-45s %-12s %s%n", t.description(), format(t.figure()),
        t.met() ? "MET" : "NOT MET"));
    notes.forEach(n -> out.println("  note: " + n));
  }

  String toJson() {
    JsonObject root = new JsonObject();
    root.addProperty("scenario", scenario);
    JsonArray ms = new JsonArray();
    for (Measurement m : measurements) {
      JsonObject o = new JsonObject();
      o.addProperty("name", m.name());
      o.addProperty("operations", m.operations());
      o.addProperty("seconds", m.seconds());
      o.addProperty("throughput_per_second", m.throughput());
      o.addProperty("p50_ms", m.percentileMillis(50));
      o.addProperty("p90_ms", m.percentileMillis(90));
      o.addProperty("p99_ms", m.percentileMillis(99));
      o.addProperty("p999_ms", m.percentileMillis(99.9));
      o.addProperty("max_ms", m.maxMillis());
      ms.add(o);
    }
    root.add("measurements", ms);
    JsonObject fs = new JsonObject();
    figures.forEach(fs::addProperty);
    root.add("figures", fs);
    JsonArray ts = new JsonArray();
    for (Target t : targets) {
      JsonObject o = new JsonObject();
      o.addProperty("target", t.description());
      o.addProperty("figure", t.figure());
      o.addProperty("met", t.met());
      ts.add(o);
    }
    root.add("targets", ts);
    JsonArray ns = new JsonArray();
    notes.forEach(ns::add);
    root.add("notes", ns);
    return new GsonBuilder().setPrettyPrinting().create().toJson(root);
  }

  private static String format(double value) {
    return value == Math.rint(value) && Math.abs(value) < 1e12 ? String.format("%.0f", value) : String.format("%.4f", value);
  }
}
