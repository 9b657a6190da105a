/**
 * user-svc: {@code parley.user.v1.UserService} (accounts, login, sessions).
 *
 * <p>The public surface is {@link io.parley.user.UserModule} (the wiring) and {@link
 * io.parley.user.UserSettings}; everything else is package-private. The rules live in {@code
 * UserGrpcService}; accounts are persisted by a {@code UserStore}, in memory or in PostgreSQL (see
 * {@code PostgresUserStore} for the tables); login failures are counted by a {@code
 * LoginFailureStore}, in memory or in Redis; sessions live in the platform's session store.
 */
package io.parley.user;
