package io.parley.launcher;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.parley.server.LogFields;
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
  void textLinesShowTheRequestIdAndTraceIdOfTheirCall() {
    Logging.configure("json", "");
    Logging.configure("text", "io.parley.launcher.logging=INFO");
    LogFields call = new LogFields("req-7", "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7");
    List<String> lines = captured(() -> {
      call.run(() -> logger.info("inside the call"));
      logger.info("outside any call");
    });

    assertThat(lines).hasSize(2);
    assertThat(lines.get(0)).contains(" [req-7 4bf92f3577b34da6a3ce929d0e0e4736] - inside the call");
    assertThat(lines.get(1)).contains(" [- -] - outside any call");
  }

  @Test
  void jsonLinesCarryTheRequestTraceAndSpanIds() {
    Logging.configure("json", "");
    LogFields call = new LogFields("req-8", "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7");
    List<String> lines = captured(() -> call.run(() -> logger.info("inside the call")));

    JsonObject mdc = JsonParser.parseString(lines.get(0)).getAsJsonObject().getAsJsonObject("mdc");
    assertThat(mdc.get("request_id").getAsString()).isEqualTo("req-8");
    assertThat(mdc.get("trace_id").getAsString()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    assertThat(mdc.get("span_id").getAsString()).isEqualTo("00f067aa0ba902b7");
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
