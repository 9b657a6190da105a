/**
 * user-svc: {@code parley.user.v1.UserService} (accounts, login, sessions).
 *
 * <p>The public surface is {@link io.parley.user.UserModule} (the wiring) and {@link
 * io.parley.user.UserSettings}; everything else is package-private. Accounts live in a {@code
 * UserStore} and login failures in a {@code LoginFailureStore}, each in memory or in Redis (see
 * {@code RedisUserStore} for the key layout); sessions live in the platform's session store.
 */
package io.parley.user;
