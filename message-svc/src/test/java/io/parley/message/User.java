package io.parley.message;

import io.parley.client.BearerTokenCredentials;
import io.grpc.CallCredentials;

/**
 * A test user: an id and the {@code authorization} value of one of its sessions.
 */
record User(String id, String authorization) {
  CallCredentials credentials() {
    return BearerTokenCredentials.of(authorization.substring("Bearer ".length()));
  }
}
