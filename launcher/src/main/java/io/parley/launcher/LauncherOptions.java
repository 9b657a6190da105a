package io.parley.launcher;

import io.parley.auth.TokenAlgorithm;
import io.parley.auth.TokenKeys;
import io.parley.database.DatabaseSettings;
import io.parley.friend.FriendSettings;
import io.parley.group.GroupSettings;
import io.parley.message.MessageSettings;
import io.parley.ratelimit.RateLimit;
import io.parley.server.TrustedProxies;
import io.parley.redis.RedisClients;
import io.parley.session.SessionPolicy;
import io.parley.session.TerminalPolicy;
import io.parley.tls.ClientAuth;
import io.parley.tls.TlsCredentials;
import io.parley.tls.TlsSettings;
import io.parley.user.UserSettings;
import io.parley.webhook.WebhookSettings;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;

/**
 * The flags every {@code parley} command takes. Each one may also come from the environment
 * variable named in its description ({@code PARLEY_<NAME>}); a flag on the command line wins.
 * Secrets never have defaults and never appear on the command line: a secret file, or the
 * {@code PARLEY_JWT_SECRET} variable.
 */
final class LauncherOptions {
  private static final Logger logger = LoggerFactory.getLogger(LauncherOptions.class);

  static final String SECRET_ENV = "PARLEY_JWT_SECRET";
  static final String SERVICE_KEY_ENV = "PARLEY_SERVICE_KEY";
  static final String DATABASE_ENV = "PARLEY_DATABASE";
  static final String DATABASE_PASSWORD_ENV = "PARLEY_DATABASE_PASSWORD";

  @Option(names = "--grpc-port", paramLabel = "PORT", defaultValue = "${env:PARLEY_GRPC_PORT:-9090}",
      description = "gRPC port (0 = any free port). Env PARLEY_GRPC_PORT. Default: ${DEFAULT-VALUE}.")
  int grpcPort;

  @Option(names = "--http-port", paramLabel = "PORT", defaultValue = "${env:PARLEY_HTTP_PORT:-8080}",
      description = "REST gateway port (all, gateway). Env PARLEY_HTTP_PORT. Default: ${DEFAULT-VALUE}.")
  int httpPort;

  @Option(names = "--host", paramLabel = "ADDRESS", defaultValue = "${env:PARLEY_HOST:-0.0.0.0}",
      description = "Address to bind. Env PARLEY_HOST. Default: ${DEFAULT-VALUE}.")
  String host;

  // The description never shows the value: a Redis URL may hold a password.
  @Option(names = "--store", paramLabel = "URL", defaultValue = "${env:PARLEY_STORE:-memory}",
      description = "Where sessions, caches and live events live: memory (all only), "
          + "redis://[user:pass@]host:port[/db] or redis-cluster://h1:p1,h2:p2. "
          + "Env PARLEY_STORE (put credentials there, not on the command line). Default: memory.")
  String store;

  @Option(names = "--store-password-file", paramLabel = "FILE", defaultValue = "${env:PARLEY_STORE_PASSWORD_FILE}",
      description = "File holding the Redis password. Env PARLEY_STORE_PASSWORD_FILE, or the password itself in "
          + "PARLEY_STORE_PASSWORD (never on the command line).")
  Path storePasswordFile;

  @Option(names = "--session-cache-size", paramLabel = "N", defaultValue = "${env:PARLEY_SESSION_CACHE_SIZE:-250000}",
      description = "Sessions each process keeps in memory (about 1.9 KB each), so that a session check costs Redis "
          + "nothing. Env PARLEY_SESSION_CACHE_SIZE. Default: ${DEFAULT-VALUE}.")
  long sessionCacheSize;

  // Never shown either: the password belongs in PARLEY_DATABASE_PASSWORD or a file.
  @Option(names = "--database", paramLabel = "URL", defaultValue = "${env:PARLEY_DATABASE}",
      description = "PostgreSQL, the store of record for accounts, friends, groups and messages: "
          + "postgresql://user@host[:port][,host2:port2]/database[?sslmode=require&targetServerType=primary]. "
          + "Every service role needs it; without it, 'parley all' keeps them in memory. Each service migrates its own "
          + "schema at start. Env PARLEY_DATABASE.")
  String database;

  @Option(names = "--database-password-file", paramLabel = "FILE",
      defaultValue = "${env:PARLEY_DATABASE_PASSWORD_FILE}",
      description = "File holding the database password. Env PARLEY_DATABASE_PASSWORD_FILE, or the password itself "
          + "in PARLEY_DATABASE_PASSWORD (never on the command line).")
  Path databasePasswordFile;

  @Option(names = "--database-pool-size", paramLabel = "N", defaultValue = "${env:PARLEY_DATABASE_POOL_SIZE:-10}",
      description = "Connections per service to the database. Env PARLEY_DATABASE_POOL_SIZE. Default: ${DEFAULT-VALUE}.")
  int databasePoolSize;

  @Option(names = "--jwt-algorithm", paramLabel = "ALG", defaultValue = "${env:PARLEY_JWT_ALGORITHM:-HS256}",
      description = "HS256, RS256 or ES256. Env PARLEY_JWT_ALGORITHM. Default: ${DEFAULT-VALUE}.")
  TokenAlgorithm jwtAlgorithm;

  @Option(names = "--jwt-secret-file", paramLabel = "FILE", defaultValue = "${env:PARLEY_JWT_SECRET_FILE}",
      description = "HS256: file holding the shared secret (at least 32 bytes; e.g. head -c 48 /dev/urandom). "
          + "Env PARLEY_JWT_SECRET_FILE, or the secret itself in PARLEY_JWT_SECRET.")
  Path jwtSecretFile;

  @Option(names = "--jwt-public-key-files", paramLabel = "FILES", split = ",",
      defaultValue = "${env:PARLEY_JWT_PUBLIC_KEY_FILES}",
      description = "RS256/ES256: PEM public keys that verify tokens, comma-separated; each file's name without "
          + ".pem is its kid. Env PARLEY_JWT_PUBLIC_KEY_FILES.")
  List<Path> jwtPublicKeyFiles;

  @Option(names = "--jwt-private-key-file", paramLabel = "FILE", defaultValue = "${env:PARLEY_JWT_PRIVATE_KEY_FILE}",
      description = "RS256/ES256: PKCS#8 PEM private key that signs tokens (user and message need it). "
          + "Env PARLEY_JWT_PRIVATE_KEY_FILE.")
  Path jwtPrivateKeyFile;

  @Option(names = "--jwt-key-id", paramLabel = "KID", defaultValue = "${env:PARLEY_JWT_KEY_ID}",
      description = "RS256/ES256: kid of the private key (must name one of the public keys). Env PARLEY_JWT_KEY_ID.")
  String jwtKeyId;

  @Option(names = "--service-key-file", paramLabel = "FILE", defaultValue = "${env:PARLEY_SERVICE_KEY_FILE}",
      description = "HS256 secret (at least 32 bytes) of the credentials services call each other's internal methods "
          + "with, apart from the user tokens' key, so that those services need no key that signs user tokens "
          + "(or the secret itself in PARLEY_SERVICE_KEY). Env PARLEY_SERVICE_KEY_FILE.")
  Path serviceKeyFile;

  @Option(names = "--jwt-issuer", paramLabel = "NAME", defaultValue = "${env:PARLEY_JWT_ISSUER:-parley}",
      description = "The tokens' iss. Env PARLEY_JWT_ISSUER. Default: ${DEFAULT-VALUE}.")
  String jwtIssuer;

  @Option(names = "--user-target", paramLabel = "TARGET", defaultValue = "${env:PARLEY_USER_TARGET}",
      description = "Where user-svc runs: host:port, dns:///host:port or h1:p1,h2:p2. Env PARLEY_USER_TARGET.")
  String userTarget;

  @Option(names = "--friend-target", paramLabel = "TARGET", defaultValue = "${env:PARLEY_FRIEND_TARGET}",
      description = "Where friend-svc runs. Env PARLEY_FRIEND_TARGET.")
  String friendTarget;

  @Option(names = "--group-target", paramLabel = "TARGET", defaultValue = "${env:PARLEY_GROUP_TARGET}",
      description = "Where group-svc runs. Env PARLEY_GROUP_TARGET.")
  String groupTarget;

  @Option(names = "--message-target", paramLabel = "TARGET", defaultValue = "${env:PARLEY_MESSAGE_TARGET}",
      description = "Where message-svc runs. Env PARLEY_MESSAGE_TARGET.")
  String messageTarget;

  @Option(names = "--terminal-policy", paramLabel = "POLICY", defaultValue = "${env:PARLEY_TERMINAL_POLICY:-per-terminal}",
      description = "per-terminal (a login kicks the older session on the same terminal), single, or unlimited. "
          + "Env PARLEY_TERMINAL_POLICY. Default: ${DEFAULT-VALUE}.")
  String terminalPolicy;

  @Option(names = "--session-idle", paramLabel = "DURATION", defaultValue = "${env:PARLEY_SESSION_IDLE:-7d}",
      converter = DurationConverter.class,
      description = "Idle time after which a session expires, e.g. 30m, 12h, 7d. Env PARLEY_SESSION_IDLE. "
          + "Default: ${DEFAULT-VALUE}.")
  Duration sessionIdle;

  @Option(names = "--session-lifetime", paramLabel = "DURATION", defaultValue = "${env:PARLEY_SESSION_LIFETIME:-30d}",
      converter = DurationConverter.class,
      description = "Absolute lifetime of a session and its token. Env PARLEY_SESSION_LIFETIME. Default: ${DEFAULT-VALUE}.")
  Duration sessionLifetime;

  @Option(names = "--group-max-members", paramLabel = "N", defaultValue = "${env:PARLEY_GROUP_MAX_MEMBERS:-2000}",
      description = "Member limit of new groups. Env PARLEY_GROUP_MAX_MEMBERS. Default: ${DEFAULT-VALUE}.")
  int groupMaxMembers;

  @Option(names = "--group-friends-add-directly", defaultValue = "${env:PARLEY_GROUP_FRIENDS_ADD_DIRECTLY:-false}",
      description = "Let a friend of the inviter be added to a group at once, without accepting an invitation. "
          + "Env PARLEY_GROUP_FRIENDS_ADD_DIRECTLY. Default: ${DEFAULT-VALUE}.")
  boolean groupFriendsAddDirectly;

  @Option(names = "--trusted-proxies", paramLabel = "CIDRS", defaultValue = "${env:PARLEY_TRUSTED_PROXIES:-loopback}",
      description = "Peers whose x-forwarded-for names the real client, for per-address limits: loopback, none, or "
          + "comma-separated addresses and CIDRs (list the REST gateway's). Env PARLEY_TRUSTED_PROXIES. "
          + "Default: ${DEFAULT-VALUE}.")
  String trustedProxies;

  @Option(names = "--register-limit", paramLabel = "RATE", defaultValue = "${env:PARLEY_REGISTER_LIMIT:-20/1h,burst=10}",
      description = "Register calls per client address, e.g. 20/1h,burst=10, or off. Env PARLEY_REGISTER_LIMIT. "
          + "Default: ${DEFAULT-VALUE}.")
  String registerLimit;

  @Option(names = "--login-limit", paramLabel = "RATE", defaultValue = "${env:PARLEY_LOGIN_LIMIT:-60/1m,burst=20}",
      description = "Login calls per client address. Env PARLEY_LOGIN_LIMIT. Default: ${DEFAULT-VALUE}.")
  String loginLimit;

  @Option(names = "--search-limit", paramLabel = "RATE", defaultValue = "${env:PARLEY_SEARCH_LIMIT:-60/1m,burst=20}",
      description = "SearchUsers calls per user. Env PARLEY_SEARCH_LIMIT. Default: ${DEFAULT-VALUE}.")
  String searchLimit;

  @Option(names = "--friend-request-limit", paramLabel = "RATE",
      defaultValue = "${env:PARLEY_FRIEND_REQUEST_LIMIT:-20/1h,burst=10}",
      description = "Friend requests per user. Env PARLEY_FRIEND_REQUEST_LIMIT. Default: ${DEFAULT-VALUE}.")
  String friendRequestLimit;

  @Option(names = "--message-send-limit", paramLabel = "RATE", defaultValue = "${env:PARLEY_MESSAGE_SEND_LIMIT:-10/1s,burst=50}",
      description = "SendMessage calls per user. Env PARLEY_MESSAGE_SEND_LIMIT. Default: ${DEFAULT-VALUE}.")
  String messageSendLimit;

  @Option(names = "--group-create-limit", paramLabel = "RATE", defaultValue = "${env:PARLEY_GROUP_CREATE_LIMIT:-20/1h,burst=10}",
      description = "CreateGroup calls per user. Env PARLEY_GROUP_CREATE_LIMIT. Default: ${DEFAULT-VALUE}.")
  String groupCreateLimit;

  @Option(names = "--subscribe-streams-per-session", paramLabel = "N",
      defaultValue = "${env:PARLEY_SUBSCRIBE_STREAMS_PER_SESSION:-4}",
      description = "Subscribe streams one session may hold on a replica; a new one ends the oldest. "
          + "Env PARLEY_SUBSCRIBE_STREAMS_PER_SESSION. Default: ${DEFAULT-VALUE}.")
  int subscribeStreamsPerSession;

  @Option(names = "--message-writers", paramLabel = "N", defaultValue = "${env:PARLEY_MESSAGE_WRITERS:-1}",
      description = "Threads of a message-svc replica that store sends, each committing whatever waits as one "
          + "transaction; fewer make larger, cheaper batches, more commit in parallel where the database is far. "
          + "Below --database-pool-size. Env PARLEY_MESSAGE_WRITERS. Default: ${DEFAULT-VALUE}.")
  int messageWriters;

  @Option(names = "--log-format", paramLabel = "FORMAT", defaultValue = "${env:PARLEY_LOG_FORMAT:-text}",
      description = "Log lines as text, or as one JSON object per line (json) for a log collector. "
          + "Env PARLEY_LOG_FORMAT. Default: ${DEFAULT-VALUE}.")
  String logFormat;

  @Option(names = "--log-levels", paramLabel = "NAME=LEVEL,...", defaultValue = "${env:PARLEY_LOG_LEVELS}",
      description = "Log levels by package or logger, e.g. io.parley.message=DEBUG,io.grpc=INFO (root for the rest). "
          + "Env PARLEY_LOG_LEVELS.")
  String logLevels;

  @Option(names = "--message-retention", paramLabel = "DURATION", defaultValue = "${env:PARLEY_MESSAGE_RETENTION}",
      converter = DurationConverter.class,
      description = "Delete messages older than this (e.g. 365d); unset keeps everything. Env PARLEY_MESSAGE_RETENTION.")
  Duration messageRetention;

  @Option(names = "--message-edit-window", paramLabel = "DURATION",
      defaultValue = "${env:PARLEY_MESSAGE_EDIT_WINDOW:-24h}", converter = DurationConverter.class,
      description = "How long after sending a sender may edit a message; 0s turns editing off. "
          + "Env PARLEY_MESSAGE_EDIT_WINDOW.")
  Duration messageEditWindow;

  @Option(names = "--subscribe-resume-window", paramLabel = "DURATION",
      defaultValue = "${env:PARLEY_SUBSCRIBE_RESUME_WINDOW:-2m}", converter = DurationConverter.class,
      description = "How long live events are kept for Subscribe streams to resume from a cursor (Redis holds "
          + "this long's worth of events); give every replica the same. Env PARLEY_SUBSCRIBE_RESUME_WINDOW.")
  Duration subscribeResumeWindow;

  @Option(names = "--hashing-threads", paramLabel = "N", defaultValue = "${env:PARLEY_HASHING_THREADS:-0}",
      description = "Threads that hash passwords (Register, Login, ChangePassword), apart from every other call; "
          + "0 = half the cores. Env PARLEY_HASHING_THREADS.")
  int hashingThreads;

  @Option(names = "--http-max-connections", paramLabel = "N", defaultValue = "${env:PARLEY_HTTP_MAX_CONNECTIONS:-10000}",
      description = "REST gateway: open connections at most; more are answered 503. Env PARLEY_HTTP_MAX_CONNECTIONS. "
          + "Default: ${DEFAULT-VALUE}.")
  int httpMaxConnections;

  @Option(names = "--http-request-read-timeout", paramLabel = "DURATION",
      defaultValue = "${env:PARLEY_HTTP_REQUEST_READ_TIMEOUT:-10s}", converter = DurationConverter.class,
      description = "REST gateway: a whole request must arrive within this (slowloris). "
          + "Env PARLEY_HTTP_REQUEST_READ_TIMEOUT. Default: ${DEFAULT-VALUE}.")
  Duration httpRequestReadTimeout;

  @Option(names = "--http-max-grpc-timeout", paramLabel = "DURATION",
      defaultValue = "${env:PARLEY_HTTP_MAX_GRPC_TIMEOUT:-1h}", converter = DurationConverter.class,
      description = "REST gateway: the longest Grpc-Timeout a client may ask for. Env PARLEY_HTTP_MAX_GRPC_TIMEOUT. "
          + "Default: ${DEFAULT-VALUE}.")
  Duration httpMaxGrpcTimeout;

  @Option(names = "--http-trusted-proxies", paramLabel = "CIDRS", split = ",",
      defaultValue = "${env:PARLEY_HTTP_TRUSTED_PROXIES}",
      description = "REST gateway: load balancers in front of it whose X-Forwarded-For it believes. "
          + "Env PARLEY_HTTP_TRUSTED_PROXIES.")
  List<String> httpTrustedProxies;

  @Option(names = "--cors-origins", paramLabel = "ORIGINS", split = ",", defaultValue = "${env:PARLEY_CORS_ORIGINS}",
      description = "Origins the REST gateway allows (comma-separated, or *). Env PARLEY_CORS_ORIGINS.")
  List<String> corsOrigins;

  @Option(names = "--tls-cert-file", paramLabel = "FILE", defaultValue = "${env:PARLEY_TLS_CERT_FILE}",
      description = "PEM certificate chain (leaf first) the gRPC server and the REST gateway serve TLS with, and "
          + "this process presents to peers that ask (mutual TLS); renewed files are picked up within a minute. "
          + "Needs --tls-key-file. Env PARLEY_TLS_CERT_FILE. Default: plaintext.")
  Path tlsCertFile;

  @Option(names = "--tls-key-file", paramLabel = "FILE", defaultValue = "${env:PARLEY_TLS_KEY_FILE}",
      description = "PEM (PKCS#8) private key of --tls-cert-file. Env PARLEY_TLS_KEY_FILE.")
  Path tlsKeyFile;

  @Option(names = "--tls-ca-file", paramLabel = "FILE", defaultValue = "${env:PARLEY_TLS_CA_FILE}",
      description = "PEM CA certificates this process verifies the services it calls against (and, with "
          + "--tls-client-auth, its clients' certificates); turns on TLS for outgoing gRPC calls. Without it, those "
          + "verify against the JVM's CAs when --tls-cert-file is set. Env PARLEY_TLS_CA_FILE.")
  Path tlsCaFile;

  @Option(names = "--tls-client-auth", paramLabel = "MODE", defaultValue = "${env:PARLEY_TLS_CLIENT_AUTH:-none}",
      description = "Mutual TLS on the gRPC server: none; optional (a client certificate signed by --tls-ca-file is "
          + "asked for, and internal methods refuse callers without one); or require (no connection without one). "
          + "Env PARLEY_TLS_CLIENT_AUTH. Default: ${DEFAULT-VALUE}.")
  String tlsClientAuth;

  @Option(names = "--otlp-endpoint", paramLabel = "URL", defaultValue = "${env:PARLEY_OTLP_ENDPOINT}",
      description = "Trace: send spans over OTLP/HTTP to this receiver, e.g. http://localhost:4318 (Jaeger, an "
          + "OpenTelemetry Collector); spans go to its /v1/traces. Unset: no tracing. Env PARLEY_OTLP_ENDPOINT.")
  URI otlpEndpoint;

  @Option(names = "--service-name", paramLabel = "NAME", defaultValue = "${env:PARLEY_SERVICE_NAME}",
      description = "The service.name of this process's spans. Env PARLEY_SERVICE_NAME. Default: parley-<role>, "
          + "e.g. parley-message.")
  String serviceName;

  @Option(names = "--trace-sample-ratio", paramLabel = "RATIO", defaultValue = "${env:PARLEY_TRACE_SAMPLE_RATIO:-1.0}",
      description = "The share (0-1) of traces starting here that are recorded; a caller's traceparent decides for "
          + "its own. Env PARLEY_TRACE_SAMPLE_RATIO. Default: ${DEFAULT-VALUE}.")
  double traceSampleRatio;

  // Webhooks (message-svc, group-svc) and the before-send hook (message-svc).
  @Option(names = "--webhook-url", paramLabel = "URL", split = ",", defaultValue = "${env:PARLEY_WEBHOOK_URL}",
      description = "HTTP endpoint(s) told of events, signed with the webhook secret; repeat or separate by commas. "
          + "Env PARLEY_WEBHOOK_URL.")
  List<String> webhookUrls;

  @Option(names = "--webhook-secret-file", paramLabel = "FILE", defaultValue = "${env:PARLEY_WEBHOOK_SECRET_FILE}",
      description = "The HMAC-SHA256 key of webhook and before-send calls (at least 16 bytes); or env "
          + "PARLEY_WEBHOOK_SECRET. Env PARLEY_WEBHOOK_SECRET_FILE.")
  Path webhookSecretFile;

  @Option(names = "--webhook-events", paramLabel = "TYPES", split = ",", defaultValue = "${env:PARLEY_WEBHOOK_EVENTS}",
      description = "Event types to deliver: message.sent, group.member.joined, group.member.left, "
          + "group.member.removed, user.offline. Env PARLEY_WEBHOOK_EVENTS. Default: all.")
  List<String> webhookEvents;

  @Option(names = "--before-send-url", paramLabel = "URL", defaultValue = "${env:PARLEY_BEFORE_SEND_URL}",
      description = "A hook asked about every message before it is stored: allow, reject or rewrite. "
          + "Env PARLEY_BEFORE_SEND_URL.")
  String beforeSendUrl;

  @Option(names = "--before-send-timeout", paramLabel = "DURATION",
      defaultValue = "${env:PARLEY_BEFORE_SEND_TIMEOUT:-1s}", converter = DurationConverter.class,
      description = "How long a send waits for the before-send hook. Env PARLEY_BEFORE_SEND_TIMEOUT. "
          + "Default: ${DEFAULT-VALUE}.")
  Duration beforeSendTimeout;

  @Option(names = "--before-send-on-timeout", paramLabel = "allow|refuse",
      defaultValue = "${env:PARLEY_BEFORE_SEND_ON_TIMEOUT:-allow}",
      description = "What a send does when the hook gives no usable answer in time: allow (store it) or refuse "
          + "(UNAVAILABLE). Env PARLEY_BEFORE_SEND_ON_TIMEOUT. Default: ${DEFAULT-VALUE}.")
  String beforeSendOnTimeout;

  /**
   * The webhooks, validated: a URL or a before-send hook needs the secret, from --webhook-secret-file
   * or PARLEY_WEBHOOK_SECRET (never a flag).
   *
   * @throws IllegalArgumentException naming the option, if a value is wrong
   */
  WebhookSettings webhookSettings(java.util.Map<String, String> env) {
    WebhookSettings.Builder builder = WebhookSettings.builder();
    try {
      if (webhookUrls != null) {
        webhookUrls.stream().map(String::trim).filter(u -> !u.isEmpty()).forEach(u -> builder.url(URI.create(u)));
      }
      if (beforeSendUrl != null && !beforeSendUrl.isBlank()) {
        builder.beforeSendUrl(URI.create(beforeSendUrl.trim()));
      }
      if (webhookEvents != null && webhookEvents.stream().anyMatch(e -> !e.isBlank())) {
        builder.events(webhookEvents.stream().map(String::trim).filter(e -> !e.isEmpty())
            .collect(java.util.stream.Collectors.toSet()));
      }
      builder.beforeSendTimeout(beforeSendTimeout)
          .beforeSendOnTimeout(WebhookSettings.OnTimeout.parse(beforeSendOnTimeout));
      byte[] key = secret(webhookSecretFile, env.get("PARLEY_WEBHOOK_SECRET"));
      if (key != null) {
        builder.secret(key);
      }
      return builder.build();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--webhook-*/--before-send-*: " + e.getMessage(), e);
    }
  }

  /**
   * Where {@code role}'s spans go, or null if {@code --otlp-endpoint} is not set (no tracing).
   *
   * @throws IllegalArgumentException naming the option, if a value is wrong
   */
  OtlpTracing tracing(Role role) {
    if (otlpEndpoint == null) {
      return null;
    }
    return new OtlpTracing(otlpEndpoint, serviceName == null ? OtlpTracing.defaultServiceName(role) : serviceName,
        traceSampleRatio);
  }

  @Option(names = "--admin-port", paramLabel = "PORT", defaultValue = "${env:PARLEY_ADMIN_PORT:-9464}",
      description = "Admin HTTP port serving Prometheus metrics at /metrics (0 = any free port, off = none); each "
          + "process on one host needs its own. Env PARLEY_ADMIN_PORT. Default: ${DEFAULT-VALUE}.")
  String adminPort;

  /** The admin port: a port number, or {@link NodeConfig#NO_ADMIN_PORT} for {@code off}. */
  static int parseAdminPort(String value) {
    String port = value.trim();
    if (port.equalsIgnoreCase("off")) {
      return NodeConfig.NO_ADMIN_PORT;
    }
    try {
      int parsed = Integer.parseInt(port);
      if (parsed >= 0 && parsed <= 65535) {
        return parsed;
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw new IllegalArgumentException("--admin-port must be a port (0-65535, 0 = any free port) or off, not '"
        + value + "'");
  }

  /**
   * The validated configuration for {@code role}.
   *
   * @throws IllegalArgumentException with a message saying what to set, if something is missing or wrong
   */
  NodeConfig toConfig(Role role, java.util.Map<String, String> env) {
    if (!"memory".equals(store) && !RedisClients.isRedisUrl(store)) {
      throw new IllegalArgumentException("--store must be memory, redis://host:port or redis-cluster://h1:p1,h2:p2, not '"
          + RedisClients.redact(store) + "'");
    }
    if (sessionCacheSize < 1) {
      throw new IllegalArgumentException("--session-cache-size must be positive, not " + sessionCacheSize);
    }
    if ("memory".equals(store) && role != Role.ALL) {
      throw new IllegalArgumentException("parley " + role.command() + " shares sessions and data with other processes, "
          + "so it needs a shared store: --store redis://host:port or redis-cluster://h1:p1,h2:p2 "
          + "(only 'parley all' runs on memory)");
    }
    boolean ephemeralAllowed = "memory".equals(store) && role == Role.ALL;
    KeysResult keys = keys(env, ephemeralAllowed);
    DatabaseSettings databaseSettings = databaseSettings(role, env);
    if (sessionIdle.compareTo(sessionLifetime) > 0) {
      throw new IllegalArgumentException("--session-idle (" + sessionIdle + ") must not exceed --session-lifetime ("
          + sessionLifetime + ")");
    }
    TokenKeys serviceKeys = serviceKeys(env, role);
    if (!keys.keys.canSign() && role.serves(Role.USER)) {
      throw new IllegalArgumentException("parley " + role.command() + " signs user tokens, so it needs "
          + "--jwt-private-key-file and --jwt-key-id");
    }
    if (serviceKeys == null && !keys.keys.canSign() && (role.serves(Role.MESSAGE) || role.serves(Role.GROUP))) {
      throw new IllegalArgumentException("parley " + role.command() + " calls other services' internal methods, so it "
          + "needs --service-key-file (or --jwt-private-key-file and --jwt-key-id)");
    }
    SessionPolicy policy = SessionPolicy.of(parseTerminalPolicy(terminalPolicy), sessionIdle, sessionLifetime);
    return NodeConfig.builder(role, keys.keys)
        .keysAreEphemeral(keys.ephemeral)
        .serviceKeys(serviceKeys)
        .host(host)
        .grpcPort(grpcPort)
        .httpPort(httpPort)
        .store(store)
        .storePassword(storePassword(env))
        .sessionCacheSize(sessionCacheSize)
        .database(databaseSettings)
        .issuer(jwtIssuer)
        .sessionPolicy(policy)
        .target(Role.USER, userTarget)
        .target(Role.FRIEND, friendTarget)
        .target(Role.GROUP, groupTarget)
        .target(Role.MESSAGE, messageTarget)
        .corsOrigins(corsOrigins == null ? List.of() : corsOrigins)
        .http(new NodeConfig.HttpLimits(httpMaxConnections, httpRequestReadTimeout, httpMaxGrpcTimeout,
            httpTrustedProxies == null ? List.of() : httpTrustedProxies))
        .users(userSettings())
        .friends(FriendSettings.defaults()
            .withFriendRequestLimit(rate("--friend-request-limit", "friend.request", friendRequestLimit)))
        .groups(GroupSettings.defaults().withMaxMembers(groupMaxMembers).withFriendsAddDirectly(groupFriendsAddDirectly)
            .withCreateGroupLimit(rate("--group-create-limit", GroupSettings.CREATE_GROUP_LIMIT, groupCreateLimit)))
        .messages(messageSettings())
        .trustedProxies(parseTrustedProxies(trustedProxies))
        .tls(tlsSettings())
        .adminPort(parseAdminPort(adminPort))
        .webhooks(webhookSettings(env))
        .build();
  }

  /**
   * The TLS settings, or null for plaintext (no TLS flag given); the files are read once here, so
   * that a wrong one stops the start with a message naming its flag.
   */
  private TlsSettings tlsSettings() {
    ClientAuth clientAuth;
    try {
      clientAuth = ClientAuth.parse(tlsClientAuth == null ? "none" : tlsClientAuth);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--tls-client-auth must be none, optional or require, not '" + tlsClientAuth
          + "'", e);
    }
    if (tlsCertFile == null && tlsKeyFile == null && tlsCaFile == null) {
      if (clientAuth != ClientAuth.NONE) {
        throw new IllegalArgumentException("--tls-client-auth " + tlsClientAuth + " needs TLS: set --tls-cert-file, "
            + "--tls-key-file and --tls-ca-file");
      }
      return null;
    }
    if (tlsCertFile != null && tlsKeyFile == null) {
      throw new IllegalArgumentException("--tls-cert-file needs --tls-key-file (or PARLEY_TLS_KEY_FILE): the "
          + "certificate's private key, as PEM");
    }
    if (tlsKeyFile != null && tlsCertFile == null) {
      throw new IllegalArgumentException("--tls-key-file needs --tls-cert-file (or PARLEY_TLS_CERT_FILE): the "
          + "certificate chain of the key, as PEM");
    }
    if (clientAuth != ClientAuth.NONE && (tlsCaFile == null || tlsCertFile == null)) {
      throw new IllegalArgumentException("--tls-client-auth " + tlsClientAuth + " needs --tls-ca-file (the CA that "
          + "signs the clients' certificates) and --tls-cert-file with --tls-key-file");
    }
    requireReadable("--tls-cert-file", tlsCertFile);
    requireReadable("--tls-key-file", tlsKeyFile);
    requireReadable("--tls-ca-file", tlsCaFile);
    TlsSettings settings = new TlsSettings(tlsCertFile, tlsKeyFile, tlsCaFile, clientAuth,
        TlsSettings.DEFAULT_REFRESH_INTERVAL);
    try (TlsCredentials check = TlsCredentials.load(settings)) {
      return settings;
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--tls-cert-file, --tls-key-file or --tls-ca-file: " + e.getMessage(), e);
    }
  }

  private static void requireReadable(String flag, Path file) {
    if (file != null && !Files.isReadable(file)) {
      throw new IllegalArgumentException(flag + ": cannot read " + file);
    }
  }

  /**
   * The database of {@code role}, or null for none (memory: 'parley all' only). A password comes
   * from a file, PARLEY_DATABASE_PASSWORD, or the URL in PARLEY_DATABASE, never from a flag.
   */
  private DatabaseSettings databaseSettings(Role role, java.util.Map<String, String> env) {
    if (database == null || database.isBlank()) {
      if (role != Role.ALL && role != Role.GATEWAY) {
        throw new IllegalArgumentException("parley " + role.command() + " keeps its data in PostgreSQL, shared by "
            + "its replicas: set --database postgresql://user@host:5432/parley (or PARLEY_DATABASE), with the "
            + "password in PARLEY_DATABASE_PASSWORD or --database-password-file");
      }
      if (role == Role.ALL && !"memory".equals(store)) {
        throw new IllegalArgumentException("with a shared session store, keep the data in PostgreSQL too: set "
            + "--database postgresql://user@host:5432/parley (or PARLEY_DATABASE); only the memory store runs "
            + "without a database");
      }
      return null;
    }
    if (!DatabaseSettings.isDatabaseUrl(database)) {
      throw new IllegalArgumentException("--database must be postgresql://user@host:port/database, not '"
          + DatabaseSettings.redact(database) + "'");
    }
    DatabaseSettings settings = DatabaseSettings.parse(database).withMaxPoolSize(databasePoolSize);
    boolean fromCommandLine = !database.equals(env.get(DATABASE_ENV));
    if (settings.password() != null && fromCommandLine) {
      throw new IllegalArgumentException("the --database URL holds a password, which every user of this machine "
          + "can read in the process list: put it in PARLEY_DATABASE_PASSWORD or a file named by "
          + "--database-password-file, and leave it out of the URL");
    }
    if (databasePasswordFile != null) {
      return settings.withPassword(new String(readSecret(databasePasswordFile), StandardCharsets.UTF_8));
    }
    String password = env.get(DATABASE_PASSWORD_ENV);
    return password == null || password.isEmpty() ? settings : settings.withPassword(password);
  }

  private UserSettings userSettings() {
    UserSettings settings = UserSettings.defaults()
        .withRegisterLimit(rate("--register-limit", "user.register", registerLimit))
        .withLoginLimit(rate("--login-limit", "user.login", loginLimit))
        .withSearchLimit(rate("--search-limit", "user.search", searchLimit));
    if (hashingThreads < 0 || hashingThreads > 256) {
      throw new IllegalArgumentException("--hashing-threads must be 0 (half the cores) to 256, not " + hashingThreads);
    }
    return hashingThreads == 0 ? settings : settings.withHashing(hashingThreads, 8 * hashingThreads);
  }

  private MessageSettings messageSettings() {
    if (subscribeStreamsPerSession < 1 || subscribeStreamsPerSession > 64) {
      throw new IllegalArgumentException("--subscribe-streams-per-session must be 1-64, not " + subscribeStreamsPerSession);
    }
    if (messageWriters < 1 || messageWriters > 64) {
      throw new IllegalArgumentException("--message-writers must be 1-64, not " + messageWriters);
    }
    MessageSettings settings = MessageSettings.defaults()
        .withWriterThreads(messageWriters)
        .withSendLimit(rate("--message-send-limit", MessageSettings.SEND_LIMIT, messageSendLimit))
        .withMaxStreamsPerSession(subscribeStreamsPerSession)
        .withEditWindow(messageEditWindow);
    if (subscribeResumeWindow.toMillis() < 1_000) {
      throw new IllegalArgumentException("--subscribe-resume-window must be at least 1s, not " + subscribeResumeWindow);
    }
    settings = settings.withResumeWindow(subscribeResumeWindow);
    return messageRetention == null ? settings : settings.withRetentionAge(messageRetention);
  }

  /** The rate limit {@code value} of {@code flag}, or an error naming the flag. */
  private static RateLimit rate(String flag, String name, String value) {
    try {
      return RateLimit.parse(name, value == null ? "" : value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(flag + " must be a rate such as 20/1m,burst=5, or off, not '" + value + "'", e);
    }
  }

  private static TrustedProxies parseTrustedProxies(String value) {
    try {
      return TrustedProxies.parse(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--trusted-proxies: " + e.getMessage(), e);
    }
  }

  /** The Redis password from a file or PARLEY_STORE_PASSWORD, or null (none, or in the URL). */
  private String storePassword(java.util.Map<String, String> env) {
    if (storePasswordFile != null) {
      return new String(readSecret(storePasswordFile), StandardCharsets.UTF_8);
    }
    String password = env.get("PARLEY_STORE_PASSWORD");
    return password == null || password.isEmpty() ? null : password;
  }

  private record KeysResult(TokenKeys keys, boolean ephemeral) {}

  /**
   * The service credentials' own key: from --service-key-file or PARLEY_SERVICE_KEY; a random one
   * for {@code all}, whose services call each other in-process only; else null (the user tokens'
   * keys sign them too, with a warning).
   */
  private TokenKeys serviceKeys(java.util.Map<String, String> env, Role role) {
    byte[] secret = secret(serviceKeyFile, env.get(SERVICE_KEY_ENV));
    if (secret == null) {
      if (role == Role.ALL) {
        secret = new byte[48];
        new SecureRandom().nextBytes(secret);
        return TokenKeys.hmac(secret);
      }
      if (role != Role.GATEWAY) {
        logger.warn("no --service-key-file: service credentials are signed with the user tokens' key, so every "
            + "service that calls internal methods can also sign user tokens; give every process the same "
            + "--service-key-file to keep them apart");
      }
      return null;
    }
    if (secret.length < TokenKeys.MIN_HMAC_SECRET_BYTES) {
      throw new IllegalArgumentException("the service key has " + secret.length + " bytes; at least "
          + TokenKeys.MIN_HMAC_SECRET_BYTES + " are required (e.g. 'head -c 48 /dev/urandom > service.key')");
    }
    return TokenKeys.hmac(secret);
  }

  private KeysResult keys(java.util.Map<String, String> env, boolean ephemeralAllowed) {
    if (jwtAlgorithm == TokenAlgorithm.HS256) {
      byte[] secret = secret(jwtSecretFile, env.get(SECRET_ENV));
      if (secret == null) {
        if (!ephemeralAllowed) {
          throw new IllegalArgumentException("this process shares sessions with others, so it needs the deployment's "
              + "signing secret: set --jwt-secret-file (or PARLEY_JWT_SECRET_FILE) to a file of at least 32 random "
              + "bytes, e.g. 'head -c 48 /dev/urandom > parley.key', and give every process the same file "
              + "(or use RS256/ES256 keys with --jwt-algorithm)");
        }
        secret = new byte[48];
        new SecureRandom().nextBytes(secret);
        return new KeysResult(TokenKeys.hmac(secret), true);
      }
      if (secret.length < TokenKeys.MIN_HMAC_SECRET_BYTES) {
        throw new IllegalArgumentException("the HS256 secret has " + secret.length + " bytes; at least "
            + TokenKeys.MIN_HMAC_SECRET_BYTES + " are required (e.g. 'head -c 48 /dev/urandom > parley.key')");
      }
      return new KeysResult(TokenKeys.hmac(secret), false);
    }
    if (jwtPublicKeyFiles == null || jwtPublicKeyFiles.isEmpty()) {
      throw new IllegalArgumentException(jwtAlgorithm + " needs --jwt-public-key-files (PEM public keys, kid = file name)"
          + " and, where tokens are signed, --jwt-private-key-file with --jwt-key-id");
    }
    try {
      TokenKeys.Builder builder = jwtAlgorithm == TokenAlgorithm.RS256 ? TokenKeys.rsa() : TokenKeys.ec();
      for (Path file : jwtPublicKeyFiles) {
        String kid = file.getFileName().toString().replaceFirst("(\\.pub)?\\.pem$", "");
        builder.verificationKey(kid, TokenKeys.readPublicKey(file, jwtAlgorithm));
      }
      if (jwtPrivateKeyFile != null) {
        if (jwtKeyId == null) {
          throw new IllegalArgumentException("--jwt-private-key-file needs --jwt-key-id naming its public key");
        }
        builder.signingKey(jwtKeyId, TokenKeys.readPrivateKey(jwtPrivateKeyFile, jwtAlgorithm));
      }
      return new KeysResult(builder.build(), false);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read a key: " + e.getMessage(), e);
    }
  }

  /** The secret in {@code file} if given, else {@code fromEnv} if not empty, else null. */
  private static byte[] secret(Path file, String fromEnv) {
    if (file != null) {
      return readSecret(file);
    }
    return fromEnv == null || fromEnv.isEmpty() ? null : fromEnv.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] readSecret(Path file) {
    try {
      byte[] bytes = Files.readAllBytes(file);
      int end = bytes.length;
      while (end > 0 && (bytes[end - 1] == '\n' || bytes[end - 1] == '\r')) {
        end--;
      }
      return Arrays.copyOf(bytes, end);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read the secret file " + file + ": " + e.getMessage(), e);
    }
  }

  static TerminalPolicy parseTerminalPolicy(String value) {
    return switch (value.toLowerCase(Locale.ROOT).replace('_', '-')) {
      case "per-terminal" -> TerminalPolicy.PER_TERMINAL;
      case "single" -> TerminalPolicy.SINGLE;
      case "unlimited" -> TerminalPolicy.UNLIMITED;
      default -> throw new IllegalArgumentException(
          "--terminal-policy must be per-terminal, single or unlimited, not '" + value + "'");
    };
  }

  /** Parses {@code 500ms}, {@code 45s}, {@code 30m}, {@code 12h}, {@code 7d} or ISO-8601 ({@code PT1H}). */
  static final class DurationConverter implements ITypeConverter<Duration> {
    private static final Pattern SHORT = Pattern.compile("(\\d+)(ms|s|m|h|d)");

    @Override
    public Duration convert(String value) {
      Matcher m = SHORT.matcher(value.trim());
      if (m.matches()) {
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
          case "ms" -> Duration.ofMillis(n);
          case "s" -> Duration.ofSeconds(n);
          case "m" -> Duration.ofMinutes(n);
          case "h" -> Duration.ofHours(n);
          default -> Duration.ofDays(n);
        };
      }
      try {
        return Duration.parse(value.trim());
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("not a duration: '" + value + "' (use e.g. 30m, 12h, 7d)");
      }
    }
  }
}
