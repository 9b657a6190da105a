package io.parley.auth;

import static java.util.Objects.requireNonNull;

import com.auth0.jwt.algorithms.Algorithm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A key set for one {@link TokenAlgorithm}: every key that verifies tokens, by {@code kid}, and
 * the one active key that signs them.
 *
 * <p>Rotation without downtime: deploy a set holding the old and the new key with the old one
 * active; then make the new one active; once every token signed by the old key has expired, drop
 * it. Services that only verify need no signing key (RS256, ES256).
 *
 * <p>Immutable and thread-safe. Key material never appears in {@link #toString()}.
 */
public final class TokenKeys {
  /** The shortest HMAC secret accepted: 256 bits, as RFC 7518 section 3.2 requires for HS256. */
  public static final int MIN_HMAC_SECRET_BYTES = 32;

  private static final int MIN_RSA_BITS = 2048;

  private final TokenAlgorithm algorithm;
  private final Map<String, Algorithm> verifiers;
  private final String activeKid;
  private final Algorithm signer;

  private TokenKeys(TokenAlgorithm algorithm, Map<String, Algorithm> verifiers, String activeKid, Algorithm signer) {
    if (verifiers.isEmpty()) {
      throw new IllegalArgumentException("a key set needs at least one key");
    }
    if (activeKid != null && !verifiers.containsKey(activeKid)) {
      throw new IllegalArgumentException("active kid '" + activeKid + "' is not in the key set " + verifiers.keySet());
    }
    this.algorithm = algorithm;
    this.verifiers = Map.copyOf(verifiers);
    this.activeKid = activeKid;
    this.signer = signer;
  }

  /**
   * One HS256 secret, which both signs and verifies. Its {@code kid} is derived from the secret
   * (a SHA-256 fingerprint), so replicas sharing the secret agree on it.
   *
   * @throws IllegalArgumentException if the secret is shorter than {@value #MIN_HMAC_SECRET_BYTES} bytes
   */
  public static TokenKeys hmac(byte[] secret) {
    requireNonNull(secret, "secret");
    return hmac(fingerprint(secret), Map.of(fingerprint(secret), secret));
  }

  /**
   * Several HS256 secrets by {@code kid}; {@code activeKid} signs, all verify.
   *
   * @throws IllegalArgumentException if a secret is shorter than {@value #MIN_HMAC_SECRET_BYTES} bytes
   */
  public static TokenKeys hmac(String activeKid, Map<String, byte[]> secrets) {
    requireNonNull(activeKid, "activeKid");
    requireNonNull(secrets, "secrets");
    Map<String, Algorithm> verifiers = new LinkedHashMap<>();
    secrets.forEach((kid, secret) -> {
      checkKid(kid);
      requireNonNull(secret, "secret of " + kid);
      if (secret.length < MIN_HMAC_SECRET_BYTES) {
        throw new IllegalArgumentException("HS256 secret '" + kid + "' has " + secret.length
            + " bytes; at least " + MIN_HMAC_SECRET_BYTES + " are required");
      }
      verifiers.put(kid, Algorithm.HMAC256(secret));
    });
    return new TokenKeys(TokenAlgorithm.HS256, verifiers, activeKid, verifiers.get(activeKid));
  }

  /** Starts an RS256 key set. */
  public static Builder rsa() {
    return new Builder(TokenAlgorithm.RS256);
  }

  /** Starts an ES256 (P-256) key set. */
  public static Builder ec() {
    return new Builder(TokenAlgorithm.ES256);
  }

  public TokenAlgorithm algorithm() {
    return algorithm;
  }

  /** The {@code kid} new tokens are signed with, or null if this set only verifies. */
  public String activeKid() {
    return activeKid;
  }

  public boolean canSign() {
    return signer != null;
  }

  public Set<String> kids() {
    return verifiers.keySet();
  }

  /** The verifying algorithm for {@code kid}, or null if the set has no such key. */
  Algorithm verifier(String kid) {
    return verifiers.get(kid);
  }

  /** The only verifier, for a token without {@code kid}; null if the set holds several keys. */
  Algorithm soleVerifier() {
    return verifiers.size() == 1 ? verifiers.values().iterator().next() : null;
  }

  Algorithm signer() {
    if (signer == null) {
      throw new IllegalStateException("this key set has no signing key; it can only verify tokens");
    }
    return signer;
  }

  @Override
  public String toString() {
    return "TokenKeys{" + algorithm + ", kids=" + verifiers.keySet() + ", active=" + activeKid + "}";
  }

  static String fingerprint(byte[] secret) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(secret);
      return "hs-" + Base64.getUrlEncoder().withoutPadding().encodeToString(digest).substring(0, 10);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JRE", e);
    }
  }

  private static void checkKid(String kid) {
    if (kid == null || kid.isEmpty() || kid.length() > 64) {
      throw new IllegalArgumentException("a kid must be 1-64 characters: " + kid);
    }
  }

  /** Reads a PEM public key (X.509 {@code SubjectPublicKeyInfo}, "BEGIN PUBLIC KEY"). */
  public static PublicKey readPublicKey(Path pem, TokenAlgorithm algorithm) throws IOException {
    try {
      return keyFactory(algorithm).generatePublic(new X509EncodedKeySpec(pemBody(pem, "PUBLIC KEY")));
    } catch (GeneralSecurityException e) {
      throw new IOException("not a " + algorithm + " public key: " + pem, e);
    }
  }

  /** Reads a PEM private key (unencrypted PKCS#8, "BEGIN PRIVATE KEY"). */
  public static PrivateKey readPrivateKey(Path pem, TokenAlgorithm algorithm) throws IOException {
    try {
      return keyFactory(algorithm).generatePrivate(new PKCS8EncodedKeySpec(pemBody(pem, "PRIVATE KEY")));
    } catch (GeneralSecurityException e) {
      throw new IOException("not a " + algorithm + " private key (PKCS#8 PEM expected): " + pem, e);
    }
  }

  private static KeyFactory keyFactory(TokenAlgorithm algorithm) throws NoSuchAlgorithmException {
    return KeyFactory.getInstance(switch (algorithm) {
      case RS256 -> "RSA";
      case ES256 -> "EC";
      case HS256 -> throw new IllegalArgumentException("HS256 uses a secret, not a key pair");
    });
  }

  private static byte[] pemBody(Path pem, String label) throws IOException {
    String text = Files.readString(pem, StandardCharsets.US_ASCII);
    String begin = "-----BEGIN " + label + "-----";
    String end = "-----END " + label + "-----";
    int from = text.indexOf(begin);
    int to = text.indexOf(end);
    if (from < 0 || to < from) {
      throw new IOException(pem + " has no '" + begin + "' block");
    }
    try {
      return Base64.getMimeDecoder().decode(text.substring(from + begin.length(), to));
    } catch (IllegalArgumentException e) {
      throw new IOException(pem + " is not valid PEM", e);
    }
  }

  private static boolean isP256(ECParameterSpec params) {
    try {
      AlgorithmParameters p256 = AlgorithmParameters.getInstance("EC");
      p256.init(new ECGenParameterSpec("secp256r1"));
      ECParameterSpec expected = p256.getParameterSpec(ECParameterSpec.class);
      return expected.getCurve().equals(params.getCurve())
          && expected.getOrder().equals(params.getOrder())
          && expected.getGenerator().equals(params.getGenerator());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JRE lacks the P-256 curve", e);
    }
  }

  /** Builds an RS256 or ES256 key set. Not thread-safe. */
  public static final class Builder {
    private final TokenAlgorithm algorithm;
    private final Map<String, PublicKey> publicKeys = new LinkedHashMap<>();
    private String signingKid;
    private PrivateKey signingKey;

    private Builder(TokenAlgorithm algorithm) {
      this.algorithm = algorithm;
    }

    /** Adds a key that verifies tokens carrying {@code kid}. */
    public Builder verificationKey(String kid, PublicKey key) {
      checkKid(kid);
      requireNonNull(key, "key");
      checkPublicKey(kid, key);
      if (publicKeys.putIfAbsent(kid, key) != null) {
        throw new IllegalArgumentException("kid '" + kid + "' is given twice");
      }
      return this;
    }

    /** Sets the key new tokens are signed with; its public key must be added under the same kid. */
    public Builder signingKey(String kid, PrivateKey key) {
      checkKid(kid);
      requireNonNull(key, "key");
      boolean fits = algorithm == TokenAlgorithm.RS256 ? key instanceof RSAPrivateKey : key instanceof ECPrivateKey;
      if (!fits) {
        throw new IllegalArgumentException("signing key '" + kid + "' is not an " + algorithm + " private key");
      }
      this.signingKid = kid;
      this.signingKey = key;
      return this;
    }

    public TokenKeys build() {
      if (signingKid != null && !publicKeys.containsKey(signingKid)) {
        throw new IllegalArgumentException("the signing kid '" + signingKid + "' has no verification key");
      }
      Map<String, Algorithm> verifiers = new LinkedHashMap<>();
      Algorithm signer = null;
      for (Map.Entry<String, PublicKey> e : publicKeys.entrySet()) {
        boolean active = e.getKey().equals(signingKid);
        Algorithm alg = algorithm == TokenAlgorithm.RS256
            ? Algorithm.RSA256((RSAPublicKey) e.getValue(), active ? (RSAPrivateKey) signingKey : null)
            : Algorithm.ECDSA256((ECPublicKey) e.getValue(), active ? (ECPrivateKey) signingKey : null);
        verifiers.put(e.getKey(), alg);
        if (active) {
          signer = alg;
        }
      }
      return new TokenKeys(algorithm, verifiers, signingKid, signer);
    }

    private void checkPublicKey(String kid, PublicKey key) {
      if (algorithm == TokenAlgorithm.RS256) {
        if (!(key instanceof RSAPublicKey rsa)) {
          throw new IllegalArgumentException("key '" + kid + "' is not an RSA public key");
        }
        if (rsa.getModulus().bitLength() < MIN_RSA_BITS) {
          throw new IllegalArgumentException("RSA key '" + kid + "' has " + rsa.getModulus().bitLength()
              + " bits; at least " + MIN_RSA_BITS + " are required");
        }
      } else {
        if (!(key instanceof ECPublicKey ec)) {
          throw new IllegalArgumentException("key '" + kid + "' is not an EC public key");
        }
        if (!isP256(ec.getParams())) {
          throw new IllegalArgumentException("EC key '" + kid + "' is not on P-256 (secp256r1), as ES256 requires");
        }
      }
    }
  }
}
