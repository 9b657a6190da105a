package io.parley.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.gateway.ParleyRest.Login;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The walk over every operation of {@code /openapi.json} (see {@link OpenApiOracle#walk}), against
 * the real services: a request built from each operation's documentation, with real ids in its
 * path, reaches the service and is answered with a declared status and documented JSON; every
 * read succeeds; and every operation that needs a session refuses an anonymous caller with the
 * documented 401.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RealServicesOpenApiTest {
  /** The reasons of the gateway's own errors: a request built from the document must never get them. */
  private static final Set<String> GATEWAY_REASONS = Set.of("ROUTE_NOT_FOUND", "METHOD_NOT_ALLOWED", "MALFORMED_JSON",
      "UNSUPPORTED_MEDIA_TYPE", "REQUEST_TOO_LARGE", "UPSTREAM_UNAVAILABLE");

  private RealParley parley;
  private ParleyRest rest;
  private OpenApiOracle oracle;
  private Map<String, String> parameters;

  /**
   * The walker, an admin of pal's group (invited, accepted, then promoted, so that the group's
   * invitations and join requests are readable), pal's friend with one message sent, with a pending
   * friend request from a third user and a second session on MOBILE, so that every path parameter
   * names something real.
   */
  @BeforeAll
  void start() {
    parley = RealParley.start();
    rest = new ParleyRest(parley.http());
    rest.register("walker");
    rest.register("pal");
    rest.register("asker");
    Login walker = rest.login("walker", "WEB");
    Login pal = rest.login("pal", "WEB");
    rest.befriend(pal, walker);
    String requestId = rest.sendFriendRequest(rest.login("asker", "WEB"), walker.userId());
    String groupId = rest.createGroup(pal, "Walkers", "INVITE_ONLY", walker.userId());
    rest.acceptInvitation(walker, groupId);
    rest.setMemberRole(pal, groupId, walker.userId(), "ADMIN");
    String conversationId = rest.sendText(walker, pal.userId(), "walk-1", "Hello pal").get("conversationId").getAsString();
    String otherSession = rest.login("walker", "MOBILE").sessionId();
    parameters = Map.of(
        "userId", pal.userId(),
        "userIds", pal.userId(),
        "query", "pal",
        "sessionId", otherSession,
        "requestId", requestId,
        "groupId", groupId,
        "conversationId", conversationId,
        "seq", "1");
    oracle = OpenApiOracle.fetch(parley.http());
  }

  @AfterAll
  void stop() {
    parley.close();
  }

  @Test
  void everyOperationAnswersAsDocumented() {
    List<String> reads = new ArrayList<>();
    // A fresh session per operation: the walk logs out and revokes sessions on its way.
    oracle.walk(parley.http(), () -> rest.login("walker", "WEB").authorization(), parameters::get, false, exchange -> {
      HttpTester.Reply reply = exchange.reply();
      assertThat(reply.status()).as(exchange.toString()).isLessThan(500);
      if (reply.status() != 200) {
        assertThat(reply.reason()).as(exchange.toString()).isNotIn(GATEWAY_REASONS);
      }
      if (exchange.operation().verb().equals("GET")) {
        assertThat(reply.status()).as("a read with real ids: " + exchange).isEqualTo(200);
        reads.add(exchange.operation().grpcMethod());
      }
    });
    assertThat(reads).hasSize(21).contains("parley.message.v1.MessageService/Subscribe",
        "parley.message.v1.MessageService/GetPresence",
        "parley.message.v1.MessageService/ListMessageVersions", "parley.message.v1.MessageService/GetBadge",
        "parley.group.v1.GroupService/ListGroupInvitations", "parley.group.v1.GroupService/ListJoinRequests");
  }
}
