package io.parley.message.store;

import com.google.protobuf.util.Timestamps;
import io.parley.message.v1.Message;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What appending a batch of drafts writes, worked out once for every store from the conversations'
 * heads and the earlier sends found under their locks: the seq and server time of each new
 * message, the answer to each draft (repeats within the batch included), the heads after the batch,
 * the senders' read seqs that follow their messages, and the private conversations that got their
 * first message. A store applies the plan in the same atomic step in which it read the heads.
 */
final class AppendPlan {
  /** A conversation's counter: its last seq and the server time of that message (0, 0 if none). */
  record Head(long lastSeq, long lastTimeMillis) {
    static final Head NONE = new Head(0, 0);
  }

  /** The identity of a send, for idempotency. */
  record SendKey(ConversationId conversation, String senderId, String clientMsgId) {
    static SendKey of(Draft draft) {
      return new SendKey(draft.conversation(), draft.senderId(), draft.clientMsgId());
    }
  }

  /**
   * Moves a sender's read seq from {@code expectedSeq} to {@code newSeq}, only if it still is {@code
   * expectedSeq} (0 also when the sender has no read seq yet).
   */
  record ReadAdvance(String userId, ConversationId conversation, long expectedSeq, long newSeq) {}

  private record Reader(ConversationId conversation, String userId) {}

  private final List<Appended> results;
  private final List<Message> inserts;
  private final Map<ConversationId, Head> heads;
  private final List<ReadAdvance> readAdvances;
  private final List<ConversationId> firstMessages;

  private AppendPlan(List<Appended> results, List<Message> inserts, Map<ConversationId, Head> heads,
      List<ReadAdvance> readAdvances, List<ConversationId> firstMessages) {
    this.results = results;
    this.inserts = inserts;
    this.heads = heads;
    this.readAdvances = readAdvances;
    this.firstMessages = firstMessages;
  }

  /**
   * Plans {@code drafts} in order.
   *
   * @param heads the current head of every conversation of the batch (absent: no message yet)
   * @param earlier the stored sends among the batch's, by key
   */
  static AppendPlan of(List<Draft> drafts, Map<ConversationId, Head> heads, Map<SendKey, Appended> earlier) {
    List<Appended> results = new ArrayList<>(drafts.size());
    List<Message> inserts = new ArrayList<>(drafts.size());
    Map<ConversationId, Head> after = new LinkedHashMap<>();
    Map<SendKey, Appended> sent = new HashMap<>();
    Map<Reader, ReadAdvance> advances = new LinkedHashMap<>();
    List<ConversationId> firstMessages = new ArrayList<>();

    for (Draft draft : drafts) {
      SendKey key = SendKey.of(draft);
      Appended repeat = earlier.get(key);
      if (repeat == null) {
        repeat = sent.get(key);
      }
      if (repeat != null) {
        results.add(new Appended(repeat.messageId(), repeat.seq(), repeat.serverTimeMillis(), true));
        continue;
      }
      ConversationId conversation = draft.conversation();
      Head head = after.containsKey(conversation) ? after.get(conversation) : heads.getOrDefault(conversation, Head.NONE);
      if (head.lastSeq() == 0 && !conversation.isGroup()) {
        firstMessages.add(conversation);
      }
      long seq = head.lastSeq() + 1;
      long time = Math.max(draft.nowMillis(), head.lastTimeMillis());
      Message message = draft.message().toBuilder().setSeq(seq).setServerTime(Timestamps.fromMillis(time)).build();
      inserts.add(message);
      after.put(conversation, new Head(seq, time));
      Appended appended = new Appended(message.getMessageId(), seq, time, false);
      sent.put(key, appended);
      results.add(appended);

      // A sender who had read everything before their message has read it too. Only the first
      // message of a sender in the batch can follow their stored read seq, and the advance grows
      // along a run of their messages: whatever comes between two runs is someone else's.
      Reader run = new Reader(conversation, draft.senderId());
      ReadAdvance advance = advances.get(run);
      if (advance == null) {
        advances.put(run, new ReadAdvance(draft.senderId(), conversation, seq - 1, seq));
      } else if (advance.newSeq() == seq - 1) {
        advances.put(run, new ReadAdvance(draft.senderId(), conversation, advance.expectedSeq(), seq));
      }
    }
    return new AppendPlan(results, inserts, after, List.copyOf(advances.values()), firstMessages);
  }

  /** One answer per draft, in order. */
  List<Appended> results() {
    return results;
  }

  /** The new messages, with seq and server time, in seq order per conversation. */
  List<Message> inserts() {
    return inserts;
  }

  /** The heads of the conversations that got a message. */
  Map<ConversationId, Head> heads() {
    return heads;
  }

  List<ReadAdvance> readAdvances() {
    return readAdvances;
  }

  /** Private conversations whose first message this batch stores. */
  List<ConversationId> firstMessages() {
    return firstMessages;
  }
}
