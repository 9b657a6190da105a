package io.parley.auth;

import io.parley.common.v1.Terminal;
import java.time.Instant;

/**
 * The claims of a token whose algorithm, key, signature, issuer and validity period have been
 * checked. For a {@link TokenType#SERVICE} token, {@code subject} is the calling service's name and
 * the session fields are null.
 *
 * @param type user session or service credential
 * @param subject {@code sub}: the user id, or the service name
 * @param sessionId {@code sid}; null for service tokens
 * @param terminal {@code term}; null for service tokens
 * @param username {@code name}; may be null
 * @param nickname {@code nick}; may be null
 * @param issuedAt {@code iat}; may be null
 * @param expiresAt {@code exp}
 */
public record VerifiedToken(
    TokenType type,
    String subject,
    String sessionId,
    Terminal terminal,
    String username,
    String nickname,
    Instant issuedAt,
    Instant expiresAt) {}
