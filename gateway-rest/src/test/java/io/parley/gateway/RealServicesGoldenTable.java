package io.parley.gateway;

import static java.util.Objects.requireNonNull;

import io.netty.handler.codec.http.HttpMethod;
import io.parley.gateway.ParleyRest.Login;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The golden table of the Parley REST API in front of the real services: for every public method,
 * requests as a client sends them (HTTP verb, path, JSON body, the caller) and what the client must
 * see (the HTTP status; for an error, the {@code ErrorInfo} reason of the AIP-193 body and the
 * fields its {@code BadRequest} names; for a success, values the JSON answer must hold).
 *
 * <p>The rows run in order against one {@link #fixture fixture}, which the gateway itself built:
 * several rows depend on what earlier rows did (a second accept of a friend request finds it
 * closed). Paths, bodies and expected answers name fixture values as {@code {name}} (user ids,
 * group ids, ...), and values that an earlier row's answer {@linkplain Row#saving saved} (the id of
 * a group a row created); bodies and expected answers are JSON written with single quotes.
 */
final class RealServicesGoldenTable {
  /** The caller of an anonymous row: no Authorization header. */
  static final String ANONYMOUS = "anonymous";

  private static final Pattern PLACEHOLDER = Pattern.compile("\\{([a-zA-Z][a-zA-Z0-9]*)}");

  /**
   * One request and what the client must see.
   *
   * @param caller a key of {@link Fixture#authorizations}, or {@link #ANONYMOUS}
   * @param body JSON, or null for none
   * @param reason the ErrorInfo reason of an error, null for a success
   * @param fields for an INVALID_ARGUMENT, exactly the fields the BadRequest names (proto paths)
   * @param expect for a success, JSON the answer must hold (objects: at least these names, arrays:
   *     exactly these elements, in order), or null; for a stream, its first message
   * @param saved for a success, the answer's value that later rows name, or null
   */
  record Row(String caller, String verb, String path, String body, int status, String reason, List<String> fields,
      String expect, Saved saved) {
    boolean isError() {
      return reason != null;
    }

    /**
     * This success row, whose answer's string {@code field} (a top-level JSON name) later rows name
     * as {@code {name}}.
     */
    Row saving(String name, String field) {
      if (isError() || saved != null) {
        throw new IllegalArgumentException("only a success row saves, and one value: " + this);
      }
      return new Row(caller, verb, path, body, status, reason, fields, expect, new Saved(name, field));
    }

    @Override
    public String toString() {
      return caller + ": " + verb + " " + path + (body == null ? "" : " " + abbreviate(body)) + " -> " + status
          + (reason == null ? "" : " " + reason);
    }

    private static String abbreviate(String text) {
      return text.length() <= 120 ? text : text.substring(0, 120) + "…";
    }
  }

  /** A value of a success answer that later rows name as {@code {name}}: the string at top-level {@code field}. */
  record Saved(String name, String field) {
    Saved {
      requireNonNull(name, "name");
      requireNonNull(field, "field");
    }
  }

  /** The data the rows name, built through the gateway: ids by name, and each caller's Authorization header. */
  record Fixture(Map<String, String> ids, Map<String, String> authorizations) {
    /** This fixture and one more value, {@code {name}}, which it must not hold yet. */
    Fixture with(String name, String value) {
      if (ids.containsKey(name)) {
        throw new IllegalArgumentException("the fixture already holds {" + name + "}");
      }
      Map<String, String> more = new LinkedHashMap<>(ids);
      more.put(name, requireNonNull(value, "value"));
      return new Fixture(Map.copyOf(more), authorizations);
    }

    /** {@code text} with every {@code {name}} replaced by its id. */
    String fill(String text) {
      if (text == null) {
        return null;
      }
      Matcher matcher = PLACEHOLDER.matcher(text);
      StringBuilder filled = new StringBuilder();
      while (matcher.find()) {
        String value = ids.get(matcher.group(1));
        if (value == null) {
          throw new IllegalArgumentException("no fixture value {" + matcher.group(1) + "} in " + text);
        }
        matcher.appendReplacement(filled, Matcher.quoteReplacement(value));
      }
      matcher.appendTail(filled);
      return filled.toString();
    }

    /** The Authorization header of a caller, or null for {@link #ANONYMOUS}. */
    String authorization(String caller) {
      if (caller.equals(ANONYMOUS)) {
        return null;
      }
      return requireNonNull(authorizations.get(caller), () -> "no caller " + caller + " in the fixture");
    }
  }

  /**
   * Builds the rows' data through the gateway. Users alice, bob, carol (a stranger to everyone),
   * dave, erin and frank, each logged in on WEB; alice and frank also on MOBILE and DESKTOP (for
   * the session rows). Alice and bob are friends; dave and erin each have a pending request to
   * alice. Alice owns four groups with bob, who joined each by accepting her invitation: "Team"
   * (INVITE_ONLY), "Book club" (OPEN, with dave too), "Old project" (INVITE_ONLY, to be dismissed)
   * and "Choir" (APPROVAL). Nobody holds a pending invitation or join request. Alice has sent bob
   * "Hi Bob" (seq 1 of their conversation) and the team "Welcome to the team" (seq 1).
   */
  static Fixture fixture(ParleyRest rest) {
    Map<String, String> ids = new LinkedHashMap<>();
    Map<String, String> authorizations = new LinkedHashMap<>();
    Map<String, Login> logins = new LinkedHashMap<>();
    for (String name : List.of("alice", "bob", "carol", "dave", "erin", "frank")) {
      ids.put(name, rest.register(name));
      Login login = rest.login(name, "WEB");
      logins.put(name, login);
      authorizations.put(name, login.authorization());
      ids.put(name + "Session", login.sessionId());
    }
    for (String name : List.of("alice", "frank")) {
      for (String terminal : List.of("MOBILE", "DESKTOP")) {
        Login login = rest.login(name, terminal);
        String caller = name + terminal.charAt(0) + terminal.substring(1).toLowerCase(Locale.ROOT);
        authorizations.put(caller, login.authorization());
        ids.put(caller + "Session", login.sessionId());
      }
    }
    Login alice = logins.get("alice");
    Login bob = logins.get("bob");
    rest.befriend(alice, bob);
    ids.put("daveRequest", rest.sendFriendRequest(logins.get("dave"), alice.userId()));
    ids.put("erinRequest", rest.sendFriendRequest(logins.get("erin"), alice.userId()));
    ids.put("team", group(rest, alice, "Team", "INVITE_ONLY", bob));
    ids.put("club", group(rest, alice, "Book club", "OPEN", bob, logins.get("dave")));
    ids.put("doomed", group(rest, alice, "Old project", "INVITE_ONLY", bob));
    ids.put("choir", group(rest, alice, "Choir", "APPROVAL", bob));
    ids.put("aliceBob", ParleyRest.privateConversation(ids.get("alice"), ids.get("bob")));
    ids.put("aliceDave", ParleyRest.privateConversation(ids.get("alice"), ids.get("dave")));
    ids.put("teamChat", "g_" + ids.get("team"));
    ids.put("clubChat", "g_" + ids.get("club"));
    rest.sendText(alice, ids.get("bob"), "fixture-1", "Hi Bob");
    rest.sendText(alice, ids.get("team"), "fixture-2", "Welcome to the team");
    // Well-formed ids that name nothing.
    ids.put("missingUser", "u0000000000000000");
    ids.put("missingGroup", "g0000000000000000");
    ids.put("missingRequest", "fr0000000000000000");
    return new Fixture(Map.copyOf(ids), Map.copyOf(authorizations));
  }

  /** A new group of {@code owner}'s that invited {@code members}, each of whom accepted; returns its id. */
  private static String group(ParleyRest rest, Login owner, String name, String joinPolicy, Login... members) {
    String groupId = rest.createGroup(owner, name, joinPolicy,
        Arrays.stream(members).map(Login::userId).toArray(String[]::new));
    for (Login member : members) {
      rest.acceptInvitation(member, groupId);
    }
    return groupId;
  }

  private static final String LONG_TEXT = "x".repeat(5000);
  private static final String REMARK_65 = "r".repeat(65);

  static final List<Row> ROWS = List.of(
      // ---- UserService ----------------------------------------------------------------------------
      anonymous().post("/v1/users:register", "{'username':'Heidi','password':'correct-horse-battery','nickname':'Heidi H.'}")
          .ok("{'username':'heidi','nickname':'Heidi H.','bio':''}"),
      anonymous().post("/v1/users:register", "{'username':'Alice','password':'another-password'}")
          .fails(409, "USERNAME_TAKEN"),
      anonymous().post("/v1/users:register", "{'username':'x!','password':'short'}")
          .invalid("username", "password"),

      anonymous().post("/v1/sessions:login",
              "{'username':'heidi','password':'correct-horse-battery','terminal':'MOBILE','deviceName':'Pixel 8'}")
          .ok("{'tokenType':'Bearer','user':{'username':'heidi'},'session':{'terminal':'MOBILE','deviceName':'Pixel 8',"
              + "'current':true}}"),
      anonymous().post("/v1/sessions:login", "{'username':'heidi','password':'correct-horse-battery'}")
          .invalid("terminal"),
      // Five wrong passwords within 15 minutes, and the username is throttled, even for the right one.
      anonymous().post("/v1/sessions:login", "{'username':'heidi','password':'not-her-password','terminal':'WEB'}")
          .fails(401, "INVALID_CREDENTIALS"),
      anonymous().post("/v1/sessions:login", "{'username':'heidi','password':'not-her-password','terminal':'WEB'}")
          .fails(401, "INVALID_CREDENTIALS"),
      anonymous().post("/v1/sessions:login", "{'username':'heidi','password':'not-her-password','terminal':'WEB'}")
          .fails(401, "INVALID_CREDENTIALS"),
      anonymous().post("/v1/sessions:login", "{'username':'heidi','password':'not-her-password','terminal':'WEB'}")
          .fails(401, "INVALID_CREDENTIALS"),
      anonymous().post("/v1/sessions:login", "{'username':'heidi','password':'not-her-password','terminal':'WEB'}")
          .fails(401, "INVALID_CREDENTIALS"),
      anonymous().post("/v1/sessions:login", "{'username':'heidi','password':'correct-horse-battery','terminal':'WEB'}")
          .fails(429, "LOGIN_THROTTLED"),

      as("frankMobile").post("/v1/sessions:logout", "{}").ok("{}"),
      as("frankMobile").get("/v1/users/me").fails(401, "SESSION_REVOKED"),
      anonymous().post("/v1/sessions:logout", "{}").unauthenticated(),
      as("frankDesktop").delete("/v1/sessions/current").ok("{}"),
      as("frankDesktop").delete("/v1/sessions/current").fails(401, "SESSION_REVOKED"),
      anonymous().delete("/v1/sessions/current").unauthenticated(),

      as("alice").get("/v1/users/me").ok("{'userId':'{alice}','username':'alice','nickname':'alice'}"),
      anonymous().get("/v1/users/me").unauthenticated(),

      as("alice").get("/v1/users/{bob}").ok("{'userId':'{bob}','username':'bob'}"),
      as("alice").get("/v1/users/{missingUser}").fails(404, "USER_NOT_FOUND"),
      as("alice").get("/v1/users/bob").invalid("user_id"),
      anonymous().get("/v1/users/{bob}").unauthenticated(),

      as("alice").get("/v1/users:batchGet?userIds={bob}&userIds={missingUser}&userIds={carol}")
          .ok("{'users':[{'userId':'{bob}','username':'bob'},{'userId':'{carol}','username':'carol'}]}"),
      as("alice").get("/v1/users:batchGet").invalid("user_ids"),
      anonymous().get("/v1/users:batchGet?userIds={bob}").unauthenticated(),

      as("alice").patch("/v1/users/me", "{'nickname':'Alice 🌷','bio':'Tea first, then code.'}")
          .ok("{'userId':'{alice}','username':'alice','nickname':'Alice 🌷','bio':'Tea first, then code.'}"),
      as("bob").get("/v1/users/{alice}").ok("{'userId':'{alice}','nickname':'Alice 🌷','bio':'Tea first, then code.'}"),
      as("alice").patch("/v1/users/me", "{'avatarUrl':'ftp://files.example.com/alice.png'}").invalid("avatar_url"),
      anonymous().patch("/v1/users/me", "{'nickname':'Mallory'}").unauthenticated(),

      as("alice").get("/v1/users:search?query=car&pageSize=5")
          .ok("{'users':[{'userId':'{carol}','username':'carol'}],'nextPageToken':''}"),
      as("alice").get("/v1/users:search?query=car&pageToken=not-a-page-token").fails(400, "INVALID_PAGE_TOKEN"),
      as("alice").get("/v1/users:search").invalid("query"),
      anonymous().get("/v1/users:search?query=car").unauthenticated(),

      as("frank").post("/v1/users/me:changePassword", "{'oldPassword':'not-my-password','newPassword':'brand-new-secret'}")
          .fails(403, "PASSWORD_INCORRECT"),
      as("frank").post("/v1/users/me:changePassword", "{'oldPassword':'correct-horse-battery','newPassword':'short'}")
          .invalid("new_password"),
      as("frank").post("/v1/users/me:changePassword",
              "{'oldPassword':'correct-horse-battery','newPassword':'brand-new-secret'}")
          .ok("{'revokedSessions':0}"),
      anonymous().post("/v1/sessions:login", "{'username':'frank','password':'correct-horse-battery','terminal':'DESKTOP'}")
          .fails(401, "INVALID_CREDENTIALS"),
      anonymous().post("/v1/sessions:login", "{'username':'frank','password':'brand-new-secret','terminal':'DESKTOP'}")
          .ok("{'tokenType':'Bearer','user':{'userId':'{frank}'}}"),
      anonymous().post("/v1/users/me:changePassword", "{'oldPassword':'a','newPassword':'b'}").unauthenticated(),

      as("alice").get("/v1/sessions").ok("{'sessions':[{},{},{}]}"),
      anonymous().get("/v1/sessions").unauthenticated(),

      as("carol").delete("/v1/sessions/{aliceMobileSession}").fails(404, "SESSION_ID_NOT_FOUND"),
      as("alice").delete("/v1/sessions/{aliceMobileSession}").ok("{}"),
      as("aliceMobile").get("/v1/users/me").fails(401, "SESSION_REVOKED"),
      as("alice").delete("/v1/sessions/{aliceMobileSession}").fails(404, "SESSION_ID_NOT_FOUND"),
      as("alice").delete("/v1/sessions/not.a.session").invalid("session_id"),
      anonymous().delete("/v1/sessions/{aliceDesktopSession}").unauthenticated(),

      as("alice").post("/v1/sessions:revokeOthers", null).ok("{'revokedSessions':1}"),
      as("aliceDesktop").get("/v1/users/me").fails(401, "SESSION_REVOKED"),
      anonymous().post("/v1/sessions:revokeOthers", null).unauthenticated(),

      // ---- FriendService --------------------------------------------------------------------------
      as("alice").post("/v1/friendRequests", "{'toUserId':'{frank}','message':'Hi Frank, this is Alice'}")
          .ok("{'fromUserId':'{alice}','toUserId':'{frank}','message':'Hi Frank, this is Alice','state':'PENDING'}"),
      as("alice").post("/v1/friendRequests", "{'toUserId':'{frank}'}").fails(409, "FRIEND_REQUEST_EXISTS"),
      as("frank").post("/v1/friendRequests", "{'toUserId':'{alice}'}").fails(409, "FRIEND_REQUEST_EXISTS"),
      as("alice").post("/v1/friendRequests", "{'toUserId':'{bob}'}").fails(409, "ALREADY_FRIENDS"),
      as("alice").post("/v1/friendRequests", "{'toUserId':'{alice}'}").fails(400, "FRIEND_REQUEST_TO_SELF"),
      as("alice").post("/v1/friendRequests", "{'toUserId':'{missingUser}'}").fails(404, "USER_NOT_FOUND"),
      as("alice").post("/v1/friendRequests", "{'toUserId':'bob'}").invalid("to_user_id"),
      anonymous().post("/v1/friendRequests", "{'toUserId':'{alice}'}").unauthenticated(),

      as("alice").get("/v1/friendRequests?direction=OUTGOING")
          .ok("{'friendRequests':[{'toUserId':'{frank}','state':'PENDING'},{'toUserId':'{bob}','state':'ACCEPTED'}],"
              + "'nextPageToken':''}"),
      as("alice").get("/v1/friendRequests")
          .ok("{'friendRequests':[{'fromUserId':'{erin}','state':'PENDING'},{'fromUserId':'{dave}','state':'PENDING'}]}"),
      as("alice").get("/v1/friendRequests?pageToken=not-a-page-token").fails(400, "INVALID_PAGE_TOKEN"),
      anonymous().get("/v1/friendRequests").unauthenticated(),

      as("dave").post("/v1/friendRequests/{daveRequest}:accept", "{}").fails(403, "NOT_REQUEST_ADDRESSEE"),
      as("carol").post("/v1/friendRequests/{daveRequest}:accept", "{}").fails(404, "FRIEND_REQUEST_NOT_FOUND"),
      as("alice").post("/v1/friendRequests/{daveRequest}:accept", "{'remark':'Dave from work'}")
          .ok("{'userId':'{dave}','remark':'Dave from work'}"),
      as("alice").post("/v1/messages", "{'toUserId':'{dave}','clientMsgId':'dave-1','content':{'text':{'text':'Welcome aboard'}}}")
          .ok("{'conversationId':'{aliceDave}','seq':'1'}"),
      as("alice").post("/v1/friendRequests/{daveRequest}:accept", "{}").fails(400, "FRIEND_REQUEST_CLOSED"),
      as("alice").post("/v1/friendRequests/{missingRequest}:accept", "{}").fails(404, "FRIEND_REQUEST_NOT_FOUND"),
      as("alice").post("/v1/friendRequests/dave:accept", "{}").invalid("request_id"),
      anonymous().post("/v1/friendRequests/{daveRequest}:accept", "{}").unauthenticated(),

      as("alice").post("/v1/friendRequests/{erinRequest}:reject", null)
          .ok("{'requestId':'{erinRequest}','fromUserId':'{erin}','state':'REJECTED'}"),
      as("alice").post("/v1/friendRequests/{erinRequest}:reject", null).fails(400, "FRIEND_REQUEST_CLOSED"),
      anonymous().post("/v1/friendRequests/{erinRequest}:reject", null).unauthenticated(),

      as("alice").get("/v1/friends")
          .ok("{'friends':[{'userId':'{dave}','remark':'Dave from work'},{'userId':'{bob}','remark':''}],'nextPageToken':''}"),
      as("alice").get("/v1/friends?pageSize=-1").invalid("page_size"),
      anonymous().get("/v1/friends").unauthenticated(),

      as("alice").post("/v1/friends/{bob}:setRemark", "{'remark':'Bobby'}").ok("{'userId':'{bob}','remark':'Bobby'}"),
      as("alice").post("/v1/friends/{carol}:setRemark", "{'remark':'Who?'}").fails(404, "NOT_FRIENDS"),
      as("alice").post("/v1/friends/{bob}:setRemark", "{'remark':'" + REMARK_65 + "'}").invalid("remark"),
      anonymous().post("/v1/friends/{bob}:setRemark", "{'remark':'Bobby'}").unauthenticated(),

      as("alice").delete("/v1/friends/{dave}").ok("{}"),
      as("alice").post("/v1/messages", "{'toUserId':'{dave}','clientMsgId':'dave-2','content':{'text':{'text':'Still there?'}}}")
          .fails(403, "NOT_FRIENDS_CANNOT_MESSAGE"),
      as("alice").delete("/v1/friends/{dave}").fails(404, "NOT_FRIENDS"),
      as("alice").delete("/v1/friends/{alice}").invalid("user_id"),
      anonymous().delete("/v1/friends/{bob}").unauthenticated(),

      as("alice").post("/v1/blockedUsers", "{'userId':'{erin}'}").ok("{'userId':'{erin}'}"),
      as("alice").post("/v1/blockedUsers", "{'userId':'{erin}'}").fails(409, "ALREADY_BLOCKED"),
      as("erin").post("/v1/friendRequests", "{'toUserId':'{alice}','message':'Please?'}").fails(403, "BLOCKED"),
      as("erin").post("/v1/messages", "{'toUserId':'{alice}','clientMsgId':'erin-1','content':{'text':{'text':'Please?'}}}")
          .fails(403, "BLOCKED"),
      as("alice").post("/v1/blockedUsers", "{'userId':'{alice}'}").fails(400, "BLOCK_SELF"),
      as("alice").post("/v1/blockedUsers", "{'userId':'{missingUser}'}").fails(404, "USER_NOT_FOUND"),
      anonymous().post("/v1/blockedUsers", "{'userId':'{erin}'}").unauthenticated(),

      as("alice").get("/v1/blockedUsers").ok("{'blockedUsers':[{'userId':'{erin}'}],'nextPageToken':''}"),
      anonymous().get("/v1/blockedUsers").unauthenticated(),

      as("alice").delete("/v1/blockedUsers/{erin}").ok("{}"),
      as("alice").delete("/v1/blockedUsers/{erin}").fails(404, "NOT_BLOCKED"),
      anonymous().delete("/v1/blockedUsers/{erin}").unauthenticated(),

      // ---- GroupService ---------------------------------------------------------------------------
      // Nobody becomes a member without asking: alice's new group invites bob and dave, who accept.
      as("alice").post("/v1/groups?memberIds={bob}&memberIds={dave}",
              "{'name':'Weekend hikers','notice':'Boots on','joinPolicy':'OPEN'}")
          .ok("{'name':'Weekend hikers','notice':'Boots on','joinPolicy':'OPEN','ownerId':'{alice}','memberCount':1,"
              + "'myRole':'OWNER'}")
          .saving("hikers", "groupId"),
      as("alice").post("/v1/groups", "{'name':'   '}").invalid("group.name"),
      as("alice").post("/v1/groups?memberIds={missingUser}", "{'name':'Ghosts'}").fails(404, "USER_NOT_FOUND"),
      anonymous().post("/v1/groups", "{'name':'Anonymous club'}").unauthenticated(),

      as("bob").get("/v1/groupInvitations")
          .ok("{'invitations':[{'groupId':'{hikers}','inviteeId':'{bob}','inviterId':'{alice}',"
              + "'group':{'groupId':'{hikers}','name':'Weekend hikers','memberCount':1,'myRole':'GROUP_ROLE_UNSPECIFIED'}}],"
              + "'nextPageToken':''}"),
      as("bob").get("/v1/groupInvitations?pageToken=not-a-page-token").fails(400, "INVALID_PAGE_TOKEN"),
      anonymous().get("/v1/groupInvitations").unauthenticated(),

      as("bob").post("/v1/groups/{hikers}/invitations:accept", "{}").ok("{'userId':'{bob}','role':'MEMBER'}"),
      as("bob").get("/v1/groupInvitations").ok("{'invitations':[],'nextPageToken':''}"),
      as("bob").post("/v1/groups/{hikers}/invitations:accept", "{}").fails(409, "ALREADY_GROUP_MEMBER"),
      as("carol").post("/v1/groups/{hikers}/invitations:accept", "{}").fails(404, "INVITATION_NOT_FOUND"),
      as("carol").post("/v1/groups/{team}/invitations:accept", "{}").fails(404, "GROUP_NOT_FOUND"),
      as("bob").post("/v1/groups/hikers/invitations:accept", "{}").invalid("group_id"),
      anonymous().post("/v1/groups/{hikers}/invitations:accept", "{}").unauthenticated(),

      as("alice").get("/v1/groups/{hikers}/invitations")
          .ok("{'invitations':[{'groupId':'{hikers}','inviteeId':'{dave}','inviterId':'{alice}'}],'nextPageToken':''}"),
      as("bob").get("/v1/groups/{hikers}/invitations").fails(403, "GROUP_ROLE_INSUFFICIENT"),
      as("carol").get("/v1/groups/{hikers}/invitations").fails(403, "NOT_GROUP_MEMBER"),
      as("alice").get("/v1/groups/{hikers}/invitations?pageToken=not-a-page-token").fails(400, "INVALID_PAGE_TOKEN"),
      anonymous().get("/v1/groups/{hikers}/invitations").unauthenticated(),

      as("dave").post("/v1/groups/{hikers}/invitations:accept", "{}").ok("{'userId':'{dave}','role':'MEMBER'}"),
      as("alice").get("/v1/groups/{hikers}/invitations").ok("{'invitations':[],'nextPageToken':''}"),
      as("bob").get("/v1/groups/{hikers}").ok("{'groupId':'{hikers}','memberCount':3,'myRole':'MEMBER'}"),

      as("bob").get("/v1/groups/{team}")
          .ok("{'groupId':'{team}','name':'Team','ownerId':'{alice}','joinPolicy':'INVITE_ONLY','memberCount':2,"
              + "'myRole':'MEMBER'}"),
      as("carol").get("/v1/groups/{club}")
          .ok("{'groupId':'{club}','name':'Book club','joinPolicy':'OPEN','myRole':'GROUP_ROLE_UNSPECIFIED'}"),
      as("carol").get("/v1/groups/{choir}")
          .ok("{'groupId':'{choir}','name':'Choir','joinPolicy':'APPROVAL','memberCount':2,'myRole':'GROUP_ROLE_UNSPECIFIED'}"),
      as("carol").get("/v1/groups/{team}").fails(404, "GROUP_NOT_FOUND"),
      as("alice").get("/v1/groups/{missingGroup}").fails(404, "GROUP_NOT_FOUND"),
      as("alice").get("/v1/groups/team").invalid("group_id"),
      anonymous().get("/v1/groups/{team}").unauthenticated(),

      as("alice").patch("/v1/groups/{team}?updateMask=notice,avatarUrl",
              "{'name':'Ignored','notice':'Stand-up at 10:00','avatarUrl':'https://img.example.com/team.png'}")
          .ok("{'groupId':'{team}','name':'Team','notice':'Stand-up at 10:00','avatarUrl':'https://img.example.com/team.png'}"),
      as("bob").patch("/v1/groups/{team}", "{'name':'Bob rules'}").fails(403, "GROUP_ROLE_INSUFFICIENT"),
      as("carol").patch("/v1/groups/{club}", "{'name':'Mine now'}").fails(403, "NOT_GROUP_MEMBER"),
      as("carol").patch("/v1/groups/{team}", "{'name':'Mine now'}").fails(404, "GROUP_NOT_FOUND"),
      as("alice").patch("/v1/groups/{team}?updateMask=ownerId", "{'name':'Team'}").invalid("update_mask"),
      anonymous().patch("/v1/groups/{team}", "{'name':'Mine now'}").unauthenticated(),

      as("bob").delete("/v1/groups/{doomed}").fails(403, "GROUP_ROLE_INSUFFICIENT"),
      as("carol").delete("/v1/groups/{doomed}").fails(404, "GROUP_NOT_FOUND"),
      as("alice").delete("/v1/groups/{doomed}").ok("{}"),
      as("alice").delete("/v1/groups/{doomed}").fails(404, "GROUP_NOT_FOUND"),
      as("bob").get("/v1/groups/{doomed}").fails(404, "GROUP_NOT_FOUND"),
      anonymous().delete("/v1/groups/{team}").unauthenticated(),

      as("carol").get("/v1/groups").ok("{'groups':[],'nextPageToken':''}"),
      as("bob").get("/v1/groups?pageSize=1").ok("{'groups':[{'name':'Weekend hikers','myRole':'MEMBER'}]}"),
      as("bob").get("/v1/groups?pageToken=not-a-page-token").fails(400, "INVALID_PAGE_TOKEN"),
      anonymous().get("/v1/groups").unauthenticated(),

      // An invitation, not a membership: frank accepts his, erin declines hers.
      as("alice").post("/v1/groups/{team}/members:invite", "{'userIds':['{frank}','{erin}','{bob}']}")
          .ok("{'added':[],'alreadyMembers':['{bob}'],'invited':[{'groupId':'{team}','inviteeId':'{frank}','inviterId':'{alice}'},"
              + "{'groupId':'{team}','inviteeId':'{erin}','inviterId':'{alice}'}],'alreadyInvited':[]}"),
      as("alice").post("/v1/groups/{team}/members:invite", "{'userIds':['{frank}']}")
          .ok("{'added':[],'alreadyMembers':[],'invited':[],'alreadyInvited':['{frank}']}"),
      as("bob").post("/v1/groups/{team}/members:invite", "{'userIds':['{carol}']}").fails(403, "GROUP_ROLE_INSUFFICIENT"),
      as("carol").post("/v1/groups/{team}/members:invite", "{'userIds':['{carol}']}").fails(404, "GROUP_NOT_FOUND"),
      as("alice").post("/v1/groups/{team}/members:invite", "{'userIds':['{missingUser}']}").fails(404, "USER_NOT_FOUND"),
      as("alice").post("/v1/groups/{team}/members:invite", "{'userIds':[]}").invalid("user_ids"),
      anonymous().post("/v1/groups/{team}/members:invite", "{'userIds':['{carol}']}").unauthenticated(),
      as("frank").get("/v1/groups/{team}").ok("{'groupId':'{team}','name':'Team','myRole':'GROUP_ROLE_UNSPECIFIED'}"),
      as("frank").post("/v1/groups/{team}/invitations:accept", "{}").ok("{'userId':'{frank}','role':'MEMBER'}"),
      as("frank").get("/v1/groups/{team}").ok("{'memberCount':3,'myRole':'MEMBER'}"),

      as("erin").post("/v1/groups/{team}/invitations:decline", "{}").ok("{}"),
      as("erin").get("/v1/groups/{team}").fails(404, "GROUP_NOT_FOUND"),
      as("erin").post("/v1/groups/{team}/invitations:decline", "{}").fails(404, "GROUP_NOT_FOUND"),
      as("alice").post("/v1/groups/{team}/members:invite", "{'userIds':['{erin}']}").fails(400, "INVITATION_DECLINED"),
      as("bob").post("/v1/groups/{team}/invitations:decline", "{}").fails(409, "ALREADY_GROUP_MEMBER"),
      as("carol").post("/v1/groups/{club}/invitations:decline", "{}").fails(404, "INVITATION_NOT_FOUND"),
      anonymous().post("/v1/groups/{team}/invitations:decline", "{}").unauthenticated(),

      // An invitee sees the group until the invitation is withdrawn.
      as("alice").post("/v1/groups/{team}/members:invite", "{'userIds':['{carol}']}")
          .ok("{'added':[],'invited':[{'inviteeId':'{carol}'}]}"),
      as("carol").get("/v1/groupInvitations").ok("{'invitations':[{'groupId':'{team}','group':{'name':'Team'}}]}"),
      as("bob").delete("/v1/groups/{team}/invitations/{carol}").fails(403, "GROUP_ROLE_INSUFFICIENT"),
      as("alice").delete("/v1/groups/{team}/invitations/{carol}").ok("{}"),
      as("carol").get("/v1/groups/{team}").fails(404, "GROUP_NOT_FOUND"),
      as("carol").get("/v1/groupInvitations").ok("{'invitations':[]}"),
      as("alice").delete("/v1/groups/{team}/invitations/{carol}").fails(404, "INVITATION_NOT_FOUND"),
      as("alice").delete("/v1/groups/{team}/invitations/carol").invalid("user_id"),
      anonymous().delete("/v1/groups/{team}/invitations/{carol}").unauthenticated(),

      as("carol").post("/v1/groups/{club}:join", null).ok("{'userId':'{carol}','role':'MEMBER'}"),
      as("carol").post("/v1/messages", "{'toGroupId':'{club}','clientMsgId':'carol-1','content':{'text':{'text':'Hello, readers'}}}")
          .ok("{'conversationId':'{clubChat}','seq':'1'}"),
      as("carol").post("/v1/groups/{club}:join", null).fails(409, "ALREADY_GROUP_MEMBER"),
      as("carol").post("/v1/groups/{team}:join", null).fails(403, "GROUP_INVITE_ONLY"),
      as("carol").post("/v1/groups/{missingGroup}:join", null).fails(404, "GROUP_NOT_FOUND"),
      anonymous().post("/v1/groups/{club}:join", null).unauthenticated(),

      // An APPROVAL group: dave asks to join, alice approves; carol asks, alice rejects; erin asks, then withdraws.
      as("dave").post("/v1/groups/{choir}:join", "{'message':'I sing bass'}")
          .ok("{'userId':'','joinRequest':{'groupId':'{choir}','userId':'{dave}','message':'I sing bass'}}"),
      as("dave").post("/v1/groups/{choir}:join", "{'message':'Please?'}").fails(409, "JOIN_REQUEST_EXISTS"),
      as("dave").get("/v1/groups/{choir}").ok("{'memberCount':2,'myRole':'GROUP_ROLE_UNSPECIFIED'}"),
      as("carol").post("/v1/groups/{choir}:join", "{'message':'" + LONG_TEXT + "'}").invalid("message"),

      as("dave").get("/v1/groupJoinRequests")
          .ok("{'joinRequests':[{'groupId':'{choir}','userId':'{dave}','message':'I sing bass',"
              + "'group':{'groupId':'{choir}','name':'Choir','joinPolicy':'APPROVAL'}}],'nextPageToken':''}"),
      as("dave").get("/v1/groupJoinRequests?pageToken=not-a-page-token").fails(400, "INVALID_PAGE_TOKEN"),
      anonymous().get("/v1/groupJoinRequests").unauthenticated(),

      as("alice").get("/v1/groups/{choir}/joinRequests")
          .ok("{'joinRequests':[{'groupId':'{choir}','userId':'{dave}','message':'I sing bass'}],'nextPageToken':''}"),
      as("bob").get("/v1/groups/{choir}/joinRequests").fails(403, "GROUP_ROLE_INSUFFICIENT"),
      as("carol").get("/v1/groups/{choir}/joinRequests").fails(403, "NOT_GROUP_MEMBER"),
      as("carol").get("/v1/groups/{team}/joinRequests").fails(404, "GROUP_NOT_FOUND"),
      anonymous().get("/v1/groups/{choir}/joinRequests").unauthenticated(),

      as("bob").post("/v1/groups/{choir}/joinRequests/{dave}:approve", "{}").fails(403, "GROUP_ROLE_INSUFFICIENT"),
      as("alice").post("/v1/groups/{choir}/joinRequests/{dave}:approve", "{}").ok("{'userId':'{dave}','role':'MEMBER'}"),
      as("dave").get("/v1/groups/{choir}").ok("{'memberCount':3,'myRole':'MEMBER'}"),
      as("dave").get("/v1/groupJoinRequests").ok("{'joinRequests':[],'nextPageToken':''}"),
      as("alice").post("/v1/groups/{choir}/joinRequests/{dave}:approve", "{}").fails(404, "JOIN_REQUEST_NOT_FOUND"),
      as("alice").post("/v1/groups/{choir}/joinRequests/dave:approve", "{}").invalid("user_id"),
      anonymous().post("/v1/groups/{choir}/joinRequests/{dave}:approve", "{}").unauthenticated(),

      as("carol").post("/v1/groups/{choir}:join", "{'message':'Me too'}")
          .ok("{'joinRequest':{'groupId':'{choir}','userId':'{carol}','message':'Me too'}}"),
      as("bob").post("/v1/groups/{choir}/joinRequests/{carol}:reject", "{}").fails(403, "GROUP_ROLE_INSUFFICIENT"),
      as("alice").post("/v1/groups/{choir}/joinRequests/{carol}:reject", "{}").ok("{}"),
      as("alice").get("/v1/groups/{choir}/joinRequests").ok("{'joinRequests':[],'nextPageToken':''}"),
      as("carol").post("/v1/groups/{choir}:join", "{'message':'Pretty please'}").fails(400, "JOIN_REQUEST_REJECTED"),
      as("alice").post("/v1/groups/{choir}/joinRequests/{carol}:reject", "{}").fails(404, "JOIN_REQUEST_NOT_FOUND"),
      anonymous().post("/v1/groups/{choir}/joinRequests/{carol}:reject", "{}").unauthenticated(),

      as("erin").post("/v1/groups/{choir}:join", null).ok("{'joinRequest':{'userId':'{erin}','message':''}}"),
      as("erin").post("/v1/groups/{choir}/joinRequests:cancel", "{}").ok("{}"),
      as("erin").get("/v1/groupJoinRequests").ok("{'joinRequests':[],'nextPageToken':''}"),
      as("erin").post("/v1/groups/{choir}/joinRequests:cancel", "{}").fails(404, "JOIN_REQUEST_NOT_FOUND"),
      as("erin").post("/v1/groups/{team}/joinRequests:cancel", "{}").fails(404, "GROUP_NOT_FOUND"),
      anonymous().post("/v1/groups/{choir}/joinRequests:cancel", "{}").unauthenticated(),

      // Inviting a user who asked to join adds them at once: the request is the consent.
      as("frank").post("/v1/groups/{choir}:join", "{'message':'Tenor here'}")
          .ok("{'joinRequest':{'userId':'{frank}','message':'Tenor here'}}"),
      as("alice").post("/v1/groups/{choir}/members:invite", "{'userIds':['{frank}']}")
          .ok("{'added':[{'userId':'{frank}','role':'MEMBER'}],'alreadyMembers':[],'invited':[],'alreadyInvited':[]}"),
      as("frank").get("/v1/groups/{choir}").ok("{'memberCount':4,'myRole':'MEMBER'}"),

      as("alice").post("/v1/groups/{team}:setAnnouncement", "{'text':'Release on Friday\\nFreeze on Thursday'}")
          .ok("{'text':'Release on Friday\\nFreeze on Thursday','updatedBy':'{alice}'}"),
      as("bob").get("/v1/groups/{team}")
          .ok("{'groupId':'{team}','announcement':{'text':'Release on Friday\\nFreeze on Thursday','updatedBy':'{alice}'}}"),
      as("bob").post("/v1/groups/{team}:setAnnouncement", "{'text':'Release today!'}").fails(403, "GROUP_ROLE_INSUFFICIENT"),
      as("carol").post("/v1/groups/{choir}:setAnnouncement", "{'text':'Karaoke night'}").fails(403, "NOT_GROUP_MEMBER"),
      as("carol").post("/v1/groups/{team}:setAnnouncement", "{'text':'Karaoke night'}").fails(404, "GROUP_NOT_FOUND"),
      as("alice").post("/v1/groups/{team}:setAnnouncement", "{'text':'" + LONG_TEXT + "'}").invalid("text"),
      as("alice").post("/v1/groups/{choir}:setAnnouncement", "{'text':'Rehearsal moved to Tuesday'}")
          .ok("{'text':'Rehearsal moved to Tuesday','updatedBy':'{alice}'}"),
      as("carol").get("/v1/groups/{choir}").ok("{'announcement':{'text':'Rehearsal moved to Tuesday'}}"),
      as("alice").post("/v1/groups/{choir}:setAnnouncement", "{'text':''}").ok("{'text':'','updatedBy':''}"),
      anonymous().post("/v1/groups/{team}:setAnnouncement", "{'text':'Hacked'}").unauthenticated(),

      as("carol").post("/v1/groups/{club}:leave", null).ok("{}"),
      as("carol").post("/v1/messages", "{'toGroupId':'{club}','clientMsgId':'carol-2','content':{'text':{'text':'Hello?'}}}")
          .fails(403, "NOT_GROUP_MEMBER"),
      as("carol").post("/v1/groups/{club}:leave", null).fails(403, "NOT_GROUP_MEMBER"),
      as("alice").post("/v1/groups/{team}:leave", null).fails(400, "OWNER_CANNOT_LEAVE"),
      anonymous().post("/v1/groups/{club}:leave", null).unauthenticated(),

      as("bob").delete("/v1/groups/{team}/members/{frank}").fails(403, "GROUP_ROLE_INSUFFICIENT"),
      as("alice").delete("/v1/groups/{team}/members/{frank}").ok("{}"),
      as("alice").delete("/v1/groups/{team}/members/{frank}").fails(404, "MEMBER_NOT_FOUND"),
      as("alice").delete("/v1/groups/{team}/members/frank").invalid("user_id"),
      anonymous().delete("/v1/groups/{team}/members/{bob}").unauthenticated(),

      as("alice").post("/v1/groups/{team}/members/{bob}:setRole", "{'role':'ADMIN'}").ok("{'userId':'{bob}','role':'ADMIN'}"),
      as("bob").post("/v1/groups/{team}/members/{alice}:setRole", "{'role':'MEMBER'}").fails(403, "GROUP_ROLE_INSUFFICIENT"),
      as("alice").post("/v1/groups/{team}/members/{carol}:setRole", "{'role':'ADMIN'}").fails(404, "MEMBER_NOT_FOUND"),
      as("alice").post("/v1/groups/{team}/members/{bob}:setRole", "{'role':'OWNER'}").invalid("role"),
      anonymous().post("/v1/groups/{team}/members/{bob}:setRole", "{'role':'ADMIN'}").unauthenticated(),

      as("bob").post("/v1/messages", "{'toGroupId':'{club}','clientMsgId':'bob-1','content':{'text':{'text':'Chapter 3 tonight?'}}}")
          .ok("{'conversationId':'{clubChat}','seq':'2'}"),
      as("alice").post("/v1/groups/{club}/members/{bob}:mute", "{'muteUntil':'2099-01-01T00:00:00Z'}")
          .ok("{'userId':'{bob}','role':'MEMBER','muteUntil':'2099-01-01T00:00:00Z'}"),
      as("bob").post("/v1/messages", "{'toGroupId':'{club}','clientMsgId':'bob-2','content':{'text':{'text':'Let me speak'}}}")
          .fails(403, "MEMBER_MUTED"),
      as("bob").post("/v1/groups/{club}/members/{alice}:mute", "{'muteUntil':'2099-01-01T00:00:00Z'}")
          .fails(403, "GROUP_ROLE_INSUFFICIENT"),
      as("alice").post("/v1/groups/{club}/members/{carol}:mute", "{'muteUntil':'2099-01-01T00:00:00Z'}")
          .fails(404, "MEMBER_NOT_FOUND"),
      anonymous().post("/v1/groups/{club}/members/{bob}:mute", "{}").unauthenticated(),

      as("alice").get("/v1/groups/{team}/members")
          .ok("{'members':[{'userId':'{alice}','role':'OWNER'},{'userId':'{bob}','role':'ADMIN'}],'nextPageToken':''}"),
      as("carol").get("/v1/groups/{team}/members").fails(404, "GROUP_NOT_FOUND"),
      as("carol").get("/v1/groups/{club}/members").fails(403, "NOT_GROUP_MEMBER"),
      anonymous().get("/v1/groups/{team}/members").unauthenticated(),

      as("alice").post("/v1/groups/{team}:transferOwnership", "{'newOwnerId':'{carol}'}").fails(404, "MEMBER_NOT_FOUND"),
      as("alice").post("/v1/groups/{team}:transferOwnership", "{'newOwnerId':'{alice}'}").invalid("new_owner_id"),
      as("alice").post("/v1/groups/{team}:transferOwnership", "{'newOwnerId':'{bob}'}")
          .ok("{'groupId':'{team}','ownerId':'{bob}'}"),
      as("alice").post("/v1/groups/{team}:transferOwnership", "{'newOwnerId':'{bob}'}").fails(403, "GROUP_ROLE_INSUFFICIENT"),
      anonymous().post("/v1/groups/{team}:transferOwnership", "{'newOwnerId':'{bob}'}").unauthenticated(),

      // ---- MessageService -------------------------------------------------------------------------
      as("alice").post("/v1/messages", "{'toUserId':'{bob}','clientMsgId':'lunch-1','content':{'text':{'text':'Lunch at noon?'}}}")
          .ok("{'conversationId':'{aliceBob}','seq':'2','duplicate':false}"),
      as("alice").post("/v1/messages", "{'toUserId':'{bob}','clientMsgId':'lunch-1','content':{'text':{'text':'Lunch at noon?'}}}")
          .ok("{'conversationId':'{aliceBob}','seq':'2','duplicate':true}"),
      as("alice").post("/v1/messages",
              "{'toGroupId':'{team}','clientMsgId':'team-1','content':{'text':{'text':'发布了 🎉'}},'mentionUserIds':['{bob}']}")
          .ok("{'conversationId':'{teamChat}','seq':'2','duplicate':false}"),
      as("carol").post("/v1/messages", "{'toUserId':'{alice}','clientMsgId':'c-1','content':{'text':{'text':'Hello?'}}}")
          .fails(403, "NOT_FRIENDS_CANNOT_MESSAGE"),
      as("dave").post("/v1/messages",
              "{'toGroupId':'{club}','clientMsgId':'d-1','content':{'text':{'text':'Hey all'}},'mentionAll':true}")
          .fails(403, "MENTION_ALL_NOT_ALLOWED"),
      as("alice").post("/v1/messages", "{'toGroupId':'{missingGroup}','clientMsgId':'a-1','content':{'text':{'text':'Hi'}}}")
          .fails(404, "GROUP_NOT_FOUND"),
      as("alice").post("/v1/messages",
              "{'toGroupId':'{team}','clientMsgId':'a-5','content':{'text':{'text':'Carol?'}},'mentionUserIds':['{carol}']}")
          .invalid("mention_user_ids[0]"),
      as("alice").post("/v1/messages", "{'toUserId':'{alice}','clientMsgId':'a-2','content':{'text':{'text':'Note to self'}}}")
          .invalid("to_user_id"),
      as("alice").post("/v1/messages", "{'toUserId':'{bob}','clientMsgId':'a-3'}").invalid("content"),
      as("alice").post("/v1/messages", "{'toUserId':'{bob}','clientMsgId':'a-4','content':{'text':{'text':'" + LONG_TEXT + "'}}}")
          .fails(400, "PAYLOAD_TOO_LARGE", "content.text"),
      anonymous().post("/v1/messages", "{'toUserId':'{bob}','clientMsgId':'x-1','content':{'text':{'text':'Hi'}}}")
          .unauthenticated(),

      as("bob").get("/v1/conversations/{aliceBob}/messages?afterSeq=0")
          .ok("{'messages':[{'seq':'1','senderId':'{alice}','content':{'text':{'text':'Hi Bob'}}},"
              + "{'seq':'2','senderId':'{alice}','clientMsgId':'lunch-1','content':{'text':{'text':'Lunch at noon?'}}}],"
              + "'hasMore':false,'lastSeq':'2'}"),
      as("bob").get("/v1/conversations/{aliceBob}/messages?beforeSeq=2&limit=1").ok("{'messages':[{'seq':'1'}],'hasMore':false}"),
      as("carol").get("/v1/conversations/{aliceBob}/messages").fails(404, "CONVERSATION_NOT_FOUND"),
      as("carol").get("/v1/conversations/{teamChat}/messages").fails(404, "CONVERSATION_NOT_FOUND"),
      as("bob").get("/v1/conversations/chat-42/messages").invalid("conversation_id"),
      as("bob").get("/v1/conversations/{aliceBob}/messages?limit=-1").invalid("limit"),
      anonymous().get("/v1/conversations/{aliceBob}/messages").unauthenticated(),

      as("bob").get("/v1/conversations")
          .ok("{'conversations':["
              + "{'conversationId':'{teamChat}','type':'GROUP','groupId':'{team}','lastSeq':'2','unreadCount':'2',"
              + "'lastMessage':{'senderId':'{alice}','content':{'text':{'text':'发布了 🎉'}}}},"
              + "{'conversationId':'{aliceBob}','type':'PRIVATE','peerUserId':'{alice}','lastSeq':'2','unreadCount':'2'},"
              + "{'conversationId':'{clubChat}','type':'GROUP','groupId':'{club}','lastSeq':'2','unreadCount':'1'}],"
              + "'nextPageToken':''}"),
      as("carol").get("/v1/conversations").ok("{'conversations':[],'nextPageToken':''}"),
      as("bob").get("/v1/conversations?pageToken=not-a-page-token").fails(400, "INVALID_PAGE_TOKEN"),
      anonymous().get("/v1/conversations").unauthenticated(),

      as("bob").post("/v1/conversations/{aliceBob}:markRead", "{'seq':'1'}").ok("{'readSeq':'1','unreadCount':'1'}"),
      as("bob").post("/v1/conversations/{aliceBob}:markRead", "{'seq':'99'}").ok("{'readSeq':'2','unreadCount':'0'}"),
      as("carol").post("/v1/conversations/{aliceBob}:markRead", "{'seq':'1'}").fails(404, "CONVERSATION_NOT_FOUND"),
      as("bob").post("/v1/conversations/{aliceBob}:markRead", "{'seq':'0'}").invalid("seq"),
      anonymous().post("/v1/conversations/{aliceBob}:markRead", "{'seq':'1'}").unauthenticated(),

      as("alice").post("/v1/conversations/{aliceBob}/messages/1:edit", "{'content':{'text':{'text':'Hi Bob!'}}}")
          .ok("{'conversationId':'{aliceBob}','seq':'1','content':{'text':{'text':'Hi Bob!'}},'edited':true,'editCount':1}"),
      as("bob").post("/v1/conversations/{aliceBob}/messages/1:edit", "{'content':{'text':{'text':'Hi Alice'}}}")
          .fails(403, "EDIT_NOT_ALLOWED"),
      as("alice").post("/v1/conversations/{aliceBob}/messages/1:edit", "{'content':{'image':{'url':'https://example.com/a.png'}}}")
          .invalid("content"),
      as("carol").post("/v1/conversations/{aliceBob}/messages/1:edit", "{'content':{'text':{'text':'Hi'}}}")
          .fails(404, "CONVERSATION_NOT_FOUND"),
      anonymous().post("/v1/conversations/{aliceBob}/messages/1:edit", "{'content':{'text':{'text':'Hi'}}}")
          .unauthenticated(),
      as("bob").get("/v1/conversations/{aliceBob}/messages/1/versions")
          .ok("{'versions':[{'version':0,'content':{'text':{'text':'Hi Bob'}}},"
              + "{'version':1,'content':{'text':{'text':'Hi Bob!'}}}]}"),
      as("carol").get("/v1/conversations/{aliceBob}/messages/1/versions").fails(404, "CONVERSATION_NOT_FOUND"),
      anonymous().get("/v1/conversations/{aliceBob}/messages/1/versions").unauthenticated(),

      as("bob").post("/v1/messages:forward",
              "{'fromConversationId':'{aliceBob}','seqs':['1'],'toGroupId':'{team}','clientMsgId':'fw-1'}")
          .ok("{'messages':[{'conversationId':'{teamChat}','seq':'3','duplicate':false}]}"),
      as("carol").post("/v1/messages:forward",
              "{'fromConversationId':'{aliceBob}','seqs':['1'],'toUserId':'{alice}','clientMsgId':'fw-2'}")
          .fails(404, "CONVERSATION_NOT_FOUND"),
      anonymous().post("/v1/messages:forward",
              "{'fromConversationId':'{aliceBob}','seqs':['1'],'toUserId':'{alice}','clientMsgId':'fw-3'}")
          .unauthenticated(),
      as("bob").patch("/v1/conversations/{aliceBob}/settings?updateMask=pinned", "{'pinned':true}")
          .ok("{'pinned':true,'archived':false}"),
      as("bob").patch("/v1/conversations/{aliceBob}/settings?updateMask=colour", "{'pinned':true}")
          .invalid("update_mask"),
      as("carol").patch("/v1/conversations/{aliceBob}/settings", "{'pinned':true}").fails(404, "CONVERSATION_NOT_FOUND"),
      anonymous().patch("/v1/conversations/{aliceBob}/settings", "{'pinned':true}").unauthenticated(),
      as("bob").get("/v1/badge").ok("{'unreadCount':'3','unreadConversations':2}"),
      anonymous().get("/v1/badge").unauthenticated(),
      as("carol").post("/v1/conversations/{aliceBob}/messages:deleteForMe", "{'seqs':['1']}")
          .fails(404, "CONVERSATION_NOT_FOUND"),
      as("carol").post("/v1/conversations/{aliceBob}:clearHistory", "{}").fails(404, "CONVERSATION_NOT_FOUND"),
      as("bob").post("/v1/conversations/{aliceBob}/messages:deleteForMe", "{'seqs':['0']}").invalid("seqs[0]"),
      anonymous().post("/v1/conversations/{aliceBob}/messages:deleteForMe", "{'seqs':['1']}").unauthenticated(),
      anonymous().post("/v1/conversations/{aliceBob}:clearHistory", "{}").unauthenticated(),
      as("carol").get("/v1/presence?userIds={alice}").ok("{'presences':[{'userId':'{alice}'}]}"),
      as("bob").get("/v1/presence").invalid("user_ids"),
      anonymous().get("/v1/presence?userIds={alice}").unauthenticated(),
      as("erin").post("/v1/presence:setVisibility", "{'visibility':'FRIENDS'}").ok("{'visibility':'FRIENDS'}"),
      as("erin").post("/v1/presence:setVisibility", "{}").invalid("visibility"),
      anonymous().post("/v1/presence:setVisibility", "{'visibility':'NOBODY'}").unauthenticated(),
      as("bob").post("/v1/conversations/{aliceBob}:typing", "{}").ok("{}"),
      as("carol").post("/v1/conversations/{aliceBob}:typing", "{}").fails(404, "CONVERSATION_NOT_FOUND"),
      anonymous().post("/v1/conversations/{aliceBob}:typing", "{}").unauthenticated(),
      as("bob").post("/v1/conversations/{aliceBob}/messages/1:addReaction", "{'emoji':'👍'}")
          .ok("{'seq':'1','reactions':[{'emoji':'👍','count':1,'mine':true}]}"),
      as("bob").post("/v1/conversations/{aliceBob}/messages/1:addReaction", "{'emoji':'ok'}").invalid("emoji"),
      as("carol").post("/v1/conversations/{aliceBob}/messages/1:addReaction", "{'emoji':'👍'}")
          .fails(404, "CONVERSATION_NOT_FOUND"),
      anonymous().post("/v1/conversations/{aliceBob}/messages/1:addReaction", "{'emoji':'👍'}").unauthenticated(),
      as("bob").post("/v1/conversations/{aliceBob}/messages/1:removeReaction", "{'emoji':'👍'}")
          .ok("{'seq':'1','reactions':[]}"),
      anonymous().post("/v1/conversations/{aliceBob}/messages/1:removeReaction", "{'emoji':'👍'}").unauthenticated(),

      as("bob").post("/v1/conversations/{aliceBob}/messages/1:recall", null).fails(403, "RECALL_NOT_ALLOWED"),
      as("alice").post("/v1/conversations/{aliceBob}/messages/2:recall", null)
          .ok("{'conversationId':'{aliceBob}','seq':'2','recalled':true,'recalledBy':'{alice}'}"),
      as("alice").post("/v1/conversations/{aliceBob}/messages/99:recall", null).fails(404, "MESSAGE_NOT_FOUND"),
      as("carol").post("/v1/conversations/{aliceBob}/messages/1:recall", null).fails(404, "CONVERSATION_NOT_FOUND"),
      anonymous().post("/v1/conversations/{aliceBob}/messages/1:recall", null).unauthenticated(),

      // A block ends the friendship: no more messages either way, but the history stays readable.
      as("bob").post("/v1/blockedUsers", "{'userId':'{alice}'}").ok("{'userId':'{alice}'}"),
      as("alice").post("/v1/messages", "{'toUserId':'{bob}','clientMsgId':'lunch-2','content':{'text':{'text':'Bob?'}}}")
          .fails(403, "BLOCKED"),
      as("alice").get("/v1/conversations/{aliceBob}/messages?afterSeq=1")
          .ok("{'messages':[{'seq':'2','recalled':true}],'lastSeq':'2'}"),

      // For Bob only: Alice keeps her history.
      as("bob").post("/v1/conversations/{aliceBob}/messages:deleteForMe", "{'seqs':['1']}").ok("{'deletedCount':1}"),
      as("bob").get("/v1/conversations/{aliceBob}/messages?afterSeq=0").ok("{'messages':[{'seq':'2'}]}"),
      as("bob").post("/v1/conversations/{aliceBob}:clearHistory", "{}").ok("{'clearedSeq':'2'}"),
      as("bob").get("/v1/conversations/{aliceBob}/messages?afterSeq=0").ok("{'messages':[],'lastSeq':'2'}"),
      as("alice").get("/v1/conversations/{aliceBob}/messages?afterSeq=0")
          .ok("{'messages':[{'seq':'1'},{'seq':'2','recalled':true}]}"),

      as("bob").get("/v1/events").ok("{'subscribed':{'sessionId':'{bobSession}'}}"),
      anonymous().get("/v1/events").unauthenticated());

  private RealServicesGoldenTable() {}

  private static Caller as(String caller) {
    return new Caller(caller);
  }

  private static Caller anonymous() {
    return new Caller(ANONYMOUS);
  }

  /** The first half of a row: who calls. */
  private record Caller(String name) {
    Request get(String path) {
      return new Request(name, "GET", path, null);
    }

    Request delete(String path) {
      return new Request(name, "DELETE", path, null);
    }

    Request post(String path, String body) {
      return new Request(name, "POST", path, body);
    }

    Request patch(String path, String body) {
      return new Request(name, "PATCH", path, body);
    }
  }

  /** The second half of a row: what comes back. */
  private record Request(String caller, String verb, String path, String body) {
    /** 200, with an answer that holds {@code expect}. */
    Row ok(String expect) {
      return new Row(caller, verb, path, json(body), 200, null, List.of(), json(expect), null);
    }

    /** An error with this status and reason; the BadRequest names exactly {@code fields}. */
    Row fails(int status, String reason, String... fields) {
      return new Row(caller, verb, path, json(body), status, reason, List.of(fields), null, null);
    }

    /** 400 INVALID_ARGUMENT naming exactly these fields. */
    Row invalid(String... fields) {
      if (fields.length == 0) {
        throw new IllegalArgumentException("an INVALID_ARGUMENT row names the bad fields");
      }
      return fails(400, "INVALID_ARGUMENT", fields);
    }

    /** 401 TOKEN_MISSING, the answer to a call without a token. */
    Row unauthenticated() {
      return fails(401, "TOKEN_MISSING");
    }
  }

  private static String json(String singleQuoted) {
    return singleQuoted == null ? null : singleQuoted.replace('\'', '"');
  }

  /** The route a row's request reaches. */
  static Route route(Router router, Row row) {
    String path = row.path().contains("?") ? row.path().substring(0, row.path().indexOf('?')) : row.path();
    Router.Resolution resolution = router.resolve(HttpMethod.valueOf(row.verb()), path);
    if (!(resolution instanceof Router.Matched matched)) {
      throw new AssertionError(row + " reaches no route: " + resolution);
    }
    return matched.route();
  }
}
