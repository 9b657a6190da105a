package io.parley.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Headless Chromium for the browser tests: Debian's {@code chromium} driven through its {@code
 * chromedriver}, both named explicitly so that Selenium Manager never looks for (or downloads)
 * another. Each browser gets a fresh profile, deleted when it closes.
 */
final class Chromium implements AutoCloseable {
  private static final Path BINARY = Path.of(System.getenv().getOrDefault("PARLEY_TEST_CHROMIUM", "/usr/bin/chromium"));
  private static final Path DRIVER = Path.of(System.getenv().getOrDefault("PARLEY_TEST_CHROMEDRIVER", "/usr/bin/chromedriver"));

  private final ChromeDriver driver;
  private final Path profile;

  private Chromium(ChromeDriver driver, Path profile) {
    this.driver = driver;
    this.profile = profile;
  }

  /** Fails with what to install when chromium or chromedriver is missing. */
  static void requireInstalled() {
    if (!Files.isExecutable(BINARY) || !Files.isExecutable(DRIVER)) {
      throw new IllegalStateException("the browser tests need Chromium and its driver at " + BINARY + " and " + DRIVER
          + ": install the packages chromium and chromium-driver (apt-get install chromium chromium-driver), "
          + "or name them with PARLEY_TEST_CHROMIUM and PARLEY_TEST_CHROMEDRIVER");
    }
  }

  /** A new browser window of {@code width} x {@code height} CSS pixels whose preferred language is {@code language}. */
  static Chromium open(int width, int height, String language) {
    requireInstalled();
    Path profile;
    try {
      profile = Files.createTempDirectory("parley-chromium-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ChromeOptions options = new ChromeOptions();
    options.setBinary(BINARY.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--disable-default-apps", "--disable-extensions", "--lang=" + language,
        "--user-data-dir=" + profile, "--window-size=" + width + "," + height);
    options.setExperimentalOption("prefs", Map.of("intl.accept_languages", language));
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile())
        .usingAnyFreePort().build();
    ChromeDriver driver = new ChromeDriver(service, options);
    driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
    driver.manage().window().setSize(new Dimension(width, height));
    return new Chromium(driver, profile);
  }

  ChromeDriver driver() {
    return driver;
  }

  /**
   * Makes this browser as good as new for another test: a fresh tab (a tab's session storage,
   * where the web client keeps its session, goes with it) in a window of the size given.
   */
  void reset(int width, int height) {
    driver.switchTo().newWindow(WindowType.TAB);
    String fresh = driver.getWindowHandle();
    for (String handle : driver.getWindowHandles()) {
      if (!handle.equals(fresh)) {
        driver.switchTo().window(handle).close();
      }
    }
    driver.switchTo().window(fresh);
    driver.manage().window().setSize(new Dimension(width, height));
  }

  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      try (Stream<Path> files = Files.walk(profile)) {
        files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
      } catch (IOException e) {
        // A leftover temporary profile is harmless.
      }
    }
  }
}
