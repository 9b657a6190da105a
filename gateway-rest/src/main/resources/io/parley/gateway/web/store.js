// What the client knows of the user's conversations: messages by seq (so a message seen twice,
// by push and by pull, is kept once), own messages still on their way (by client_msg_id), read
// state and unread counts. No DOM here.

const number = (value) => Number(value || 0);
const time = (value) => (value ? Date.parse(value) || 0 : 0);

/** A message as the API gives it, with its 64-bit numbers as JavaScript numbers. */
export function normalize(message) {
  return { ...message, seq: number(message.seq) };
}

export class Conversation {
  constructor(id) {
    this.id = id;
    this.type = id.startsWith('g_') ? 'GROUP' : 'PRIVATE';
    this.groupId = this.type === 'GROUP' ? id.slice(2) : '';
    this.peerUserId = '';
    this.lastSeq = 0;
    this.readSeq = 0;
    this.unread = 0;
    this.activity = 0;
    this.lastMessage = null;
    /** seq -> message, for a conversation that was opened. */
    this.messages = new Map();
    /** client_msg_id -> own message not yet acknowledged: { clientMsgId, text, state, error }. */
    this.pending = new Map();
    /** Whether messages were loaded; only then are they kept complete from `through` on. */
    this.loaded = false;
    /** Every message from the oldest loaded up to this seq is here. */
    this.through = 0;
    this.hasOlder = false;
    /** The other user's read seq in a private chat, as read receipts tell it. */
    this.peerReadSeq = 0;
    /** user id -> until when (ms since the epoch) to show that they are typing. */
    this.typing = new Map();
  }

  /** Messages in seq order, then own messages still being sent. */
  ordered() {
    const sent = [...this.messages.values()].sort((a, b) => a.seq - b.seq);
    return [...sent, ...this.pending.values()];
  }

  oldestSeq() {
    let oldest = 0;
    for (const seq of this.messages.keys()) if (!oldest || seq < oldest) oldest = seq;
    return oldest;
  }
}

export class ChatStore {
  constructor(myUserId) {
    this.me = myUserId;
    this.conversations = new Map();
  }

  get(id) {
    let conversation = this.conversations.get(id);
    if (!conversation) {
      conversation = new Conversation(id);
      this.conversations.set(id, conversation);
    }
    return conversation;
  }

  /** The private conversation with {@code userId}: "p_<smaller id>_<larger id>". */
  privateWith(userId) {
    const [a, b] = [this.me, userId].sort();
    const conversation = this.get(`p_${a}_${b}`);
    conversation.peerUserId = userId;
    return conversation;
  }

  /** Conversations with activity, most recent first. */
  byActivity() {
    return [...this.conversations.values()]
      .filter((c) => c.lastSeq > 0 || c.pending.size > 0 || c.type === 'GROUP')
      .sort((a, b) => b.activity - a.activity || a.id.localeCompare(b.id));
  }

  /** Takes the server's listing (ListConversations) where it is at least as new as what is known. */
  applyListing(listing) {
    for (const item of listing) {
      const conversation = this.get(item.conversationId);
      if (item.peerUserId) conversation.peerUserId = item.peerUserId;
      const lastSeq = number(item.lastSeq);
      if (lastSeq >= conversation.lastSeq) {
        conversation.lastSeq = lastSeq;
        conversation.readSeq = Math.max(conversation.readSeq, number(item.readSeq));
        conversation.unread = number(item.unreadCount);
        if (item.lastMessage) conversation.lastMessage = normalize(item.lastMessage);
        conversation.activity = Math.max(conversation.activity, time(item.updateTime),
          time(item.lastMessage && item.lastMessage.serverTime));
      }
    }
  }

  /**
   * Adds messages (from a pull, a push or a send's answer). Each is kept once by seq; an own
   * message replaces its pending copy (same client_msg_id); one newer than the last known counts
   * as unread unless the caller sent it. Returns the conversations that changed.
   */
  add(messages) {
    const changed = new Set();
    for (const raw of messages) {
      const message = normalize(raw);
      const conversation = this.get(message.conversationId);
      if (message.senderId === this.me && message.clientMsgId) conversation.pending.delete(message.clientMsgId);
      conversation.typing.delete(message.senderId);
      if (conversation.loaded) {
        const known = conversation.messages.get(message.seq);
        // A recall seen first wins over a copy of the message that was sent before it.
        if (!known || !known.recalled || message.recalled) conversation.messages.set(message.seq, message);
      }
      if (message.seq > conversation.lastSeq) {
        conversation.lastSeq = message.seq;
        conversation.lastMessage = message;
        conversation.activity = Math.max(conversation.activity, time(message.serverTime) || Date.now());
        if (message.senderId !== this.me && message.seq > conversation.readSeq) conversation.unread++;
      } else if (conversation.lastMessage && conversation.lastMessage.seq === message.seq && !conversation.lastMessage.recalled) {
        conversation.lastMessage = message;
      }
      changed.add(conversation);
    }
    return changed;
  }

  /** Marks message {@code seq} recalled (a tombstone: its content gone). */
  recall(conversationId, seq, recalledBy) {
    const conversation = this.get(conversationId);
    const tombstone = (message) => ({ ...message, recalled: true, recalledBy, content: null });
    const known = conversation.messages.get(seq);
    // One not loaded yet comes as a tombstone when it is pulled.
    if (known) conversation.messages.set(seq, tombstone(known));
    if (conversation.lastMessage && conversation.lastMessage.seq === seq) {
      conversation.lastMessage = tombstone(conversation.lastMessage);
    }
    return conversation;
  }

  /** A read receipt: the peer's (private chats) or the caller's own, from another device. */
  read(conversationId, userId, readSeq) {
    const conversation = this.get(conversationId);
    const seq = number(readSeq);
    if (userId === this.me) this.markedRead(conversation, seq, null);
    else conversation.peerReadSeq = Math.max(conversation.peerReadSeq, seq);
    return conversation;
  }

  /** The caller's read seq moved to {@code readSeq}; {@code unread} is the server's count, if known. */
  markedRead(conversation, readSeq, unread) {
    if (readSeq < conversation.readSeq) return;
    conversation.readSeq = readSeq;
    if (readSeq >= conversation.lastSeq) conversation.unread = 0;
    else if (unread !== null) conversation.unread = number(unread);
  }

  totalUnread() {
    let total = 0;
    for (const conversation of this.conversations.values()) total += conversation.unread;
    return total;
  }
}
