/**
 * friend-svc: friend requests, friendships and blocks ({@code parley.friend.v1.FriendService}).
 *
 * <p>The public surface is {@link io.parley.friend.FriendModule} (wiring), {@link
 * io.parley.friend.FriendSettings} and {@link io.parley.friend.RelationEvents} (the event contract
 * for services that cache relations). Everything else is package-private:
 *
 * <ul>
 *   <li>{@code FriendGrpcService}: validation, user checks with user-svc, events after commit;
 *   <li>{@code FriendRules}: the rules, once, each change one atomic change of a pair;
 *   <li>{@code FriendStore}: persistence only, with {@code MemoryFriendStore} and {@code
 *       PostgresFriendStore} (whose Javadoc describes the tables).
 * </ul>
 */
package io.parley.friend;
