package io.parley.launcher;

import java.util.Locale;

/** What one Parley process runs: everything (the embedded default), one service, or the gateway. */
public enum Role {
  ALL("Every service on one gRPC port and the REST gateway (the default)."),
  USER("user-svc: accounts, login, sessions."),
  FRIEND("friend-svc: friend requests, friends, blocks. Needs --user-target."),
  GROUP("group-svc: groups and members. Needs --user-target."),
  MESSAGE("message-svc: messages, conversations, live push. Needs --friend-target and --group-target."),
  GATEWAY("The REST gateway in front of the four services. Needs every --*-target.");

  private final String description;

  Role(String description) {
    this.description = description;
  }

  /** One line for the help text. */
  public String description() {
    return description;
  }

  /** The subcommand name, e.g. {@code user}. */
  public String command() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Whether this role serves {@code service} (ALL serves every one). */
  boolean serves(Role service) {
    return this == ALL || this == service;
  }
}
