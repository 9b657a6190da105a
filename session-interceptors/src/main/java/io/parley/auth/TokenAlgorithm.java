package io.parley.auth;

/** The JWS algorithms Parley signs and accepts. A deployment uses exactly one. */
public enum TokenAlgorithm {
  /** HMAC with SHA-256 and a shared secret of at least 32 bytes (the default). */
  HS256,
  /** RSASSA-PKCS1-v1_5 with SHA-256; keys of at least 2048 bits. */
  RS256,
  /** ECDSA on P-256 with SHA-256. */
  ES256
}
