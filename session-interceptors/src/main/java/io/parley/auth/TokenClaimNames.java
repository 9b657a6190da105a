package io.parley.auth;

/** The private claim names of Parley tokens. */
final class TokenClaimNames {
  static final String SESSION_ID = "sid";
  static final String TERMINAL = "term";
  static final String USERNAME = "name";
  static final String NICKNAME = "nick";

  private TokenClaimNames() {}
}
