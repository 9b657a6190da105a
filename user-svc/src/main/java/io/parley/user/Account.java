package io.parley.user;

import static java.util.Objects.requireNonNull;

import io.parley.user.v1.User;

/**
 * An account as a {@link UserStore} holds it: the public profile and the password's PHC string.
 * {@link #toString()} leaves the hash out, so an account may be logged.
 *
 * @param user the profile; its username is lower-case
 * @param passwordHash the Argon2id PHC string (see {@link PasswordHasher})
 */
record Account(User user, String passwordHash) {
  Account {
    requireNonNull(user, "user");
    requireNonNull(passwordHash, "passwordHash");
  }

  String userId() {
    return user.getUserId();
  }

  String username() {
    return user.getUsername();
  }

  @Override
  public String toString() {
    return "Account{" + user.getUserId() + ", " + user.getUsername() + "}";
  }
}
