package io.parley.gateway;

import java.util.List;
import java.util.Locale;

/**
 * The golden route table of the Parley API: one row per HTTP binding of every public method, with
 * a request that must reach it and the fields the request must bind. Shared by the router's unit
 * test and the HTTP test against stand-in services; {@link RealServicesGoldenTable} is its
 * counterpart against the real services, with realistic requests and the statuses they get.
 */
final class ParleyRouteTable {
  /**
   * One binding.
   *
   * @param verb the HTTP method
   * @param path the path and query to send
   * @param body the JSON body, or null
   * @param method the gRPC method it must reach, e.g. {@code parley.user.v1.UserService/GetMe}
   * @param bound fields the request message must carry, as proto3 JSON
   */
  record Row(String verb, String path, String body, String method, String bound) {
    @Override
    public String toString() {
      return verb + " " + path + " -> " + method;
    }
  }

  static final List<Row> ROWS = List.of(
      row("POST", "/v1/users:register", "{\"username\":\"alice\",\"password\":\"secret-123\"}", "UserService/Register",
          "{\"username\":\"alice\",\"password\":\"secret-123\"}"),
      row("POST", "/v1/sessions:login", "{\"username\":\"alice\",\"password\":\"pw\",\"terminal\":\"WEB\"}",
          "UserService/Login", "{\"terminal\":\"WEB\"}"),
      row("POST", "/v1/sessions:logout", "{}", "UserService/Logout", "{}"),
      row("DELETE", "/v1/sessions/current", null, "UserService/Logout", "{}"),
      row("GET", "/v1/users/me", null, "UserService/GetMe", "{}"),
      row("GET", "/v1/users/u1", null, "UserService/GetUser", "{\"userId\":\"u1\"}"),
      row("GET", "/v1/users:batchGet?userIds=u1&user_ids=u2", null, "UserService/BatchGetUsers",
          "{\"userIds\":[\"u1\",\"u2\"]}"),
      row("PATCH", "/v1/users/me", "{\"nickname\":\"Al\"}", "UserService/UpdateProfile", "{\"nickname\":\"Al\"}"),
      row("GET", "/v1/users:search?query=al&pageSize=5", null, "UserService/SearchUsers",
          "{\"query\":\"al\",\"pageSize\":5}"),
      row("POST", "/v1/users/me:changePassword", "{\"oldPassword\":\"a\",\"newPassword\":\"b\"}",
          "UserService/ChangePassword", "{\"oldPassword\":\"a\",\"newPassword\":\"b\"}"),
      row("GET", "/v1/sessions", null, "UserService/ListSessions", "{}"),
      row("DELETE", "/v1/sessions/s1", null, "UserService/RevokeSession", "{\"sessionId\":\"s1\"}"),
      row("POST", "/v1/sessions:revokeOthers", null, "UserService/RevokeOtherSessions", "{}"),

      row("POST", "/v1/friendRequests", "{\"toUserId\":\"u2\",\"message\":\"hi\"}", "FriendService/SendFriendRequest",
          "{\"toUserId\":\"u2\",\"message\":\"hi\"}"),
      row("GET", "/v1/friendRequests?direction=OUTGOING", null, "FriendService/ListFriendRequests",
          "{\"direction\":\"OUTGOING\"}"),
      row("POST", "/v1/friendRequests/r1:accept", "{\"remark\":\"Bob\"}", "FriendService/AcceptFriendRequest",
          "{\"requestId\":\"r1\",\"remark\":\"Bob\"}"),
      row("POST", "/v1/friendRequests/r1:reject", null, "FriendService/RejectFriendRequest", "{\"requestId\":\"r1\"}"),
      row("GET", "/v1/friends?pageToken=t", null, "FriendService/ListFriends", "{\"pageToken\":\"t\"}"),
      row("DELETE", "/v1/friends/u2", null, "FriendService/RemoveFriend", "{\"userId\":\"u2\"}"),
      row("POST", "/v1/friends/u2:setRemark", "{\"remark\":\"B\"}", "FriendService/SetFriendRemark",
          "{\"userId\":\"u2\",\"remark\":\"B\"}"),
      row("POST", "/v1/blockedUsers", "{\"userId\":\"u3\"}", "FriendService/BlockUser", "{\"userId\":\"u3\"}"),
      row("DELETE", "/v1/blockedUsers/u3", null, "FriendService/UnblockUser", "{\"userId\":\"u3\"}"),
      row("GET", "/v1/blockedUsers", null, "FriendService/ListBlockedUsers", "{}"),

      row("POST", "/v1/groups?memberIds=u2&memberIds=u3", "{\"name\":\"Team\",\"joinPolicy\":\"OPEN\"}",
          "GroupService/CreateGroup", "{\"group\":{\"name\":\"Team\",\"joinPolicy\":\"OPEN\"},\"memberIds\":[\"u2\",\"u3\"]}"),
      row("GET", "/v1/groups/g1", null, "GroupService/GetGroup", "{\"groupId\":\"g1\"}"),
      row("PATCH", "/v1/groups/g1?updateMask=name,notice", "{\"name\":\"New\"}", "GroupService/UpdateGroup",
          "{\"group\":{\"groupId\":\"g1\",\"name\":\"New\"},\"updateMask\":\"name,notice\"}"),
      row("DELETE", "/v1/groups/g1", null, "GroupService/DismissGroup", "{\"groupId\":\"g1\"}"),
      row("GET", "/v1/groups", null, "GroupService/ListMyGroups", "{}"),
      row("POST", "/v1/groups/g1/members:invite", "{\"userIds\":[\"u2\"]}", "GroupService/InviteMembers",
          "{\"groupId\":\"g1\",\"userIds\":[\"u2\"]}"),
      row("POST", "/v1/groups/g1:join", "{\"message\":\"Let me in\"}", "GroupService/JoinGroup",
          "{\"groupId\":\"g1\",\"message\":\"Let me in\"}"),
      row("GET", "/v1/groupInvitations?pageSize=5", null, "GroupService/ListMyInvitations", "{\"pageSize\":5}"),
      row("POST", "/v1/groups/g1/invitations:accept", "{}", "GroupService/AcceptInvitation", "{\"groupId\":\"g1\"}"),
      row("POST", "/v1/groups/g1/invitations:decline", null, "GroupService/DeclineInvitation", "{\"groupId\":\"g1\"}"),
      row("GET", "/v1/groups/g1/invitations?pageToken=t", null, "GroupService/ListGroupInvitations",
          "{\"groupId\":\"g1\",\"pageToken\":\"t\"}"),
      row("DELETE", "/v1/groups/g1/invitations/u2", null, "GroupService/CancelInvitation",
          "{\"groupId\":\"g1\",\"userId\":\"u2\"}"),
      row("GET", "/v1/groups/g1/joinRequests?pageSize=10", null, "GroupService/ListJoinRequests",
          "{\"groupId\":\"g1\",\"pageSize\":10}"),
      row("POST", "/v1/groups/g1/joinRequests/u2:approve", null, "GroupService/ApproveJoinRequest",
          "{\"groupId\":\"g1\",\"userId\":\"u2\"}"),
      row("POST", "/v1/groups/g1/joinRequests/u2:reject", "{}", "GroupService/RejectJoinRequest",
          "{\"groupId\":\"g1\",\"userId\":\"u2\"}"),
      row("POST", "/v1/groups/g1/joinRequests:cancel", null, "GroupService/CancelJoinRequest", "{\"groupId\":\"g1\"}"),
      row("GET", "/v1/groupJoinRequests?pageToken=t", null, "GroupService/ListMyJoinRequests", "{\"pageToken\":\"t\"}"),
      row("POST", "/v1/groups/g1:setAnnouncement", "{\"text\":\"Stand-up moved to 10:30\"}",
          "GroupService/SetAnnouncement", "{\"groupId\":\"g1\",\"text\":\"Stand-up moved to 10:30\"}"),
      row("POST", "/v1/groups/g1:leave", null, "GroupService/LeaveGroup", "{\"groupId\":\"g1\"}"),
      row("DELETE", "/v1/groups/g1/members/u2", null, "GroupService/RemoveMember",
          "{\"groupId\":\"g1\",\"userId\":\"u2\"}"),
      row("POST", "/v1/groups/g1/members/u2:setRole", "{\"role\":\"ADMIN\"}", "GroupService/SetMemberRole",
          "{\"groupId\":\"g1\",\"userId\":\"u2\",\"role\":\"ADMIN\"}"),
      row("POST", "/v1/groups/g1:transferOwnership", "{\"newOwnerId\":\"u2\"}", "GroupService/TransferOwnership",
          "{\"groupId\":\"g1\",\"newOwnerId\":\"u2\"}"),
      row("POST", "/v1/groups/g1/members/u2:mute", "{\"muteUntil\":\"2030-01-01T00:00:00Z\"}",
          "GroupService/MuteMember", "{\"groupId\":\"g1\",\"userId\":\"u2\",\"muteUntil\":\"2030-01-01T00:00:00Z\"}"),
      row("GET", "/v1/groups/g1/members?pageSize=10", null, "GroupService/ListMembers",
          "{\"groupId\":\"g1\",\"pageSize\":10}"),

      row("POST", "/v1/messages", "{\"toUserId\":\"u2\",\"clientMsgId\":\"c1\",\"content\":{\"text\":{\"text\":\"hi\"}}}",
          "MessageService/SendMessage", "{\"toUserId\":\"u2\",\"clientMsgId\":\"c1\",\"content\":{\"text\":{\"text\":\"hi\"}}}"),
      row("GET", "/v1/conversations/p_u1_u2/messages?afterSeq=5&limit=20", null, "MessageService/PullMessages",
          "{\"conversationId\":\"p_u1_u2\",\"afterSeq\":\"5\",\"limit\":20}"),
      row("GET", "/v1/conversations", null, "MessageService/ListConversations", "{}"),
      row("POST", "/v1/conversations/p_u1_u2:markRead", "{\"seq\":\"9\"}", "MessageService/MarkRead",
          "{\"conversationId\":\"p_u1_u2\",\"seq\":\"9\"}"),
      row("POST", "/v1/conversations/g_g1/messages/7:recall", null, "MessageService/RecallMessage",
          "{\"conversationId\":\"g_g1\",\"seq\":\"7\"}"),
      row("POST", "/v1/conversations/p_u1_u2/messages/7:edit", "{\"content\":{\"text\":{\"text\":\"hi!\"}}}",
          "MessageService/EditMessage",
          "{\"conversationId\":\"p_u1_u2\",\"seq\":\"7\",\"content\":{\"text\":{\"text\":\"hi!\"}}}"),
      row("GET", "/v1/conversations/p_u1_u2/messages/7/versions", null, "MessageService/ListMessageVersions",
          "{\"conversationId\":\"p_u1_u2\",\"seq\":\"7\"}"),
      row("POST", "/v1/conversations/g_g1/messages/7:addReaction", "{\"emoji\":\"👍\"}", "MessageService/AddReaction",
          "{\"conversationId\":\"g_g1\",\"seq\":\"7\",\"emoji\":\"👍\"}"),
      row("POST", "/v1/conversations/g_g1/messages/7:removeReaction", "{\"emoji\":\"👍\"}",
          "MessageService/RemoveReaction", "{\"conversationId\":\"g_g1\",\"seq\":\"7\",\"emoji\":\"👍\"}"),
      row("POST", "/v1/messages:forward", "{\"fromConversationId\":\"g_g1\",\"seqs\":[\"7\"],\"toUserId\":\"u2\",\"clientMsgId\":\"f1\"}",
          "MessageService/ForwardMessages",
          "{\"fromConversationId\":\"g_g1\",\"seqs\":[\"7\"],\"toUserId\":\"u2\",\"clientMsgId\":\"f1\"}"),
      row("POST", "/v1/conversations/p_u1_u2:typing", "{}", "MessageService/SendTyping",
          "{\"conversationId\":\"p_u1_u2\"}"),
      row("PATCH", "/v1/conversations/p_u1_u2/settings?updateMask=pinned", "{\"pinned\":true}",
          "MessageService/UpdateConversationSettings",
          "{\"conversationId\":\"p_u1_u2\",\"settings\":{\"pinned\":true},\"updateMask\":\"pinned\"}"),
      row("GET", "/v1/badge", null, "MessageService/GetBadge", "{}"),
      row("POST", "/v1/conversations/p_u1_u2/messages:deleteForMe", "{\"seqs\":[\"3\"]}",
          "MessageService/DeleteMessagesForMe", "{\"conversationId\":\"p_u1_u2\",\"seqs\":[\"3\"]}"),
      row("POST", "/v1/conversations/p_u1_u2:clearHistory", "{}", "MessageService/ClearHistoryForMe",
          "{\"conversationId\":\"p_u1_u2\"}"),
      row("GET", "/v1/presence?userIds=u1&userIds=u2", null, "MessageService/GetPresence",
          "{\"userIds\":[\"u1\",\"u2\"]}"),
      row("POST", "/v1/presence:setVisibility", "{\"visibility\":\"FRIENDS\"}", "MessageService/SetPresenceVisibility",
          "{\"visibility\":\"FRIENDS\"}"),
      row("GET", "/v1/events", null, "MessageService/Subscribe", "{}"));

  /** The methods no binding may reach: INTERNAL ones. */
  static final List<String> INTERNAL_METHODS = List.of(
      "parley.friend.v1.FriendService/CheckRelation",
      "parley.group.v1.GroupService/CheckMembership",
      "parley.group.v1.GroupService/ListMemberIds",
      "parley.group.v1.GroupService/SharesGroup");

  private ParleyRouteTable() {}

  private static Row row(String verb, String path, String body, String method, String bound) {
    String service = method.substring(0, method.indexOf("Service"));
    return new Row(verb, path, body, "parley." + service.toLowerCase(Locale.ROOT) + ".v1." + method, bound);
  }
}
