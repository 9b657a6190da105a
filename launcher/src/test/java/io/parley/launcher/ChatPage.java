package io.parley.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chromium.ChromiumDriver;
import org.openqa.selenium.chromium.ChromiumNetworkConditions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/** The web client as one user drives it in a browser: what the tests click, type and read. */
final class ChatPage {
  private static final Duration PATIENCE = Duration.ofSeconds(20);
  static final String PASSWORD = "correct horse battery";

  private final WebDriver driver;
  private final String url;
  private final WebDriverWait wait;

  ChatPage(Chromium browser, String url) {
    this.driver = browser.driver();
    this.url = url;
    this.wait = new WebDriverWait(driver, PATIENCE);
    // The client replaces a list item whose content changed: an element found a moment ago may be gone.
    wait.ignoring(StaleElementReferenceException.class);
  }

  WebDriver driver() {
    return driver;
  }

  ChatPage load() {
    driver.get(url);
    return this;
  }

  /** Creates the account in the sign-up form and waits for the signed-in app. */
  ChatPage signUp(String username, String nickname) {
    load();
    find("#auth-toggle").click();
    find("#auth-username").sendKeys(username);
    find("#auth-nickname").sendKeys(nickname);
    find("#auth-password").sendKeys(PASSWORD, Keys.ENTER);
    wait.until(ExpectedConditions.textToBe(By.id("me-name"), nickname));
    return awaitLive();
  }

  /** Takes the browser off the network (as far as its pages can tell) or back on it. */
  void offline(boolean offline) {
    ChromiumDriver chromium = (ChromiumDriver) driver;
    if (offline) {
      chromium.setNetworkConditions(new ChromiumNetworkConditions().setOffline(true));
    } else {
      chromium.deleteNetworkConditions();
    }
  }

  /** Waits until the event stream is connected. */
  ChatPage awaitLive() {
    wait.until(ExpectedConditions.attributeToBe(By.id("connection"), "data-state", "live"));
    return this;
  }

  /** Fills the sign-in or sign-up form and returns the refusal it shows. */
  String refusal(boolean signUp, String username, String password) {
    load();
    if (signUp) {
      find("#auth-toggle").click();
    }
    find("#auth-username").sendKeys(username);
    find("#auth-password").sendKeys(password, Keys.ENTER);
    return wait.until(d -> {
      String text = d.findElement(By.id("auth-error")).getText();
      return text.isEmpty() ? null : text;
    });
  }

  void sendFriendRequest(String username) {
    find("#tab-friends").click();
    WebElement search = find("#friend-search");
    search.clear();
    search.sendKeys(username, Keys.ENTER);
    wait.until(ExpectedConditions.elementToBeClickable(By.cssSelector(
        "#search-results button.add-friend[data-username='" + username + "']"))).click();
    wait.until(d -> d.findElements(By.cssSelector("#outgoing-requests li")).size() > 0);
  }

  void acceptFriendRequest() {
    find("#tab-friends").click();
    find("#incoming-requests button.accept").click();
  }

  /** Opens the chat with a friend from the friends list. */
  void openChatWithFriend(String nickname) {
    find("#tab-friends").click();
    By button = By.cssSelector("#friend-list button[aria-label$='" + nickname + "']");
    wait.until(ExpectedConditions.elementToBeClickable(button)).click();
    wait.until(ExpectedConditions.textToBe(By.id("chat-title"), nickname));
  }

  /** Opens a conversation from the chats list, by its title. */
  void openConversation(String title) {
    find("#tab-chats").click();
    conversation(title).click();
    wait.until(ExpectedConditions.textToBe(By.id("chat-title"), title));
  }

  /** Types a message and sends it with Enter. */
  void send(String text) {
    WebElement composer = find("#composer-input");
    composer.sendKeys(text);
    composer.sendKeys(Keys.ENTER);
  }

  /** Waits until the open chat shows a message reading {@code text}. */
  void awaitMessage(String text) {
    wait.until(d -> messageTexts().contains(text));
  }

  /** The texts of the messages the open chat shows, in order. */
  @SuppressWarnings("unchecked")
  List<String> messageTexts() {
    return (List<String>) script(
        "return Array.from(document.querySelectorAll('#messages li.message .text'), e => e.textContent)");
  }

  /** Waits until the open chat's messages read exactly {@code texts}, and returns them. */
  List<String> awaitMessages(List<String> texts) {
    wait.until(d -> messageTexts().equals(texts));
    return messageTexts();
  }

  WebElement conversation(String title) {
    return wait.until(d -> d.findElements(By.cssSelector("#conversation-list button.conversation")).stream()
        .filter(b -> b.findElement(By.className("conversation-name")).getText().equals(title))
        .findFirst().orElse(null));
  }

  /** The unread badge of a conversation in the chats list: its number, 0 when hidden. */
  int unread(String title) {
    find("#tab-chats").click();
    WebElement badge = conversation(title).findElement(By.cssSelector(".badge.unread"));
    return badge.isDisplayed() ? Integer.parseInt(badge.getText()) : 0;
  }

  void awaitUnread(String title, int count) {
    wait.until(d -> unread(title) == count);
  }

  /** The titles of the chats list, top (most recent) first. */
  List<String> conversationTitles() {
    find("#tab-chats").click();
    return driver.findElements(By.cssSelector("#conversation-list .conversation-name")).stream()
        .map(WebElement::getText).toList();
  }

  WebElement find(String css) {
    return wait.until(ExpectedConditions.elementToBeClickable(By.cssSelector(css)));
  }

  WebDriverWait await() {
    return wait;
  }

  Object script(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  /** Saves what the window shows as a PNG under target/screenshots. */
  void screenshot(String name) {
    byte[] png = ((org.openqa.selenium.TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES);
    try {
      Path dir = Path.of("target", "screenshots");
      Files.createDirectories(dir);
      Files.write(dir.resolve(name + ".png"), png);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
