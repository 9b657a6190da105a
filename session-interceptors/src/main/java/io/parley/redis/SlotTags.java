package io.parley.redis;

import java.util.List;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * One short hash tag per Redis Cluster hash slot: {@code "{" + of(s) + "}"} in a key or sharded
 * channel name puts it in slot {@code s}, so that a script may reach, besides its own keys, a
 * per-slot key or channel of the same slot. The same tags in every process. Also meaningful on a
 * standalone Redis, where they just name 16,384 buckets.
 */
public final class SlotTags {
  /** Hash slots of a Redis Cluster. */
  public static final int SLOTS = 16384;

  private static final List<String> TAGS = compute();

  private SlotTags() {}

  /** The tag of {@code slot}: the first base-36 number that hashes to it. */
  public static String of(int slot) {
    return TAGS.get(slot);
  }

  /** The hash slot of a key (its hash tag's, if it has one), as Redis Cluster computes it. */
  public static int slotOf(byte[] key) {
    return JedisClusterCRC16.getSlot(key);
  }

  private static List<String> compute() {
    String[] tags = new String[SLOTS];
    int found = 0;
    for (int n = 0; found < SLOTS; n++) {
      String tag = Integer.toString(n, 36);
      int slot = JedisClusterCRC16.getSlot(tag);
      if (tags[slot] == null) {
        tags[slot] = tag;
        found++;
      }
    }
    return List.of(tags);
  }
}
