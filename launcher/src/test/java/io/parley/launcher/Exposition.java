package io.parley.launcher;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A scrape of {@code /metrics}: its samples, read for the assertions, and {@link #promtool} to have
 * Prometheus's own parser read it.
 */
record Exposition(String text, List<Sample> samples) {

  /** One sample line: {@code name{labels} value}. */
  record Sample(String name, Map<String, String> labels, double value) {}

  /** The result of {@code promtool check metrics}: its exit code and what it printed. */
  record Check(int exitCode, String output) {}

  static Exposition parse(String text) {
    List<Sample> samples = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (!line.isBlank() && !line.startsWith("#")) {
        samples.add(sample(line));
      }
    }
    return new Exposition(text, List.copyOf(samples));
  }

  private static Sample sample(String line) {
    int i = 0;
    while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
      i++;
    }
    String name = line.substring(0, i);
    Map<String, String> labels = new LinkedHashMap<>();
    if (i < line.length() && line.charAt(i) == '{') {
      i++;
      while (line.charAt(i) != '}') {
        int eq = line.indexOf('=', i);
        String key = line.substring(i, eq).trim();
        StringBuilder value = new StringBuilder();
        int j = eq + 2;  // past ="
        while (line.charAt(j) != '"') {
          char c = line.charAt(j);
          if (c == '\\') {
            char next = line.charAt(++j);
            value.append(next == 'n' ? '\n' : next);
          } else {
            value.append(c);
          }
          j++;
        }
        labels.put(key, value.toString());
        i = j + 1;
        if (line.charAt(i) == ',') {
          i++;
        }
      }
      i++;
    }
    String[] rest = line.substring(i).trim().split(" ");
    return new Sample(name, labels, Double.parseDouble(rest[0]));
  }

  /** The samples named {@code name} whose labels include every pair of {@code labels} ({@code k1, v1, k2, v2, ...}). */
  List<Sample> find(String name, String... labels) {
    return samples.stream().filter(s -> s.name().equals(name)).filter(s -> {
      for (int k = 0; k < labels.length; k += 2) {
        if (!labels[k + 1].equals(s.labels().get(labels[k]))) {
          return false;
        }
      }
      return true;
    }).toList();
  }

  /** The sum of the samples {@link #find} finds. */
  double sum(String name, String... labels) {
    return find(name, labels).stream().mapToDouble(Sample::value).sum();
  }

  /**
   * Runs {@code promtool check metrics} (Prometheus's own parser and linter) on the text.
   *
   * @throws IllegalStateException if promtool is not installed, saying how to install it
   */
  Check promtool() {
    Path input = null;
    try {
      input = Files.createTempFile("parley-metrics", ".prom");
      Files.writeString(input, text, UTF_8);
      Process process = new ProcessBuilder(promtoolBinary(), "check", "metrics")
          .redirectInput(input.toFile())
          .redirectErrorStream(true)
          .start();
      String output = new String(process.getInputStream().readAllBytes(), UTF_8);
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException("promtool did not finish in 30 s");
      }
      return new Check(process.exitValue(), output);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } finally {
      if (input != null) {
        input.toFile().delete();
      }
    }
  }

  private static String promtoolBinary() {
    List<Path> candidates = new ArrayList<>(List.of(Path.of("/usr/bin/promtool"), Path.of("/usr/local/bin/promtool")));
    String path = System.getenv("PATH");
    if (path != null) {
      for (String entry : path.split(java.io.File.pathSeparator)) {
        candidates.add(Path.of(entry, "promtool"));
      }
    }
    for (Path candidate : candidates) {
      if (Files.isExecutable(candidate)) {
        return candidate.toString();
      }
    }
    throw new IllegalStateException("promtool is not installed; the metrics tests need it to parse the exposition "
        + "text (Debian/Ubuntu: apt-get install prometheus; macOS: brew install prometheus)");
  }
}
