/**
 * friend-svc: friend requests, friendships and blocks ({@code parley.friend.v1.FriendService}).
 *
 * <p>The public surface is {@link io.parley.friend.FriendModule} (wiring), {@link
 * io.parley.friend.FriendSettings} and {@link io.parley.friend.RelationEvents} (the event contract
 * for services that cache relations). Everything else is package-private:
 *
 * <ul>
 *   <li>{@code FriendGrpcService}: validation, user checks with user-svc, events;
 *   <li>{@code FriendStore}: the rules that must hold atomically, with {@code MemoryFriendStore}
 *       and {@code RedisFriendStore} (whose Javadoc explains the Redis layout).
 * </ul>
 */
package io.parley.friend;
