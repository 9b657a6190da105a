package io.parley.launcher;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.parley.auth.TokenKeys;
import java.util.ArrayList;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * The web client served at {@code /}, driven in headless Chromium against a whole node (every
 * service and the gateway in this JVM): users sign up, become friends and chat live, leave and come
 * back, chat in a group, and send HTML that must stay text.
 */
class WebClientBrowserTest {
  private static final TokenKeys KEYS = TokenKeys.hmac("web-client-test-secret-of-32-bytes".getBytes(UTF_8));
  private static final int DESKTOP_WIDTH = 1200;
  private static final int DESKTOP_HEIGHT = 760;

  private static ParleyNode node;
  private static String url;
  /** English browsers that finished a test, to reuse: starting Chromium is the slow part. */
  private static final Deque<Chromium> idle = new ArrayDeque<>();
  private final List<Chromium> used = new ArrayList<>();
  private final List<Chromium> owned = new ArrayList<>();

  @BeforeAll
  static void start() {
    Chromium.requireInstalled();
    node = ParleyNode.start(NodeConfig.builder(Role.ALL, KEYS).host("127.0.0.1").grpcPort(0).httpPort(0)
        .fastPasswordHashing(true).build());
    url = "http://127.0.0.1:" + node.httpPort() + "/";
  }

  @AfterAll
  static void stop() {
    idle.forEach(Chromium::close);
    idle.clear();
    if (node != null) {
      node.close();
    }
  }

  @AfterEach
  void releaseBrowsers() {
    idle.addAll(used);
    used.clear();
    owned.forEach(Chromium::close);
    owned.clear();
  }

  /** An English browser window of the size given, signed in as nobody. */
  private ChatPage browser(int width, int height) {
    Chromium browser = idle.poll();
    if (browser == null) {
      browser = Chromium.open(width, height, "en-US");
    } else {
      browser.reset(width, height);
    }
    used.add(browser);
    return new ChatPage(browser, url);
  }

  private ChatPage desktop() {
    return browser(DESKTOP_WIDTH, DESKTOP_HEIGHT);
  }

  /** Two users who signed up in their browsers and became friends there. */
  private ChatPage[] friends(String a, String nickA, ChatPage pageA, String b, String nickB, ChatPage pageB) {
    pageA.signUp(a, nickA);
    pageB.signUp(b, nickB);
    pageA.sendFriendRequest(b);
    pageB.acceptFriendRequest();
    pageA.openChatWithFriend(nickB);
    return new ChatPage[] {pageA, pageB};
  }

  @Test
  void twoUsersSignUpBecomeFriendsAndChatLiveOnADesktopAndAPhone() throws Exception {
    ChatPage alice = desktop();
    ChatPage bob = browser(390, 844);
    friends("alice", "Alice", alice, "bob", "Bob", bob);

    alice.send("Hi Bob!");
    alice.awaitMessages(List.of("Hi Bob!"));
    bob.awaitUnread("Alice", 1);
    // On a phone the list and the chat take turns: the chat hides the list, Back brings it again.
    assertThat(bob.find("#panel-chats").isDisplayed()).isTrue();
    assertThat(bob.driver().findElement(By.id("chat")).isDisplayed()).isFalse();
    bob.openConversation("Alice");
    assertThat(bob.driver().findElement(By.id("panel-chats")).isDisplayed()).isFalse();
    bob.awaitMessages(List.of("Hi Bob!"));
    // Alice sees Bob typing before his message comes.
    bob.find("#composer-input").sendKeys("Hello Alice, good to see you here.");
    alice.await().until(ExpectedConditions.textToBe(By.id("typing"), "Bob is typing…"));
    bob.find("#composer-input").sendKeys(Keys.ENTER);

    alice.awaitMessages(List.of("Hi Bob!", "Hello Alice, good to see you here."));
    bob.awaitMessages(List.of("Hi Bob!", "Hello Alice, good to see you here."));
    // Bob read it in the open chat: Alice is told so, and Bob has nothing unread.
    alice.await().until(ExpectedConditions.textToBePresentInElementLocated(
        By.cssSelector("#messages li.message.mine .status.read"), "Read"));
    alice.await().until(ExpectedConditions.textToBe(By.id("typing"), ""));
    bob.screenshot("chat-phone");
    alice.screenshot("chat-desktop");
    bob.find("#back").click();
    bob.awaitUnread("Alice", 0);

    // Bob edits his message from another client (the REST API with his session): Alice sees the new text.
    bob.openConversation("Alice");
    String conversationId = (String) bob.script(
        "return document.querySelector('#conversation-list button[aria-current=true]').dataset.conversationId");
    String seq = bob.find("#messages li.mine").getAttribute("data-seq");
    HttpResponse<String> edit = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create(url + "v1/conversations/" + conversationId + "/messages/" + seq + ":edit"))
        .header("Authorization", "Bearer " + bob.script("return JSON.parse(sessionStorage.getItem('parley.session')).token"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"content\":{\"text\":{\"text\":\"Hello Alice!\"}}}"))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(edit.statusCode()).as(edit.body()).isEqualTo(200);
    alice.awaitMessages(List.of("Hi Bob!", "Hello Alice!"));
    assertThat(alice.find("#messages li.theirs .edited").getText()).isEqualTo("edited");

    // Bob takes his message back: both sides show the tombstone instead of the text.
    bob.find("#messages li.mine button.recall").click();
    bob.awaitMessages(List.of("Hi Bob!", "You recalled a message"));
    alice.awaitMessages(List.of("Hi Bob!", "Message recalled"));
  }

  @Test
  void aUserWhoLeavesAndComesBackSeesTheHistoryAndUnreadCountsWithNothingLostOrDoubled() {
    ChatPage carol = desktop();
    ChatPage dave = desktop();
    friends("carol", "Carol", carol, "dave", "Dave", dave);
    carol.send("first");
    dave.awaitUnread("Carol", 1);
    dave.openConversation("Carol");
    dave.awaitMessages(List.of("first"));

    // Dave goes away: his page, and its event stream, are gone while Carol writes.
    dave.driver().get("about:blank");
    List<String> written = new ArrayList<>(List.of("first"));
    for (int i = 1; i <= 5; i++) {
      carol.send("while you were away " + i);
      written.add("while you were away " + i);
    }
    carol.awaitMessages(written);

    // Dave comes back to the same tab: still signed in, five unread, the history whole and once.
    dave.load().awaitLive();
    dave.awaitUnread("Carol", 5);
    dave.openConversation("Carol");
    assertThat(dave.awaitMessages(written)).doesNotHaveDuplicates();
    dave.awaitUnread("Carol", 0);

    // A reload while both keep talking: nothing lost, nothing twice, and unread stays zero in the open chat.
    dave.driver().navigate().refresh();
    dave.awaitLive();
    dave.awaitUnread("Carol", 0);
    carol.send("back again?");
    written.add("back again?");
    dave.awaitUnread("Carol", 1);
    dave.openConversation("Carol");
    dave.awaitMessages(written);
    dave.send("yes!");
    written.add("yes!");
    carol.awaitMessages(written);
    assertThat(dave.awaitMessages(written)).hasSize(8);

    // The connection drops with the chat open: what Carol writes meanwhile is pulled by seq on
    // reconnecting, and what Dave wrote offline is sent then, each shown once.
    dave.offline(true);
    try {
      dave.await().until(ExpectedConditions.attributeToBe(By.id("connection"), "data-state", "reconnecting"));
      carol.send("did you get this?");
      carol.send("and this?");
      dave.send("typed offline");
      dave.await().until(ExpectedConditions.textToBePresentInElementLocated(
          By.cssSelector("#messages li.message.sending"), "Sending"));
    } finally {
      dave.offline(false);
    }
    dave.awaitLive();
    written.addAll(List.of("did you get this?", "and this?", "typed offline"));
    assertThat(dave.awaitMessages(written)).doesNotHaveDuplicates();
    carol.awaitMessages(written);
  }

  @Test
  void threeUsersChatInAGroupAndTheOwnerSeesMembersWithTheirRoles() {
    ChatPage erin = desktop();
    ChatPage frank = desktop();
    ChatPage grace = desktop();
    friends("erin", "Erin", erin, "frank", "Frank", frank);
    erin.send("group soon?");
    grace.signUp("grace", "Grace");
    erin.sendFriendRequest("grace");
    grace.acceptFriendRequest();
    erin.await().until(d -> d.findElements(By.cssSelector("#group-invitees input")).size() == 2);

    erin.find("#tab-groups").click();
    erin.find("#group-name").sendKeys("Hikers");
    for (WebElement box : erin.driver().findElements(By.cssSelector("#group-invitees input"))) {
      box.click();
    }
    erin.find("#create-group button[type=submit]").click();
    erin.await().until(ExpectedConditions.textToBe(By.id("chat-title"), "Hikers"));

    for (ChatPage invitee : List.of(frank, grace)) {
      invitee.find("#tab-groups").click();
      invitee.await().until(d -> !d.findElements(By.cssSelector("#invitation-list button.accept, #group-list button")).isEmpty());
      List<WebElement> accept = invitee.driver().findElements(By.cssSelector("#invitation-list button.accept"));
      if (!accept.isEmpty()) {
        accept.get(0).click();
      }
      invitee.find("#group-list button.open-group").click();
      invitee.await().until(ExpectedConditions.textToBe(By.id("chat-title"), "Hikers"));
    }

    erin.send("Saturday at 8?");
    frank.awaitMessage("Saturday at 8?");
    grace.awaitMessage("Saturday at 8?");
    frank.send("I'm in");
    grace.send("Me too");
    List<String> erinSees = erin.await().until(d -> erin.messageTexts().size() == 3 ? erin.messageTexts() : null);
    assertThat(erinSees).containsExactlyInAnyOrder("Saturday at 8?", "I'm in", "Me too");
    frank.await().until(d -> frank.messageTexts().equals(erinSees));
    grace.await().until(d -> grace.messageTexts().equals(erinSees));
    assertThat(frank.driver().findElements(By.cssSelector("#messages li.theirs .sender")).stream()
        .map(WebElement::getText)).contains("Erin");

    erin.find("#members-toggle").click();
    erin.await().until(d -> d.findElements(By.cssSelector("#member-list li")).size() == 3);
    assertThat(erin.find("#member-list").getText()).contains("Erin", "Owner", "Frank", "Grace", "Member");
    erin.find("#member-list button.set-role[aria-label$='Frank']").click();
    erin.await().until(ExpectedConditions.textToBePresentInElementLocated(By.id("member-list"), "Admin"));
    assertThat(erin.find("#members-panel").getText()).as("no stray text in the panel").doesNotContain("null");
    erin.screenshot("group-members");

    // The chats list puts the latest activity first.
    erin.await().until(d -> erin.conversationTitles().equals(List.of("Hikers", "Frank")));
    frank.openConversation("Erin");
    frank.send("see you Saturday");
    erin.await().until(d -> erin.conversationTitles().equals(List.of("Frank", "Hikers")));
  }

  @Test
  void aMessageWithHtmlIsShownAsTextAndNothingInItRuns() {
    ChatPage mallory = desktop();
    ChatPage heidi = desktop();
    friends("mallory", "<b>Mallory</b>", mallory, "heidi", "Heidi", heidi);
    String html = "<script>window.pwned = 1</script><img src=x onerror=\"window.pwned = 2\"><b>bold</b> & <i>co</i>";

    mallory.send(html);
    heidi.awaitUnread("<b>Mallory</b>", 1);
    heidi.openConversation("<b>Mallory</b>");
    heidi.awaitMessage(html);

    assertThat(heidi.find("#messages li.message .text").getText()).isEqualTo(html);
    assertThat(heidi.driver().findElements(By.cssSelector("#messages script, #messages img, #messages b, #messages i")))
        .isEmpty();
    assertThat(heidi.driver().findElements(By.cssSelector("#conversation-list b, #chat-title b"))).isEmpty();
    assertThat(heidi.find("#chat-title").getText()).isEqualTo("<b>Mallory</b>");
    assertThat(heidi.script("return window.pwned === undefined")).isEqualTo(true);
    assertThat(mallory.script("return window.pwned === undefined")).isEqualTo(true);
  }

  @Test
  void theSignInFormIsUsableFromTheKeyboard() {
    ChatPage judy = desktop().load();
    WebDriver driver = judy.driver();
    judy.find("#auth-username");
    assertThat(driver.switchTo().activeElement().getAttribute("id")).isEqualTo("auth-username");
    driver.switchTo().activeElement().sendKeys("judy", Keys.TAB);
    assertThat(driver.switchTo().activeElement().getAttribute("id")).as("the hidden nickname is skipped")
        .isEqualTo("auth-password");
    assertThat(judy.find("label[for=auth-password]").getText()).isEqualTo("Password");
    driver.switchTo().activeElement().sendKeys(Keys.SHIFT, Keys.TAB);
    assertThat(driver.switchTo().activeElement().getAttribute("id")).isEqualTo("auth-username");
  }

  @Test
  void refusalsAreExplainedByReasonInTheBrowsersLanguage() {
    ChatPage english = desktop();
    english.signUp("ivan", "Ivan");
    english.find("#sign-out").click();
    assertThat(english.refusal(true, "ivan", ChatPage.PASSWORD)).isEqualTo("That username is taken. Pick another one.");
    assertThat(english.refusal(false, "ivan", "not the password")).isEqualTo("Wrong username or password.");
    assertThat(english.refusal(true, "x", ChatPage.PASSWORD)).startsWith("Username: ");

    Chromium zh = Chromium.open(DESKTOP_WIDTH, DESKTOP_HEIGHT, "zh-CN");
    owned.add(zh);
    ChatPage chinese = new ChatPage(zh, url);
    assertThat(chinese.refusal(false, "ivan", "not the password")).isEqualTo("用户名或密码错误。");
    assertThat(chinese.find("#auth-submit").getText()).isEqualTo("登录");
    chinese.find("#auth-password").sendKeys(Keys.chord(Keys.CONTROL, "a"), ChatPage.PASSWORD, Keys.ENTER);
    chinese.await().until(ExpectedConditions.textToBe(By.id("tab-chats"), "会话"));
  }
}
