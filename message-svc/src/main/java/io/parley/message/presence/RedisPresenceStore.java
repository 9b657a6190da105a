package io.parley.message.presence;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import io.parley.common.v1.Terminal;
import io.parley.redis.RedisScript;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.ZAddParams;

/**
 * {@link PresenceStore} on Redis (standalone or Cluster), through the platform's {@link
 * UnifiedJedis}:
 *
 * <ul>
 *   <li>each user's devices, last seen time and version in one hash, {@code parley:presence:{<userId>}},
 *       changed by {@code presence.lua} (one key, so one slot on a Cluster), and forgotten {@link
 *       #RETENTION} after its last change;
 *   <li>every lease's expiry in one sorted set, {@value #LEASES}, member {@code <userId> <device>}.
 *       {@link #sweep} reads the expired ones and removes each with {@code ZREM}: only the replica
 *       whose {@code ZREM} removed it goes on to remove the device (and reports the change), so a
 *       change is reported once across replicas. A lease renewed between the read and the removal
 *       is found renewed in the hash and put back.
 * </ul>
 *
 * <p>A change costs two commands (the script and {@code ZADD} or {@code ZREM}); a renewal two.
 * Failures are thrown as jedis exceptions. Thread-safe.
 */
public final class RedisPresenceStore implements PresenceStore {
  /** The sorted set of lease expiries. */
  static final String LEASES = "parley:presence:leases";
  /** How long a user's last seen time is kept after their last change. */
  static final Duration RETENTION = Duration.ofDays(90);

  private static final RedisScript SCRIPT = RedisScript.fromResource(RedisPresenceStore.class, "presence.lua");

  private final UnifiedJedis jedis;

  public RedisPresenceStore(UnifiedJedis jedis) {
    this.jedis = requireNonNull(jedis, "jedis");
  }

  static String key(String userId) {
    return "parley:presence:{" + userId + "}";
  }

  private static String member(String userId, String device) {
    return userId + " " + device;
  }

  private Object run(String userId, String op, String device, long nowMillis, String... more) {
    List<byte[]> args = new ArrayList<>(4 + more.length);
    args.add(bytes(op));
    args.add(bytes("d:" + device));
    args.add(bytes(Long.toString(nowMillis)));
    args.add(bytes(Long.toString(RETENTION.toMillis())));
    for (String arg : more) {
      args.add(bytes(arg));
    }
    return SCRIPT.run(jedis, List.of(bytes(key(userId))), args);
  }

  @Override
  public PresenceChange connect(DeviceLease lease) {
    requireNonNull(lease, "lease");
    List<?> reply = (List<?>) run(lease.userId(), "connect", lease.device(), lease.sinceMillis(),
        Integer.toString(lease.terminal().getNumber()), Long.toString(lease.expiresAtMillis()));
    jedis.zadd(LEASES, lease.expiresAtMillis(), member(lease.userId(), lease.device()));
    return new PresenceChange(presence(lease.userId(), (List<?>) reply.get(1)), (Long) reply.get(0) == 0, false);
  }

  @Override
  public boolean renew(String userId, String device, long nowMillis, long expiresAtMillis) {
    List<?> reply = (List<?>) run(userId, "renew", device, nowMillis, Long.toString(expiresAtMillis));
    if ((Long) reply.get(0) == 0) {
      return false;
    }
    jedis.zadd(LEASES, expiresAtMillis, member(userId, device), ZAddParams.zAddParams().xx());
    return true;
  }

  @Override
  public Optional<PresenceChange> disconnect(String userId, String device, long nowMillis) {
    List<?> reply = (List<?>) run(userId, "disconnect", device, nowMillis);
    jedis.zrem(LEASES, member(userId, device));
    return change(userId, reply);
  }

  private static Optional<PresenceChange> change(String userId, List<?> reply) {
    long status = (Long) reply.get(0);
    if (status != 1 && status != 2) {
      return Optional.empty();
    }
    return Optional.of(new PresenceChange(presence(userId, (List<?>) reply.get(1)), false, status == 2));
  }

  @Override
  public List<PresenceChange> sweep(long nowMillis, int max) {
    List<PresenceChange> changes = new ArrayList<>();
    for (String member : jedis.zrangeByScore(LEASES, Double.NEGATIVE_INFINITY, nowMillis - 1, 0, max)) {
      if (jedis.zrem(LEASES, member) == 0) {
        continue;  // another replica took it
      }
      int space = member.indexOf(' ');
      String userId = member.substring(0, space);
      String device = member.substring(space + 1);
      List<?> reply = (List<?>) run(userId, "expire", device, nowMillis);
      if ((Long) reply.get(0) == 3) {
        jedis.zadd(LEASES, Long.parseLong(text(reply.get(2))), member, ZAddParams.zAddParams().nx());
      } else {
        change(userId, reply).ifPresent(changes::add);
      }
    }
    return changes;
  }

  @Override
  public UserPresence read(String userId) {
    Map<String, String> hash = jedis.hgetAll(key(userId));
    List<Object> flat = new ArrayList<>(hash.size() * 2);
    hash.forEach((field, value) -> {
      flat.add(field);
      flat.add(value);
    });
    return presence(userId, flat);
  }

  /** The presence a hash's fields and values (alternating, as bytes or strings) hold. */
  private static UserPresence presence(String userId, List<?> flat) {
    Map<String, UserPresence.Device> leases = new LinkedHashMap<>();
    long lastSeen = 0;
    long version = 0;
    for (int i = 0; i + 1 < flat.size(); i += 2) {
      String field = text(flat.get(i));
      String value = text(flat.get(i + 1));
      if (field.equals("seen")) {
        lastSeen = Long.parseLong(value);
      } else if (field.equals("v")) {
        version = Long.parseLong(value);
      } else if (field.startsWith("d:")) {
        String device = field.substring(2);
        String[] parts = value.split(":");
        Terminal terminal = Terminal.forNumber(Integer.parseInt(parts[0]));
        leases.put(device, new UserPresence.Device(DeviceLease.sessionOf(device),
            terminal == null ? Terminal.TERMINAL_UNSPECIFIED : terminal, Long.parseLong(parts[1])));
      }
    }
    return UserPresence.of(userId, leases, lastSeen, version);
  }

  private static String text(Object value) {
    return value instanceof byte[] raw ? new String(raw, UTF_8) : String.valueOf(value);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(UTF_8);
  }
}
