package io.parley.launcher;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.slf4j.LoggerFactory;

/**
 * The process's log output, set from the launcher's options before anything else logs: the
 * format of each line on standard output (text, or one JSON object per line for log collectors,
 * by logback's own {@link JsonEncoder}) and the level of any package. logback.xml holds the
 * defaults; this only changes what an option asks for: JSON replaces the console appender's
 * encoder, text leaves the configuration alone.
 */
final class Logging {
  /** The console appender logback.xml defines. */
  static final String APPENDER = "STDOUT";
  /**
   * The text format, as logback.xml has it: the request id and the trace id of the call a line is
   * about in brackets ({@code -} for none).
   */
  static final String TEXT_PATTERN =
      "%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level %logger{24} [%X{request_id:--} %X{trace_id:--}] - %msg%n";

  private static final Pattern LOGGER_NAME = Pattern.compile("[A-Za-z_$][A-Za-z0-9_$]*(\\.[A-Za-z_$][A-Za-z0-9_$]*)*");

  private Logging() {}

  /**
   * Applies {@code format} ({@code text} or {@code json}) and {@code levels} ({@code
   * name=LEVEL,...}, a logger or package name, or {@code root}; empty for none).
   *
   * @throws IllegalArgumentException naming the option, if either cannot be read; nothing is
   *     changed then
   */
  static void configure(String format, String levels) {
    boolean json = switch (format == null ? "text" : format.trim().toLowerCase(Locale.ROOT)) {
      case "", "text" -> false;
      case "json" -> true;
      default -> throw new IllegalArgumentException("--log-format must be text or json, not '" + format + "'");
    };
    Map<String, Level> parsed = levels(levels);
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    // Text leaves logback's configuration as it is (an operator's own logback.xml included), unless
    // an earlier call made the console JSON.
    boolean isJson = root.getAppender(APPENDER) instanceof ConsoleAppender<ILoggingEvent> current
        && current.getEncoder() instanceof JsonEncoder;
    if (json || isJson) {
      ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
      console.setContext(context);
      console.setName(APPENDER);
      console.setEncoder(json ? jsonEncoder(context) : textEncoder(context));
      console.start();
      Appender<ILoggingEvent> replaced = root.getAppender(APPENDER);
      root.detachAppender(APPENDER);
      root.addAppender(console);
      if (replaced != null) {
        replaced.stop();
      }
    }
    parsed.forEach((name, level) -> context.getLogger(name).setLevel(level));
  }

  private static Map<String, Level> levels(String levels) {
    Map<String, Level> parsed = new LinkedHashMap<>();
    if (levels == null || levels.isBlank()) {
      return parsed;
    }
    for (String entry : levels.split(",")) {
      String[] pair = entry.trim().split("=", 2);
      String name = pair[0].trim();
      Level level = pair.length == 2 ? Level.toLevel(pair[1].trim().toUpperCase(Locale.ROOT), null) : null;
      if (level == null || !(name.equalsIgnoreCase("root") || LOGGER_NAME.matcher(name).matches())) {
        throw new IllegalArgumentException("--log-levels takes name=LEVEL pairs separated by commas, e.g. "
            + "io.parley.message=DEBUG,io.grpc=INFO (levels: TRACE, DEBUG, INFO, WARN, ERROR, OFF), not '"
            + entry.trim() + "'");
      }
      parsed.put(name.equalsIgnoreCase("root") ? org.slf4j.Logger.ROOT_LOGGER_NAME : name, level);
    }
    return parsed;
  }

  private static Encoder<ILoggingEvent> jsonEncoder(LoggerContext context) {
    JsonEncoder encoder = new JsonEncoder();
    encoder.setContext(context);
    // timestamp, level, threadName, loggerName, mdc, formattedMessage, throwable: what a collector
    // indexes, without the context's properties, nanoseconds and the message's pattern repeated.
    encoder.setWithSequenceNumber(false);
    encoder.setWithNanoseconds(false);
    encoder.setWithContext(false);
    encoder.setWithMessage(false);
    encoder.setWithArguments(false);
    encoder.setWithFormattedMessage(true);
    encoder.start();
    return encoder;
  }

  private static Encoder<ILoggingEvent> textEncoder(LoggerContext context) {
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern(TEXT_PATTERN);
    encoder.start();
    return encoder;
  }
}
