package io.parley.launcher;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class LoggingTest {
  private static final Logger logger = LoggerFactory.getLogger("io.parley.launcher.logging.probe");

  @AfterEach
  void backToTheDefaults() {
    Logging.configure("text", "io.parley.launcher.logging=INFO");
  }

  @Test
  void jsonWritesOneObjectPerLineWithLevelLoggerAndMessage() {
    Logging.configure("json", "");
    List<String> lines = captured(() -> {
      logger.info("stored {} messages", 3);
      logger.warn("a line with \"quotes\"\nand a newline");
    });

    assertThat(lines).hasSize(2);
    JsonObject first = JsonParser.parseString(lines.get(0)).getAsJsonObject();
    assertThat(first.get("level").getAsString()).isEqualTo("INFO");
    assertThat(first.get("loggerName").getAsString()).isEqualTo("io.parley.launcher.logging.probe");
    assertThat(first.get("formattedMessage").getAsString()).isEqualTo("stored 3 messages");
    assertThat(JsonParser.parseString(lines.get(1)).getAsJsonObject().get("formattedMessage").getAsString())
        .isEqualTo("a line with \"quotes\"\nand a newline");
  }

  @Test
  void textIsTheDefaultAndLevelsComeByPackage() {
    Logging.configure("text", "io.parley.launcher.logging=DEBUG");
    List<String> lines = captured(() -> logger.debug("visible at DEBUG"));
    assertThat(lines).singleElement().asString().contains(" DEBUG ").endsWith("- visible at DEBUG");

    Logging.configure("text", "io.parley.launcher.logging=ERROR,root=WARN");
    assertThat(captured(() -> logger.warn("hidden below ERROR"))).isEmpty();
  }

  @Test
  void badValuesAreRefusedWithTheOptionNamed() {
    assertThatThrownBy(() -> Logging.configure("xml", "")).hasMessageContaining("--log-format");
    for (String levels : List.of("io.parley=LOUD", "io.parley", "=DEBUG", "io..parley=INFO")) {
      assertThatThrownBy(() -> Logging.configure("text", levels)).as(levels).hasMessageContaining("--log-levels");
    }
  }

  private static List<String> captured(Runnable logging) {
    PrintStream original = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, UTF_8));
    try {
      logging.run();
    } finally {
      System.setOut(original);
    }
    return out.toString(UTF_8).lines().filter(line -> !line.isBlank()).toList();
  }
}
