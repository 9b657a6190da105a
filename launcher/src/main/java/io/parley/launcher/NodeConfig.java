package io.parley.launcher;

import static java.util.Objects.requireNonNull;

import io.opentelemetry.api.OpenTelemetry;
import io.parley.auth.TokenKeys;
import io.parley.database.DatabaseSettings;
import io.parley.friend.FriendSettings;
import io.parley.group.GroupSettings;
import io.parley.message.MessageSettings;
import io.parley.server.TrustedProxies;
import io.parley.session.SessionPolicy;
import io.parley.tls.TlsSettings;
import io.parley.user.UserSettings;
import io.parley.webhook.WebhookSettings;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Everything a {@link ParleyNode} needs, already validated: the command line and the environment
 * produce one ({@link LauncherOptions#toConfig}), tests build one directly.
 *
 * @param role what this process runs
 * @param host the address to bind
 * @param grpcPort the gRPC port; 0 picks a free one
 * @param httpPort the REST gateway's port; 0 picks a free one
 * @param store {@code memory}, {@code redis://…} or {@code redis-cluster://…}: where sessions live
 * @param storePassword the Redis password, kept apart from the URL; null for none
 * @param sessionCacheSize sessions each process caches
 * @param database the PostgreSQL store of record of the services, or null to keep their data in
 *     memory (ALL only)
 * @param keys the token keys
 * @param keysAreEphemeral true when the keys were generated at start-up (embedded default)
 * @param serviceKeys the keys of service credentials (INTERNAL calls between services), apart from
 *     the user tokens'; null to use {@code keys} for both
 * @param issuer the tokens' {@code iss}
 * @param sessionPolicy how sessions live
 * @param targets gRPC targets of peer services, by role
 * @param corsOrigins origins the gateway allows; empty for none, {@code *} for any
 * @param http the REST gateway's limits
 * @param users user-svc's settings (password hashing, login throttling, rate limits)
 * @param friends friend-svc's settings
 * @param groups group-svc's settings (member limit, invitations, …)
 * @param messages message-svc's settings (send limit, Subscribe streams, retention, …)
 * @param trustedProxies the peers whose {@code x-forwarded-for} names the real client (the REST
 *     gateway's addresses), for per-address limits
 * @param tls the TLS files of the gRPC server, the REST gateway and the channels to peers; null for
 *     plaintext
 * @param openTelemetry where the node's spans go (gRPC calls, gateway requests, SQL statements,
 *     session reads from Redis); {@link OpenTelemetry#noop()} for none. The node does not close it.
 * @param adminPort the admin HTTP port that serves {@code /metrics}; 0 picks a free one, {@link
 *     #NO_ADMIN_PORT} serves none
 * @param webhooks the operator's webhooks and before-send hook (message-svc, group-svc); {@link
 *     WebhookSettings#none()} for none
 */
public record NodeConfig(
    Role role,
    String host,
    int grpcPort,
    int httpPort,
    String store,
    String storePassword,
    long sessionCacheSize,
    DatabaseSettings database,
    TokenKeys keys,
    boolean keysAreEphemeral,
    TokenKeys serviceKeys,
    String issuer,
    SessionPolicy sessionPolicy,
    Map<Role, String> targets,
    List<String> corsOrigins,
    HttpLimits http,
    UserSettings users,
    FriendSettings friends,
    GroupSettings groups,
    MessageSettings messages,
    TrustedProxies trustedProxies,
    TlsSettings tls,
    OpenTelemetry openTelemetry,
    int adminPort,
    WebhookSettings webhooks) {

  /** The {@link #adminPort} of a node that serves no admin port. */
  public static final int NO_ADMIN_PORT = -1;

  public NodeConfig {
    requireNonNull(role, "role");
    requireNonNull(host, "host");
    requireNonNull(store, "store");
    requireNonNull(keys, "keys");
    requireNonNull(issuer, "issuer");
    requireNonNull(sessionPolicy, "sessionPolicy");
    targets = Map.copyOf(targets);
    corsOrigins = List.copyOf(corsOrigins);
    requireNonNull(http, "http");
    requireNonNull(users, "users");
    requireNonNull(friends, "friends");
    requireNonNull(groups, "groups");
    requireNonNull(messages, "messages");
    requireNonNull(trustedProxies, "trustedProxies");
    requireNonNull(openTelemetry, "openTelemetry");
    if (adminPort < NO_ADMIN_PORT || adminPort > 65535) {
      throw new IllegalArgumentException("adminPort must be 0-65535, or NO_ADMIN_PORT: " + adminPort);
    }
    requireNonNull(webhooks, "webhooks");
  }

  /** Without the store URL's password, nor any key material. */
  @Override
  public String toString() {
    return "NodeConfig{role=" + role + ", host=" + host + ", grpcPort=" + grpcPort + ", httpPort=" + httpPort
        + ", store=" + io.parley.redis.RedisClients.redact(store) + (storePassword == null ? "" : ", storePassword=***")
        + ", database=" + database + ", keys=" + keys + (serviceKeys == null ? "" : ", serviceKeys=" + serviceKeys)
        + ", targets=" + targets + (tls == null ? "" : ", tls=" + tls) + "}";
  }

  /** A config for {@code role} with defaults: memory store, ports 9090/8080, no peers. */
  public static Builder builder(Role role, TokenKeys keys) {
    return new Builder(role, keys);
  }

  /** This configuration with its spans sent to {@code openTelemetry}. */
  public NodeConfig withOpenTelemetry(OpenTelemetry openTelemetry) {
    return new NodeConfig(role, host, grpcPort, httpPort, store, storePassword, sessionCacheSize, database, keys,
        keysAreEphemeral, serviceKeys, issuer, sessionPolicy, targets, corsOrigins, http, users, friends, groups,
        messages, trustedProxies, tls, openTelemetry, adminPort, webhooks);
  }

  /** The target of peer {@code service}, or null. */
  public String target(Role service) {
    return targets.get(service);
  }

  /**
   * What the REST gateway holds for its clients (see {@code GatewayServer.Builder}).
   *
   * @param maxConnections open connections at most; more are answered 503
   * @param requestReadTimeout how long a whole request may take to arrive; a slower one is a 408
   * @param maxGrpcTimeout the longest {@code Grpc-Timeout} a client may ask for; longer is a 400
   * @param trustedProxies proxies in front of the gateway whose {@code X-Forwarded-For} it believes
   */
  public record HttpLimits(int maxConnections, Duration requestReadTimeout, Duration maxGrpcTimeout,
      List<String> trustedProxies) {
    public HttpLimits {
      requireNonNull(requestReadTimeout, "requestReadTimeout");
      requireNonNull(maxGrpcTimeout, "maxGrpcTimeout");
      trustedProxies = List.copyOf(trustedProxies);
    }

    /** The gateway's own defaults: 10,000 connections, 10 s per request, Grpc-Timeout up to 1 h, no proxy. */
    public static HttpLimits defaults() {
      return new HttpLimits(10_000, Duration.ofSeconds(10), Duration.ofHours(1), List.of());
    }
  }

  /** Builds a {@link NodeConfig}. */
  public static final class Builder {
    private final Role role;
    private final TokenKeys keys;
    private boolean keysAreEphemeral;
    private TokenKeys serviceKeys;
    private String host = "0.0.0.0";
    private int grpcPort = 9090;
    private int httpPort = 8080;
    private String store = "memory";
    private String storePassword;
    private long sessionCacheSize = 250_000;
    private DatabaseSettings database;
    private String issuer = "parley";
    private SessionPolicy sessionPolicy = SessionPolicy.defaults();
    private final Map<Role, String> targets = new EnumMap<>(Role.class);
    private List<String> corsOrigins = List.of();
    private HttpLimits http = HttpLimits.defaults();
    private UserSettings users = UserSettings.defaults();
    private FriendSettings friends = FriendSettings.defaults();
    private GroupSettings groups = GroupSettings.defaults();
    private MessageSettings messages = MessageSettings.defaults();
    private TrustedProxies trustedProxies = TrustedProxies.loopback();
    private TlsSettings tls;
    private OpenTelemetry openTelemetry = OpenTelemetry.noop();
    private int adminPort = NO_ADMIN_PORT;
    private WebhookSettings webhooks = WebhookSettings.none();

    private Builder(Role role, TokenKeys keys) {
      this.role = requireNonNull(role, "role");
      this.keys = requireNonNull(keys, "keys");
    }

    public Builder host(String host) {
      this.host = requireNonNull(host, "host");
      return this;
    }

    public Builder grpcPort(int grpcPort) {
      this.grpcPort = grpcPort;
      return this;
    }

    public Builder httpPort(int httpPort) {
      this.httpPort = httpPort;
      return this;
    }

    public Builder store(String store) {
      this.store = requireNonNull(store, "store");
      return this;
    }

    /** The Redis password, or null (the default): none, or in the URL. */
    public Builder storePassword(String storePassword) {
      this.storePassword = storePassword;
      return this;
    }

    public Builder sessionCacheSize(long sessionCacheSize) {
      this.sessionCacheSize = sessionCacheSize;
      return this;
    }

    /** The services' PostgreSQL, or null (the default) for memory. */
    public Builder database(DatabaseSettings database) {
      this.database = database;
      return this;
    }

    public Builder issuer(String issuer) {
      this.issuer = requireNonNull(issuer, "issuer");
      return this;
    }

    public Builder keysAreEphemeral(boolean ephemeral) {
      this.keysAreEphemeral = ephemeral;
      return this;
    }

    /** Service credentials' own keys; null (the default) signs them with the user tokens' keys. */
    public Builder serviceKeys(TokenKeys serviceKeys) {
      this.serviceKeys = serviceKeys;
      return this;
    }

    public Builder sessionPolicy(SessionPolicy sessionPolicy) {
      this.sessionPolicy = requireNonNull(sessionPolicy, "sessionPolicy");
      return this;
    }

    public Builder sessionIdleLimit(Duration idle) {
      this.sessionPolicy = sessionPolicy.withMaxInactive(idle);
      return this;
    }

    public Builder target(Role service, String target) {
      if (target != null && !target.isBlank()) {
        targets.put(service, target);
      }
      return this;
    }

    public Builder corsOrigins(List<String> corsOrigins) {
      this.corsOrigins = requireNonNull(corsOrigins, "corsOrigins");
      return this;
    }

    public Builder http(HttpLimits http) {
      this.http = requireNonNull(http, "http");
      return this;
    }

    public Builder users(UserSettings users) {
      this.users = requireNonNull(users, "users");
      return this;
    }

    public Builder friends(FriendSettings friends) {
      this.friends = requireNonNull(friends, "friends");
      return this;
    }

    public Builder groups(GroupSettings groups) {
      this.groups = requireNonNull(groups, "groups");
      return this;
    }

    public Builder messages(MessageSettings messages) {
      this.messages = requireNonNull(messages, "messages");
      return this;
    }

    /** The member limit of new groups. */
    public Builder groupMaxMembers(int groupMaxMembers) {
      this.groups = groups.withMaxMembers(groupMaxMembers);
      return this;
    }

    /**
     * Cheap Argon2 parameters and no per-address limits on Register and Login ({@link
     * UserSettings#forTests()}): for tests and benchmarks, whose clients all share one address.
     */
    public Builder fastPasswordHashing(boolean fast) {
      this.users = fast ? UserSettings.forTests() : UserSettings.defaults();
      return this;
    }

    public Builder trustedProxies(TrustedProxies trustedProxies) {
      this.trustedProxies = requireNonNull(trustedProxies, "trustedProxies");
      return this;
    }

    /** TLS for the servers and the channels to peers; null (the default) for plaintext. */
    public Builder tls(TlsSettings tls) {
      this.tls = tls;
      return this;
    }

    /** Where the node's spans go; {@link OpenTelemetry#noop()} (the default) traces nothing. */
    public Builder openTelemetry(OpenTelemetry openTelemetry) {
      this.openTelemetry = requireNonNull(openTelemetry, "openTelemetry");
      return this;
    }

    /**
     * The admin HTTP port serving {@code /metrics}: 0 picks a free one; {@link #NO_ADMIN_PORT}, the
     * builder's default, serves none (the command line's default is 9464).
     */
    public Builder adminPort(int adminPort) {
      this.adminPort = adminPort;
      return this;
    }

    /** The operator's webhooks and before-send hook; none by default. */
    public Builder webhooks(WebhookSettings webhooks) {
      this.webhooks = requireNonNull(webhooks, "webhooks");
      return this;
    }

    public NodeConfig build() {
      return new NodeConfig(role, host, grpcPort, httpPort, store, storePassword, sessionCacheSize, database, keys, keysAreEphemeral,
          serviceKeys, issuer, sessionPolicy,
          targets, corsOrigins, http, users, friends, groups, messages, trustedProxies, tls, openTelemetry,
          adminPort, webhooks);
    }
  }
}
