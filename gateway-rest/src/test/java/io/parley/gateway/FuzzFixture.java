package io.parley.gateway;

import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The data the fuzzers aim at, built through the gateway so that every id is one the real
 * services handed out: users alice, bob (her friend), carol (whose friend request to alice is
 * pending) and dave (whose credentials fuzzed logins use, so that they get past the password),
 * each signed in on WEB; alice's group "Team" with bob; a message from alice to bob and one to the
 * team. Fuzzed calls may sign these sessions out; {@link #renewSessions} signs them in again. Not
 * thread-safe.
 */
final class FuzzFixture {
  private static final List<String> USERS = List.of("alice", "bob", "carol", "dave");
  /** The user whose username and password fuzzed requests may carry. */
  static final String LOGIN_USER = "dave";

  private final Map<String, List<String>> ids;
  private final Map<String, String> authorizations;

  private FuzzFixture(Map<String, List<String>> ids, Map<String, String> authorizations) {
    this.ids = ids;
    this.authorizations = authorizations;
  }

  static FuzzFixture build(ParleyRest rest) {
    Map<String, ParleyRest.Login> logins = new LinkedHashMap<>();
    Map<String, String> authorizations = new LinkedHashMap<>();
    List<String> users = new ArrayList<>();
    List<String> sessions = new ArrayList<>();
    for (String name : USERS) {
      users.add(rest.register(name));
      ParleyRest.Login login = rest.login(name, "WEB");
      logins.put(name, login);
      authorizations.put(name, login.authorization());
      sessions.add(login.sessionId());
    }
    ParleyRest.Login alice = logins.get("alice");
    ParleyRest.Login bob = logins.get("bob");
    rest.befriend(alice, bob);
    String request = rest.sendFriendRequest(logins.get("carol"), alice.userId());
    String team = rest.createGroup(alice, "Team", "INVITE_ONLY", bob.userId());
    JsonObject toBob = rest.sendText(alice, bob.userId(), "fixture-1", "Hi Bob");
    JsonObject toTeam = rest.sendText(alice, team, "fixture-2", "Welcome");
    Map<String, List<String>> ids = new LinkedHashMap<>();
    ids.put("user", users);
    ids.put("group", List.of(team));
    ids.put("conversation", List.of(toBob.get("conversationId").getAsString(), toTeam.get("conversationId").getAsString()));
    ids.put("session", sessions);
    ids.put("request", List.of(request));
    ids.put("message", List.of(toBob.get("messageId").getAsString(), toTeam.get("messageId").getAsString(),
        "fixture-1", "fixture-2"));
    return new FuzzFixture(Map.copyOf(ids), authorizations);
  }

  /** Real ids by kind, for {@link FuzzValues}. */
  Map<String, List<String>> ids() {
    return ids;
  }

  /** The Authorization header of each signed-in user. */
  List<String> authorizations() {
    return List.copyOf(authorizations.values());
  }

  /** Signs in again each user whose session a fuzzed call ended (logout, revoke); quietly keeps it if it cannot. */
  void renewSessions(HttpTester http) {
    for (String name : USERS) {
      if (http.get("/v1/users/me", "Authorization", authorizations.get(name)).status() != 401) {
        continue;
      }
      JsonObject body = new JsonObject();
      body.addProperty("username", name);
      body.addProperty("password", ParleyRest.PASSWORD);
      body.addProperty("terminal", "WEB");
      HttpTester.Reply reply = http.send("POST", "/v1/sessions:login", body.toString());
      if (reply.status() == 200) {
        authorizations.put(name, "Bearer " + reply.json().get("accessToken").getAsString());
      }
    }
  }
}
