package io.parley.message;

import io.parley.common.v1.Terminal;
import io.parley.data.Ids;
import io.parley.database.DatabaseSettings;
import io.parley.message.v1.MessageContent;
import io.parley.message.v1.MessageServiceGrpc;
import io.parley.message.v1.SendMessageRequest;
import io.parley.message.v1.SendMessageResponse;
import io.parley.message.v1.TextContent;
import io.parley.ratelimit.RateLimit;
import io.parley.server.Platform;
import io.parley.testing.MutableClock;
import io.parley.testing.PostgresServer;
import io.parley.testing.TestSessions;
import io.parley.webhook.WebhookSettings;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One message-svc, in-process (or on a TCP port, where every message goes through its protobuf
 * encoding), on the memory store or on a fresh PostgreSQL database of the test server, with the
 * fakes of friend-svc and group-svc and a clock that tests move. Start one per test class; tests
 * keep apart by using fresh users.
 */
final class MessageRig implements AutoCloseable, AfterAllCallback {
  final MutableClock clock = MutableClock.startingNow();
  final Platform platform;
  final Upstreams upstreams;
  final Replica replica;

  private MessageRig(MessageSettings settings, DatabaseSettings database, WebhookSettings webhooks) {
    this.platform = TestPlatforms.create("memory", clock);
    this.upstreams = Upstreams.start(platform);
    this.replica = Replica.inProcess(platform, settings, upstreams.target(), database, webhooks);
  }

  private MessageRig(MessageSettings settings, DatabaseSettings database, boolean tcp) {
    this.platform = TestPlatforms.create("memory", clock);
    this.upstreams = Upstreams.start(platform);
    if (tcp) {
      this.replica = database == null
          ? Replica.tcp(platform, settings, upstreams.target())
          : Replica.tcp(platform, settings, upstreams.target(), database);
    } else {
      this.replica = database == null
          ? Replica.inProcess(platform, settings, upstreams.target())
          : Replica.inProcess(platform, settings, upstreams.target(), database);
    }
  }

  /**
   * The defaults, but without the per-user send limit: tests send many messages from one user at
   * one instant of the test clock. Tests of the limit set it.
   */
  static MessageSettings settings() {
    return MessageSettings.defaults().withSendLimit(RateLimit.unlimited(MessageSettings.SEND_LIMIT));
  }

  /** With {@code webhooks}, on {@code database} (null: the memory store), with {@link #settings()}. */
  static MessageRig withWebhooks(WebhookSettings webhooks, DatabaseSettings database) {
    return new MessageRig(settings(), database, webhooks);
  }

  /** On the memory store, with {@link #settings()}. */
  static MessageRig start() {
    return start(settings());
  }

  /** On the memory store. */
  static MessageRig start(MessageSettings settings) {
    return new MessageRig(settings, null, false);
  }

  /** On the memory store, served on a TCP port, with {@link #settings()}. */
  static MessageRig overTcp() {
    return new MessageRig(settings(), null, true);
  }

  /** On a fresh database of the shared test PostgreSQL, served on a TCP port, with {@link #settings()}. */
  static MessageRig overTcpOnPostgres() {
    return new MessageRig(settings(), PostgresServer.shared().createDatabase(), true);
  }

  /** On a fresh database of the shared test PostgreSQL, with {@link #settings()}. */
  static MessageRig onPostgres() {
    return onPostgres(settings());
  }

  /** On a fresh database of the shared test PostgreSQL. */
  static MessageRig onPostgres(MessageSettings settings) {
    return onPostgres(settings, PostgresServer.shared().createDatabase());
  }

  /** On {@code database} (a test class may start several rigs on one database). */
  static MessageRig onPostgres(MessageSettings settings, DatabaseSettings database) {
    return new MessageRig(settings, database, false);
  }

  FakeFriendService friends() {
    return upstreams.friends;
  }

  FakeGroupService groups() {
    return upstreams.groups;
  }

  /** A new user, logged in on the web. */
  User user() {
    return login(Ids.newId("u"), Terminal.WEB);
  }

  /** Another session of {@code user} on {@code terminal}. */
  User login(String userId, Terminal terminal) {
    return new User(userId, TestSessions.login(platform, userId, terminal));
  }

  /** Two new users who are friends. */
  User[] friendsPair() {
    User a = user();
    User b = user();
    friends().befriend(a.id(), b.id());
    return new User[] {a, b};
  }

  MessageServiceGrpc.MessageServiceBlockingStub as(User user) {
    return replica.as(user);
  }

  MessageServiceGrpc.MessageServiceStub asyncAs(User user) {
    return replica.asyncAs(user);
  }

  static SendMessageRequest text(String clientMsgId, String text) {
    return SendMessageRequest.newBuilder()
        .setClientMsgId(clientMsgId)
        .setContent(MessageContent.newBuilder().setText(TextContent.newBuilder().setText(text)))
        .build();
  }

  SendMessageResponse sendTo(User from, User to, String text) {
    return as(from).sendMessage(text(Ids.newId("c"), text).toBuilder().setToUserId(to.id()).build());
  }

  SendMessageResponse sendToGroup(User from, String groupId, String text) {
    return as(from).sendMessage(text(Ids.newId("c"), text).toBuilder().setToGroupId(groupId).build());
  }

  /** Closes the rig after its test class, when registered with {@code @RegisterExtension}. */
  @Override
  public void afterAll(ExtensionContext context) {
    close();
  }

  @Override
  public void close() {
    replica.close();
    upstreams.close();
    platform.close();
  }
}
