package io.parley.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.util.Locale;

/**
 * The Parley REST API as a client app calls it, for building test data through the gateway: every
 * id a test uses is one the real services handed out. Each call asserts that it succeeded, showing
 * the answer if not.
 */
final class ParleyRest {
  /** The password of every user these tests register. */
  static final String PASSWORD = "correct-horse-battery";

  /** A logged-in session. */
  record Login(String userId, String sessionId, String authorization) {}

  private final HttpTester http;

  ParleyRest(HttpTester http) {
    this.http = http;
  }

  /** Registers {@code username} with {@link #PASSWORD}; returns the new user's id. */
  String register(String username) {
    JsonObject body = new JsonObject();
    body.addProperty("username", username);
    body.addProperty("password", PASSWORD);
    return ok(http.send("POST", "/v1/users:register", body.toString())).get("userId").getAsString();
  }

  /** Logs {@code username} in on {@code terminal} (WEB, MOBILE or DESKTOP). */
  Login login(String username, String terminal) {
    JsonObject body = new JsonObject();
    body.addProperty("username", username);
    body.addProperty("password", PASSWORD);
    body.addProperty("terminal", terminal);
    body.addProperty("deviceName", username + "'s " + terminal.toLowerCase(Locale.ROOT));
    JsonObject answer = ok(http.send("POST", "/v1/sessions:login", body.toString()));
    assertThat(answer.get("tokenType").getAsString()).isEqualTo("Bearer");
    return new Login(answer.getAsJsonObject("user").get("userId").getAsString(),
        answer.getAsJsonObject("session").get("sessionId").getAsString(),
        "Bearer " + answer.get("accessToken").getAsString());
  }

  /** Sends a friend request; returns its id. */
  String sendFriendRequest(Login from, String toUserId) {
    JsonObject body = new JsonObject();
    body.addProperty("toUserId", toUserId);
    body.addProperty("message", "Hello!");
    return ok(http.send("POST", "/v1/friendRequests", body.toString(), "Authorization", from.authorization()))
        .get("requestId").getAsString();
  }

  /** Makes two users friends: a request from {@code a}, accepted by {@code b}. */
  void befriend(Login a, Login b) {
    String requestId = sendFriendRequest(a, b.userId());
    ok(http.send("POST", "/v1/friendRequests/" + requestId + ":accept", "{}", "Authorization", b.authorization()));
  }

  /**
   * Creates a group owned by {@code owner} that invites the given users (each becomes a member
   * only by {@linkplain #acceptInvitation accepting}); returns its id.
   */
  String createGroup(Login owner, String name, String joinPolicy, String... memberIds) {
    JsonObject group = new JsonObject();
    group.addProperty("name", name);
    group.addProperty("joinPolicy", joinPolicy);
    StringBuilder query = new StringBuilder();
    for (String memberId : memberIds) {
      query.append(query.length() == 0 ? "?" : "&").append("memberIds=").append(memberId);
    }
    return ok(http.send("POST", "/v1/groups" + query, group.toString(), "Authorization", owner.authorization()))
        .get("groupId").getAsString();
  }

  /** {@code invitee} accepts its pending invitation to the group and becomes a member. */
  void acceptInvitation(Login invitee, String groupId) {
    JsonObject member = ok(http.send("POST", "/v1/groups/" + groupId + "/invitations:accept", "{}", "Authorization",
        invitee.authorization()));
    assertThat(member.get("userId").getAsString()).isEqualTo(invitee.userId());
  }

  /** The group's owner makes member {@code userId} an ADMIN or a MEMBER. */
  void setMemberRole(Login owner, String groupId, String userId, String role) {
    JsonObject body = new JsonObject();
    body.addProperty("role", role);
    JsonObject member = ok(http.send("POST", "/v1/groups/" + groupId + "/members/" + userId + ":setRole", body.toString(),
        "Authorization", owner.authorization()));
    assertThat(member.get("role").getAsString()).isEqualTo(role);
  }

  /** Sends a text to a user ({@code to} starts with "u") or a group; returns the answer (conversationId, seq...). */
  JsonObject sendText(Login from, String to, String clientMsgId, String text) {
    JsonObject content = new JsonObject();
    JsonObject textContent = new JsonObject();
    textContent.add("text", new JsonPrimitive(text));
    content.add("text", textContent);
    JsonObject body = new JsonObject();
    body.addProperty(to.startsWith("u") ? "toUserId" : "toGroupId", to);
    body.addProperty("clientMsgId", clientMsgId);
    body.add("content", content);
    return ok(http.send("POST", "/v1/messages", body.toString(), "Authorization", from.authorization()));
  }

  /** The id of the private conversation of two users: {@code p_<smaller id>_<larger id>}. */
  static String privateConversation(String userA, String userB) {
    return userA.compareTo(userB) < 0 ? "p_" + userA + "_" + userB : "p_" + userB + "_" + userA;
  }

  private static JsonObject ok(HttpTester.Reply reply) {
    assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    return reply.json();
  }
}
