package io.parley.server;

import static java.util.Objects.requireNonNull;

import io.grpc.CallCredentials;
import io.grpc.ManagedChannel;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.parley.auth.TokenIssuer;
import io.parley.auth.TokenKeys;
import io.parley.auth.TokenVerifier;
import io.parley.client.ParleyChannels;
import io.parley.client.ServiceTokenCredentials;
import io.parley.events.EventBus;
import io.parley.events.LocalEventBus;
import io.parley.events.RedisEventBus;
import io.parley.redis.RedisClients;
import io.parley.redis.RedisPoolMetrics;
import io.parley.session.CachingSessionStore;
import io.parley.session.MemorySessionStore;
import io.parley.session.RedisSessionStore;
import io.parley.session.SessionPolicy;
import io.parley.session.SessionServerInterceptor;
import io.parley.session.SessionStore;
import io.parley.tls.TlsCredentials;
import io.parley.tls.TlsSettings;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.UnifiedJedis;

/**
 * What every service of one process shares: the clock, the token keys, the session store, the
 * Redis client (when the store is Redis), the event bus and channels to peer services. The launcher builds one
 * and hands it to each service module; tests build their own. Closing it releases everything it
 * created.
 *
 * <p>With {@code store = "memory"}, sessions live in this process ({@link MemorySessionStore});
 * with a Redis URL, in Redis behind a local cache that Redis's events keep exact ({@link
 * RedisSessionStore} and {@link CachingSessionStore}), and service data goes to the same Redis. The
 * token verifier remembers as many tokens as the cache holds sessions. Thread-safe.
 *
 * <p>Its {@linkplain Builder#meterRegistry meter registry} is where everything built on it counts:
 * calls served by {@link #serverBuilder()}'s servers and made on {@link #channel}s, the session
 * cache, the Redis pool; the service modules take it from {@link #meterRegistry()} for their own.
 */
public final class Platform implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(Platform.class);

  private final Clock clock;
  private final SessionPolicy sessionPolicy;
  private final TokenVerifier tokenVerifier;
  private final TokenIssuer tokenIssuer;
  private final TokenIssuer serviceTokenIssuer;
  private final UnifiedJedis redis;
  private final SessionStore sessionStore;
  private final SessionServerInterceptor sessionInterceptor;
  private final EventBus events;
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private final TlsCredentials tls;
  private final OpenTelemetry openTelemetry;
  private final MeterRegistry meterRegistry;

  private Platform(Builder builder) {
    String storeUrl = builder.storeUrl;
    this.tls = builder.tls == null ? null : TlsCredentials.load(builder.tls);
    this.openTelemetry = builder.openTelemetry;
    this.clock = builder.clock;
    this.meterRegistry = builder.meterRegistry != null ? builder.meterRegistry : new SimpleMeterRegistry();
    this.sessionPolicy = builder.sessionPolicy;
    TokenKeys serviceKeys = builder.serviceKeys == null ? builder.keys : builder.serviceKeys;
    this.tokenVerifier = TokenVerifier.builder(builder.keys).serviceKeys(serviceKeys).issuer(builder.issuer).clock(clock)
        .cacheSize(builder.sessionCacheSize).build();
    this.tokenIssuer = builder.keys.canSign() ? new TokenIssuer(builder.keys, builder.issuer, clock) : null;
    this.serviceTokenIssuer = serviceKeys.canSign() ? new TokenIssuer(serviceKeys, builder.issuer, clock) : null;
    if (RedisClients.isRedisUrl(storeUrl)) {
      this.redis = RedisClients.create(storeUrl, builder.storePassword);
      new RedisPoolMetrics(redis).bindTo(meterRegistry);
      RedisSessionStore shared = RedisSessionStore.builder(redis).clock(clock).policy(sessionPolicy)
          .openTelemetry(openTelemetry).build();
      this.sessionStore = CachingSessionStore.builder(shared).clock(clock).policy(sessionPolicy)
          .refreshAfter(builder.sessionCacheRefresh).maximumSize(builder.sessionCacheSize)
          .meterRegistry(meterRegistry).build();
    } else if ("memory".equals(storeUrl)) {
      this.redis = null;
      this.sessionStore = new MemorySessionStore(clock, sessionPolicy);
    } else {
      throw new IllegalArgumentException("unknown store '" + RedisClients.redact(storeUrl)
          + "': use memory, redis://host:port or redis-cluster://h1:p1,h2:p2");
    }
    this.sessionInterceptor = new SessionServerInterceptor(tokenVerifier, sessionStore, sessionPolicy, clock);
    this.events = redis == null ? new LocalEventBus() : new RedisEventBus(redis);
  }

  public static Builder builder(TokenKeys keys) {
    return new Builder(keys);
  }

  public Clock clock() {
    return clock;
  }

  /** Where this process's meters are registered: the builder's registry, or a private one. */
  public MeterRegistry meterRegistry() {
    return meterRegistry;
  }

  public boolean isRedis() {
    return redis != null;
  }

  /**
   * The shared Redis client.
   *
   * @throws IllegalStateException if the store is {@code memory}
   */
  public UnifiedJedis redis() {
    if (redis == null) {
      throw new IllegalStateException("the store is memory; there is no Redis client");
    }
    return redis;
  }

  /**
   * What this platform needs to serve calls, for a {@link ReadinessMonitor}: its Redis, or nothing
   * with the memory store. Redis answers a PING within the client's connect and socket timeouts; on
   * a Redis Cluster the PING goes to every node the client knows, so a node that is down makes the
   * process not ready until the node is back or the cluster has forgotten it.
   */
  public List<Dependency> dependencies() {
    if (redis == null) {
      return List.of();
    }
    return List.of(Dependency.of("redis", () -> "PONG".equals(redis.ping())));
  }

  public SessionPolicy sessionPolicy() {
    return sessionPolicy;
  }

  public SessionStore sessionStore() {
    return sessionStore;
  }

  public TokenVerifier tokenVerifier() {
    return tokenVerifier;
  }

  /**
   * The token issuer.
   *
   * @throws IllegalStateException if the key set has no signing key
   */
  public TokenIssuer tokenIssuer() {
    if (tokenIssuer == null) {
      throw new IllegalStateException("no signing key is configured: this process can verify tokens but not issue them");
    }
    return tokenIssuer;
  }

  public SessionServerInterceptor sessionInterceptor() {
    return sessionInterceptor;
  }

  /**
   * Notifications between services and replicas: in-process with the memory store, Redis pub/sub
   * otherwise.
   */
  public EventBus events() {
    return events;
  }

  /** Where this process's spans go; {@link OpenTelemetry#noop()} when it is not traced. */
  public OpenTelemetry openTelemetry() {
    return openTelemetry;
  }

  /** A server builder with this platform's session check, tracing and call metrics installed. */
  public ParleyServer.Builder serverBuilder() {
    return ParleyServer.builder().sessions(sessionInterceptor).openTelemetry(openTelemetry).meterRegistry(meterRegistry);
  }

  /**
   * The channel to {@code target} (see {@link ParleyChannels}), traced with this platform's
   * OpenTelemetry and its calls counted in the meter registry, created once and closed with the
   * platform; over TLS when the platform has {@linkplain Builder#tls TLS settings}.
   */
  public ManagedChannel channel(String target) {
    return channels.computeIfAbsent(requireNonNull(target, "target"),
        t -> ParleyChannels.forTarget(t, openTelemetry, meterRegistry, tls == null ? null : tls.channelCredentials()));
  }

  /** The TLS material of this process's servers and channels, kept current; null for plaintext. */
  public TlsCredentials tls() {
    return tls;
  }

  /**
   * Credentials for {@code serviceName} to call INTERNAL methods of other services, signed with the
   * service keys ({@link Builder#serviceKeys}).
   *
   * @throws IllegalStateException if the service key set has no signing key
   */
  public CallCredentials serviceCredentials(String serviceName) {
    if (serviceTokenIssuer == null) {
      throw new IllegalStateException("no service signing key is configured: this process cannot call INTERNAL methods");
    }
    return ServiceTokenCredentials.of(serviceTokenIssuer, serviceName, clock);
  }

  @Override
  public void close() {
    channels.values().forEach(ManagedChannel::shutdown);
    for (ManagedChannel channel : channels.values()) {
      try {
        if (!channel.awaitTermination(5, TimeUnit.SECONDS)) {
          channel.shutdownNow();
        }
      } catch (InterruptedException e) {
        channel.shutdownNow();
        Thread.currentThread().interrupt();
      }
    }
    events.close();
    try {
      sessionStore.close();
    } finally {
      if (redis != null) {
        redis.close();
      }
      if (tls != null) {
        tls.close();
      }
    }
    logger.debug("platform closed");
  }

  /** Builds a {@link Platform}. Not thread-safe. */
  public static final class Builder {
    private final TokenKeys keys;
    private String storeUrl = "memory";
    private String storePassword;
    private String issuer = "parley";
    private Clock clock = Clock.systemUTC();
    private SessionPolicy sessionPolicy = SessionPolicy.defaults();
    private Duration sessionCacheRefresh = Duration.ofHours(1);
    private long sessionCacheSize = 250_000;
    private TokenKeys serviceKeys;
    private TlsSettings tls;
    private OpenTelemetry openTelemetry = OpenTelemetry.noop();
    private MeterRegistry meterRegistry;

    private Builder(TokenKeys keys) {
      this.keys = requireNonNull(keys, "keys");
    }

    /**
     * The keys service credentials are signed and verified with, apart from the user tokens' keys:
     * a process that may call INTERNAL methods (it holds the service signing key) then cannot mint
     * user tokens, and a user-token key cannot mint service credentials. Without it, both kinds use
     * the user tokens' keys.
     */
    public Builder serviceKeys(TokenKeys serviceKeys) {
      this.serviceKeys = requireNonNull(serviceKeys, "serviceKeys");
      return this;
    }

    /** {@code memory} (the default), {@code redis://…} or {@code redis-cluster://…}. */
    public Builder store(String storeUrl) {
      this.storeUrl = requireNonNull(storeUrl, "storeUrl");
      return this;
    }

    /** The token issuer name, {@code iss}; "parley" by default. */
    public Builder issuer(String issuer) {
      this.issuer = requireNonNull(issuer, "issuer");
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = requireNonNull(clock, "clock");
      return this;
    }

    /**
     * The Redis password, kept apart from the store URL so that it never has to appear on a command
     * line; it replaces a password in the URL. Null (the default) for none.
     */
    public Builder storePassword(String password) {
      this.storePassword = password;
      return this;
    }

    public Builder sessionPolicy(SessionPolicy sessionPolicy) {
      this.sessionPolicy = requireNonNull(sessionPolicy, "sessionPolicy");
      return this;
    }

    /**
     * How long after its read a cached session in use is read again in the background, as a safety
     * net (Redis store only; see {@link CachingSessionStore.Builder#refreshAfter}); an hour by default.
     */
    public Builder sessionCacheRefresh(Duration refreshAfter) {
      this.sessionCacheRefresh = requireNonNull(refreshAfter, "refreshAfter");
      return this;
    }

    /**
     * The refresh interval, under its former name.
     *
     * @deprecated cached sessions no longer expire after a fixed time; use {@link #sessionCacheRefresh}
     */
    @Deprecated
    public Builder sessionCacheTtl(Duration ttl) {
      return sessionCacheRefresh(ttl);
    }

    /**
     * How many sessions a replica caches at most (Redis store only), and tokens its verifier
     * remembers; 250,000 by default. A cached session with its token costs about 1.85 KB of heap
     * (see BENCHMARKS.md, session-scale).
     */
    public Builder sessionCacheSize(long sessions) {
      if (sessions < 1) {
        throw new IllegalArgumentException("sessionCacheSize must be positive: " + sessions);
      }
      this.sessionCacheSize = sessions;
      return this;
    }

    /**
     * TLS for the channels to peers ({@link #channel}) and, through {@link #tls()}, for the servers
     * the caller builds; the files are read when the platform is built and checked for renewal
     * until it closes. Null (the default) for plaintext.
     */
    public Builder tls(TlsSettings tls) {
      this.tls = tls;
      return this;
    }

    /**
     * Where spans go: the servers' and channels' gRPC calls and the session reads that reach Redis.
     * {@link OpenTelemetry#noop()} (the default) traces nothing, at no cost. The platform does not
     * close it.
     */
    public Builder openTelemetry(OpenTelemetry openTelemetry) {
      this.openTelemetry = requireNonNull(openTelemetry, "openTelemetry");
      return this;
    }

    /**
     * Where calls, the session cache and the Redis pool are counted, and where service modules
     * register their meters; a private {@link SimpleMeterRegistry} (seen by no one) by default.
     */
    public Builder meterRegistry(MeterRegistry meterRegistry) {
      this.meterRegistry = requireNonNull(meterRegistry, "meterRegistry");
      return this;
    }

    /**
     * Builds the platform.
     *
     * @throws IllegalArgumentException if the TLS files cannot be read (naming the file) or the
     *     store is unknown
     */
    public Platform build() {
      return new Platform(this);
    }
  }
}
