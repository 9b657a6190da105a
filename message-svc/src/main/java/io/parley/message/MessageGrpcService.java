package io.parley.message;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Empty;
import com.google.protobuf.Timestamp;
import com.google.protobuf.util.Timestamps;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.parley.common.v1.ErrorReason;
import io.parley.data.Ids;
import io.parley.data.PageTokens;
import io.parley.error.ParleyException;
import io.parley.group.v1.CheckMembershipResponse;
import io.parley.group.v1.GroupRole;
import io.parley.message.store.Appended;
import io.parley.message.store.ConversationId;
import io.parley.message.store.ConversationRef;
import io.parley.message.store.Draft;
import io.parley.message.store.MessageSlice;
import io.parley.message.store.MessageStore;
import io.parley.message.v1.AddReactionRequest;
import io.parley.message.v1.Badge;
import io.parley.message.v1.ClearHistoryForMeRequest;
import io.parley.message.v1.ClearHistoryForMeResponse;
import io.parley.message.v1.Conversation;
import io.parley.message.v1.ConversationSettings;
import io.parley.message.v1.DeleteMessagesForMeRequest;
import io.parley.message.v1.DeleteMessagesForMeResponse;
import io.parley.message.v1.EditMessageRequest;
import io.parley.message.v1.Event;
import io.parley.message.v1.ForwardMessagesRequest;
import io.parley.message.v1.ForwardMessagesResponse;
import io.parley.message.v1.GetBadgeRequest;
import io.parley.message.v1.GetPresenceRequest;
import io.parley.message.v1.GetPresenceResponse;
import io.parley.message.v1.ListConversationsRequest;
import io.parley.message.v1.ListConversationsResponse;
import io.parley.message.v1.ListMessageVersionsRequest;
import io.parley.message.v1.ListMessageVersionsResponse;
import io.parley.message.v1.MarkReadRequest;
import io.parley.message.v1.MarkReadResponse;
import io.parley.message.v1.Message;
import io.parley.message.v1.MessageContent;
import io.parley.message.v1.MessageServiceGrpc;
import io.parley.message.v1.PullMessagesRequest;
import io.parley.message.v1.PullMessagesResponse;
import io.parley.message.v1.ReadReceipt;
import io.parley.message.v1.Recall;
import io.parley.message.v1.RecallMessageRequest;
import io.parley.message.v1.RemoveReactionRequest;
import io.parley.message.v1.SendMessageRequest;
import io.parley.message.v1.SendMessageResponse;
import io.parley.message.v1.SendTypingRequest;
import io.parley.message.v1.SetPresenceVisibilityRequest;
import io.parley.message.v1.SetPresenceVisibilityResponse;
import io.parley.message.v1.SubscribeRequest;
import io.parley.message.v1.UpdateConversationSettingsRequest;
import io.parley.ratelimit.RateLimit;
import io.parley.ratelimit.RateLimiter;
import io.parley.session.Session;
import io.parley.session.Sessions;
import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code parley.message.v1.MessageService} handlers, and the rules of sending and recalling:
 * who may send where ({@link SendRights}, and mentions), who may recall what and until when, and
 * that a retried send answers the first result. Edits follow {@link MessageEdits}. Read state and conversation lists
 * follow {@link Conversations}; who may see a conversation, {@link ConversationGuard}. Every method
 * needs a session (the interceptor has checked it); expected failures are thrown as {@link
 * ParleyException}s. Thread-safe: one instance serves every call.
 */
final class MessageGrpcService extends MessageServiceGrpc.MessageServiceImplBase {
  static final int DEFAULT_PULL_LIMIT = 50;
  static final int MAX_PULL_LIMIT = 200;
  static final int DEFAULT_PAGE_SIZE = 20;
  static final int MAX_PAGE_SIZE = 100;
  /**
   * A pull stops before the message that would take its messages past this many bytes (it always
   * holds one): 200 messages of the largest kind would come near gRPC's default 4 MiB limit on what
   * a client accepts.
   */
  static final int MAX_PULL_BYTES = 1024 * 1024;
  private static final String LIST_QUERY = "ListConversations";
  private static final int RECALL_ATTEMPTS = 3;

  private final MessageStore store;
  private final MessageAppender appender;
  private final LiveEvents events;
  private final GroupDirectory groups;
  private final ConversationGuard guard;
  private final Conversations conversations;
  private final SubscriberRegistry subscribers;
  private final MessageSettings settings;
  private final RateLimiter limiter;
  private final SendRights sendRights;
  private final MessageEdits edits;
  private final Quotes quotes;
  private final MessageReactions reactions;
  private final Forwards forwards;
  private final TypingSignals typing;
  private final PersonalSettings personalSettings;
  private final PersonalHistory personalHistory;
  private final Clock clock;
  private final BeforeSendHook beforeSend;
  private final MissedEvents missed;

  /**
   * Subscribe streams opened per user, across replicas. A client opens one per device and reconnects
   * after each drop: the web client backs off from about half a second up to 15 s and starts over
   * only once a stream was {@code subscribed}, so even a few devices on a flapping network stay well
   * under a burst of 30 and a steady 30 a minute (one every 2 s), while a client reopening streams in a
   * loop is held to that rate. Counted before anything is registered: a refused open leaves nothing.
   */
  static final RateLimit SUBSCRIBE_LIMIT = RateLimit.parse("message.subscribe", "30/1m,burst=30");
  /** Watch lists longer than this are also counted against {@link #WATCH_LIMIT}. */
  static final int LARGE_WATCH_LIST = 100;
  /**
   * Subscribe streams opened per user with more than {@value #LARGE_WATCH_LIST} watched users: each
   * such open asks friend-svc and group-svc about up to {@value PresenceTracker#MAX_WATCHED} users
   * (cached for seconds only). A client needs one such stream per device and reconnect; a loop of
   * them is held to one every 10 s after a burst of 10.
   */
  static final RateLimit WATCH_LIMIT = RateLimit.parse("message.presence-watch", "6/1m,burst=10");
  /**
   * GetPresence calls per user: each asks friend-svc and group-svc about up to {@value
   * PresenceTracker#MAX_ASKED} users (cached for seconds only). A client showing a contact list
   * asks once per screen, and watches on its stream for changes; one a second is plenty.
   */
  static final RateLimit GET_PRESENCE_LIMIT = RateLimit.parse("message.presence-get", "60/1m,burst=60");
  /**
   * SetPresenceVisibility calls per user: a narrower setting is announced to every replica, which
   * re-checks the user's watchers. People change it rarely.
   */
  static final RateLimit VISIBILITY_LIMIT = RateLimit.parse("message.presence-visibility", "10/1m,burst=10");

  /** The most events of the log a resuming stream may make this replica read. */
  private static final int MAX_REPLAY_SCANNED = 100_000;
  private final PresenceTracker presence;

  MessageGrpcService(MessageStore store, MessageAppender appender, LiveEvents events, FriendDirectory friends,
      GroupDirectory groups, ConversationGuard guard, SubscriberRegistry subscribers, MessageSettings settings,
      RateLimiter limiter, Clock clock, BeforeSendHook beforeSend, PresenceTracker presence) {
    this.store = requireNonNull(store, "store");
    this.presence = requireNonNull(presence, "presence");
    this.beforeSend = requireNonNull(beforeSend, "beforeSend");
    this.appender = requireNonNull(appender, "appender");
    this.events = requireNonNull(events, "events");
    this.groups = requireNonNull(groups, "groups");
    this.guard = requireNonNull(guard, "guard");
    this.conversations = new Conversations(store, groups, guard);
    this.subscribers = requireNonNull(subscribers, "subscribers");
    this.settings = requireNonNull(settings, "settings");
    this.missed = new MissedEvents(events.log(), events.recent(), groups, limiter, MAX_REPLAY_SCANNED,
        settings.subscriberBufferSize());
    this.limiter = requireNonNull(limiter, "limiter");
    this.clock = requireNonNull(clock, "clock");
    this.sendRights = new SendRights(requireNonNull(friends, "friends"), groups, settings.allowStrangers(), clock);
    this.quotes = new Quotes(store, guard);
    this.reactions = new MessageReactions(store, appender, guard, sendRights, settings, limiter, clock);
    this.forwards = new Forwards(store, appender, guard, sendRights, settings, limiter, clock);
    this.typing = new TypingSignals(guard, sendRights, appender, limiter, clock);
    this.personalSettings = new PersonalSettings(store, appender, guard, clock);
    this.personalHistory = new PersonalHistory(store, appender, guard, clock);
    this.edits = new MessageEdits(store, appender, guard, sendRights, settings, limiter, beforeSend, clock);
  }

  /**
   * Checks the request, takes a permit of the sender's rate limit, checks the sender's right to
   * send, asks the operator's before-send hook (which may reject or rewrite it, {@link
   * BeforeSendHook}), then stores the message with the next group commit of its conversation and
   * answers once it is committed. A retry (same sender, target and client_msg_id) answers the first result, even
   * if the rules would refuse the sender now; it takes a permit too.
   */
  @Override
  public void sendMessage(SendMessageRequest request, StreamObserver<SendMessageResponse> response) {
    Session session = Sessions.current();
    String sender = session.userId();
    MessageContent content = SendRequests.validate(request, sender);
    limiter.acquire(settings.sendLimit(), sender);
    ConversationId conversation = request.hasToGroupId()
        ? ConversationId.ofGroup(request.getToGroupId())
        : ConversationId.ofUsers(sender, request.getToUserId());
    Message.Builder message = Message.newBuilder()
        .setMessageId(Ids.newId("m"))
        .setConversationId(conversation.value())
        .setSenderId(sender)
        .setClientMsgId(request.getClientMsgId())
        .setContent(content);
    try {
      if (conversation.isGroup()) {
        authorizeGroupMessage(request, conversation.groupId(), sender, message);
      } else {
        sendRights.privateChat(sender, request.getToUserId());
      }
      if (request.getReplyToSeq() > 0) {
        message.setReplyTo(quotes.quote(conversation, sender, request.getReplyToSeq()));
      }
    } catch (ParleyException denied) {
      // A retry of a send that went through before the rules changed still gets its first answer.
      Optional<Appended> earlier = store.findSend(conversation, sender, request.getClientMsgId());
      if (earlier.isEmpty()) {
        throw denied;
      }
      respond(response, conversation, earlier.get());
      return;
    }
    // The operator's before-send hook (if any) answers on another thread, within its timeout.
    String sessionId = session.sessionId();
    long sentAt = clock.millis();
    beforeSend.check(message.build(),
            rewritten -> SendRequests.validate(request.toBuilder().setContent(rewritten).build(), sender))
        .thenCompose(checked -> appender.append(new Draft(conversation, checked, sessionId, sentAt)))
        .whenComplete((result, error) -> {
          if (error != null) {
            response.onError(UnaryCalls.unwrap(error));
          } else {
            respond(response, conversation, result);
          }
        });
  }

  private static void respond(StreamObserver<SendMessageResponse> response, ConversationId conversation,
      Appended appended) {
    response.onNext(SendMessageResponse.newBuilder()
        .setMessageId(appended.messageId())
        .setConversationId(conversation.value())
        .setSeq(appended.seq())
        .setServerTime(Timestamps.fromMillis(appended.serverTimeMillis()))
        .setDuplicate(appended.duplicate())
        .build());
    response.onCompleted();
  }

  private void authorizeGroupMessage(SendMessageRequest request, String groupId, String sender,
      Message.Builder message) {
    CheckMembershipResponse membership = sendRights.groupMember(groupId, sender);
    if (request.getMentionAll() && membership.getRole() != GroupRole.ADMIN && membership.getRole() != GroupRole.OWNER) {
      throw new ParleyException(ErrorReason.MENTION_ALL_NOT_ALLOWED, "only admins and the owner may mention everyone");
    }
    if (request.getMentionUserIdsCount() > 0) {
      Set<String> members = groups.memberIds(groupId);
      Set<String> mentions = new LinkedHashSet<>(request.getMentionUserIdsList());
      ParleyException.Builder notMembers = null;
      List<String> requested = request.getMentionUserIdsList();
      for (int i = 0; i < requested.size(); i++) {
        if (!members.contains(requested.get(i))) {
          if (notMembers == null) {
            notMembers = ParleyException.builder(ErrorReason.INVALID_ARGUMENT).message("mention_user_ids: only members may be mentioned");
          }
          notMembers.violation("mention_user_ids[" + i + "]", "not a member of the group");
        }
      }
      if (notMembers != null) {
        throw notMembers.build();
      }
      message.addAllMentionUserIds(mentions);
    }
    message.setMentionAll(request.getMentionAll());
  }

  /**
   * A page of the conversation as the caller sees it. The caller's view of the conversation (what
   * they cleared or hid) is read with the page, in one round trip ({@link MessageStore#pageAfter}).
   */
  @Override
  public void pullMessages(PullMessagesRequest request, StreamObserver<PullMessagesResponse> response) {
    String me = Sessions.current().userId();
    ConversationId conversation = ConversationGuard.parse(request.getConversationId(), "conversation_id");
    if (request.getLimit() < 0) {
      throw ParleyException.invalidField("limit", "must not be negative");
    }
    int limit = request.getLimit() == 0 ? DEFAULT_PULL_LIMIT : Math.min(request.getLimit(), MAX_PULL_LIMIT);
    boolean backward = request.getAnchorCase() == PullMessagesRequest.AnchorCase.BEFORE_SEQ;
    if (backward && request.getBeforeSeq() < 1) {
      throw ParleyException.invalidField("before_seq", "must be positive");
    }
    if (!backward && request.getAfterSeq() < 0) {
      throw ParleyException.invalidField("after_seq", "must not be negative");
    }
    ConversationGuard.Admission admitted = guard.admit(conversation, me);
    MessageStore.Page page = backward
        ? store.pageBefore(me, conversation, request.getBeforeSeq(), limit, admitted.visibleFromMillis())
        : store.pageAfter(me, conversation, request.getAfterSeq(), limit, admitted.visibleFromMillis());
    ConversationAccess access = admitted.with(page.view());
    MessageSlice slice = page.slice();
    List<Message> messages = slice.messages();
    boolean hasMore = slice.hasMore();
    if (backward && access.clearedSeq() > 0) {
      int all = messages.size();
      messages = messages.stream().filter(access::sees).toList();
      hasMore &= messages.size() == all;  // below what the caller cleared there is nothing more
    }
    if (access.hidesSome() && !messages.isEmpty()) {
      Set<Long> hidden = store.hiddenOf(me, conversation, messages.stream().map(Message::getSeq).toList());
      messages = messages.stream().filter(m -> !hidden.contains(m.getSeq())).toList();
    }
    int kept = 0;
    long bytes = 0;
    while (kept < messages.size()) {
      // The message's size, plus at most 4 bytes of tag and length in the response.
      bytes += messages.get(kept).getSerializedSize() + 4;
      if (kept > 0 && bytes > MAX_PULL_BYTES) {
        break;
      }
      kept++;
    }
    response.onNext(PullMessagesResponse.newBuilder()
        .addAllMessages(reactions.withMine(conversation, me, messages.subList(0, kept)))
        .setHasMore(hasMore || kept < messages.size())
        .setLastSeq(slice.lastSeq())
        .build());
    response.onCompleted();
  }

  /**
   * The caller's conversations, newest activity first ({@link Conversations#list}). A page token is
   * the last entry returned, (activity, id).
   */
  @Override
  public void listConversations(ListConversationsRequest request, StreamObserver<ListConversationsResponse> response) {
    String me = Sessions.current().userId();
    int pageSize = PageTokens.pageSize(request.getPageSize(), DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
    Conversations.Page page = conversations.list(me, decodeCursor(request.getPageToken()), pageSize);
    ListConversationsResponse.Builder out = ListConversationsResponse.newBuilder();
    page.conversations().forEach(summary -> out.addConversations(conversation(summary, me)));
    if (page.next() != null) {
      ConversationRef last = page.next();
      out.setNextPageToken(PageTokens.encode(last.activityMillis() + ":" + last.conversation().value(), LIST_QUERY));
    }
    response.onNext(out.build());
    response.onCompleted();
  }

  private static ConversationRef decodeCursor(String pageToken) {
    String cursor = PageTokens.decode(pageToken, LIST_QUERY);
    if (cursor == null) {
      return null;
    }
    int colon = cursor.indexOf(':');
    try {
      Optional<ConversationId> conversation = ConversationId.parse(cursor.substring(colon + 1));
      if (colon > 0 && conversation.isPresent()) {
        return new ConversationRef(conversation.get(), Long.parseLong(cursor.substring(0, colon)));
      }
    } catch (NumberFormatException e) {
      // falls through to the error below
    }
    throw PageTokens.invalidToken();
  }

  private static Conversation conversation(ConversationSummary summary, String me) {
    ConversationId id = summary.conversation();
    Conversation.Builder out = Conversation.newBuilder()
        .setConversationId(id.value())
        .setType(id.type())
        .setLastSeq(summary.lastSeq())
        .setReadSeq(summary.readSeq())
        .setUnreadCount(summary.unreadCount())
        .setUpdateTime(Timestamps.fromMillis(summary.updateTimeMillis()))
        .setLastMessage(summary.lastMessage())
        .setSettings(summary.settings());
    if (id.isGroup()) {
      out.setGroupId(id.groupId());
    } else {
      out.setPeerUserId(id.peerOf(me));
    }
    return out.build();
  }

  @Override
  public void markRead(MarkReadRequest request, StreamObserver<MarkReadResponse> response) {
    Session session = Sessions.current();
    String me = session.userId();
    ConversationId conversation = ConversationGuard.parse(request.getConversationId(), "conversation_id");
    if (request.getSeq() < 1) {
      throw ParleyException.invalidField("seq", "must be positive");
    }
    ConversationAccess access = guard.open(conversation, me);
    ReadState state = conversations.markRead(access, me, request.getSeq());
    if (state.advanced()) {
      // Private: the peer's devices and the reader's other devices. Group: the reader's only.
      Event receipt = Event.newBuilder()
          .setTime(Timestamps.fromMillis(clock.millis()))
          .setReadReceipt(ReadReceipt.newBuilder()
              .setConversationId(conversation.value())
              .setUserId(me)
              .setReadSeq(state.readSeq()))
          .build();
      appender.publish(new LiveEvent(session.sessionId(), conversation.isGroup() ? me : "", receipt));
    }
    response.onNext(MarkReadResponse.newBuilder()
        .setReadSeq(state.readSeq())
        .setUnreadCount(state.unreadCount())
        .build());
    response.onCompleted();
  }

  /**
   * Recalls a message: its sender within the recall window; in a group, at any time, an admin or
   * the owner their own messages and those of anyone they outrank ({@link
   * ConversationAccess#outranks}: the owner anyone's, an admin a member's or a former member's,
   * never the owner's or another admin's), by the roles both hold now. The stored message becomes
   * a tombstone in one conditional write, which fails if it was recalled meanwhile; a message
   * recalled already answers its tombstone. Everyone online is told once the tombstone is stored.
   */
  @Override
  public void recallMessage(RecallMessageRequest request, StreamObserver<Message> response) {
    Session session = Sessions.current();
    String me = session.userId();
    ConversationId conversation = ConversationGuard.parse(request.getConversationId(), "conversation_id");
    if (request.getSeq() < 1) {
      throw ParleyException.invalidField("seq", "must be positive");
    }
    ConversationAccess access = guard.open(conversation, me);
    for (int attempt = 0; attempt < RECALL_ATTEMPTS; attempt++) {
      Message message = guard.visibleMessage(access, request.getSeq())
          .orElseThrow(() -> new ParleyException(ErrorReason.MESSAGE_NOT_FOUND, "message not found"));
      if (message.getRecalled()) {
        response.onNext(message);
        response.onCompleted();
        return;
      }
      long now = clock.millis();
      boolean own = message.getSenderId().equals(me);
      // A private chat has no roles: managesGroup() is false there, and no group is asked.
      if (!own && (!access.managesGroup() || !access.outranks(guard.roleNow(conversation, message.getSenderId())))) {
        throw new ParleyException(ErrorReason.RECALL_NOT_ALLOWED, access.managesGroup()
            ? "group admins may recall the messages of members, not those of other admins or the owner"
            : "only the sender, or a group's admins and owner, may recall a message");
      }
      if (own && !access.managesGroup()
          && now - Timestamps.toMillis(message.getServerTime()) > settings.recallWindow().toMillis()) {
        throw ParleyException.builder(ErrorReason.RECALL_WINDOW_EXPIRED)
            .message("messages can be recalled within " + settings.recallWindow().toSeconds() + " seconds of sending")
            .metadata("recall_window_seconds", Long.toString(settings.recallWindow().toSeconds()))
            .build();
      }
      Timestamp recallTime = Timestamps.fromMillis(now);
      Message tombstone = message.toBuilder()
          .clearContent()
          .clearReplyTo()
          .clearForwardedFrom()
          .clearReactions()
          .clearMentionUserIds()
          .clearMentionAll()
          .setRecalled(true)
          .setRecallTime(recallTime)
          .setRecalledBy(me)
          .build();
      Event recall = Event.newBuilder()
          .setTime(recallTime)
          .setRecall(Recall.newBuilder()
              .setConversationId(conversation.value())
              .setSeq(message.getSeq())
              .setMessageId(message.getMessageId())
              .setRecalledBy(me))
          .build();
      if (store.recall(conversation, tombstone)) {
        appender.publish(new LiveEvent(session.sessionId(), "", recall));
        response.onNext(tombstone);
        response.onCompleted();
        return;
      }
    }
    throw new ParleyException(ErrorReason.ABORTED, "the message changed meanwhile: retry");
  }

  /** Edits a message: the rules are {@link MessageEdits#edit}'s. */
  @Override
  public void editMessage(EditMessageRequest request, StreamObserver<Message> response) {
    response.onNext(edits.edit(Sessions.current(), request));
    response.onCompleted();
  }

  @Override
  public void listMessageVersions(ListMessageVersionsRequest request,
      StreamObserver<ListMessageVersionsResponse> response) {
    response.onNext(edits.versions(Sessions.current().userId(), request));
    response.onCompleted();
  }

  /** Forwards messages: the rules are {@link Forwards#forward}'s. */
  @Override
  public void forwardMessages(ForwardMessagesRequest request, StreamObserver<ForwardMessagesResponse> response) {
    forwards.forward(Sessions.current(), request).whenComplete((result, error) -> {
      if (error != null) {
        response.onError(UnaryCalls.unwrap(error));
      } else {
        response.onNext(result);
        response.onCompleted();
      }
    });
  }

  /** Deletes messages for the caller only: {@link PersonalHistory#delete}. */
  @Override
  public void deleteMessagesForMe(DeleteMessagesForMeRequest request,
      StreamObserver<DeleteMessagesForMeResponse> response) {
    response.onNext(personalHistory.delete(Sessions.current(), request));
    response.onCompleted();
  }

  /** Clears a conversation's history for the caller only: {@link PersonalHistory#clear}. */
  @Override
  public void clearHistoryForMe(ClearHistoryForMeRequest request, StreamObserver<ClearHistoryForMeResponse> response) {
    response.onNext(personalHistory.clear(Sessions.current(), request.getConversationId()));
    response.onCompleted();
  }

  /** Changes the caller's settings of a conversation: the rules are {@link PersonalSettings#update}'s. */
  @Override
  public void updateConversationSettings(UpdateConversationSettingsRequest request,
      StreamObserver<ConversationSettings> response) {
    response.onNext(personalSettings.update(Sessions.current(), request));
    response.onCompleted();
  }

  /** The caller's badge: {@link Conversations#badge}. */
  @Override
  public void getBadge(GetBadgeRequest request, StreamObserver<Badge> response) {
    response.onNext(conversations.badge(Sessions.current().userId(), clock.millis()));
    response.onCompleted();
  }

  /** Passes a typing signal on: the rules are {@link TypingSignals#typing}'s. */
  @Override
  public void sendTyping(SendTypingRequest request, StreamObserver<Empty> response) {
    typing.typing(Sessions.current(), request.getConversationId());
    response.onNext(Empty.getDefaultInstance());
    response.onCompleted();
  }

  /** Adds a reaction: the rules are {@link MessageReactions#react}'s. */
  @Override
  public void addReaction(AddReactionRequest request, StreamObserver<Message> response) {
    response.onNext(reactions.react(Sessions.current(), request.getConversationId(), request.getSeq(),
        request.getEmoji(), true));
    response.onCompleted();
  }

  @Override
  public void removeReaction(RemoveReactionRequest request, StreamObserver<Message> response) {
    response.onNext(reactions.react(Sessions.current(), request.getConversationId(), request.getSeq(),
        request.getEmoji(), false));
    response.onCompleted();
  }

  /**
   * The presence of users the caller may see: the rules are {@link PresenceTracker#get}'s; limited
   * by {@link #GET_PRESENCE_LIMIT}.
   */
  @Override
  public void getPresence(GetPresenceRequest request, StreamObserver<GetPresenceResponse> response) {
    String me = Sessions.current().userId();
    Set<String> asked = PresenceTracker.askedUsers(request.getUserIdsList());
    limiter.acquire(GET_PRESENCE_LIMIT, me);
    response.onNext(presence.get(me, asked));
    response.onCompleted();
  }

  /** Stores the caller's presence visibility ({@link PresenceTracker#setVisibility}); limited by {@link #VISIBILITY_LIMIT}. */
  @Override
  public void setPresenceVisibility(SetPresenceVisibilityRequest request,
      StreamObserver<SetPresenceVisibilityResponse> response) {
    String me = Sessions.current().userId();
    PresenceTracker.checkVisibility(request.getVisibility());
    limiter.acquire(VISIBILITY_LIMIT, me);
    response.onNext(SetPresenceVisibilityResponse.newBuilder()
        .setVisibility(presence.setVisibility(me, request.getVisibility()))
        .build());
    response.onCompleted();
  }

  /**
   * Opens the caller's live stream. Once {@code subscribed} arrives, every event that happens from
   * then on reaches this stream (until it ends); a client subscribes first, then pulls each
   * conversation from its last seen seq, and ignores pushed messages it already has (by seq). With
   * a cursor, the stream resumes: the events missed since then come first ({@link MissedEvents}).
   * Fails UNAVAILABLE (STORE_UNAVAILABLE) while this replica cannot hear live events, and
   * INVALID_ARGUMENT (INVALID_CURSOR) for a cursor it did not write, and RESOURCE_EXHAUSTED
   * (RATE_LIMITED, with RetryInfo and the limit's name) beyond {@link #SUBSCRIBE_LIMIT}, or {@link
   * #WATCH_LIMIT} for a long watch list; a refused stream registers nothing (no subscriber, presence
   * lease or watch). While it is open, the session is online ({@link PresenceTracker}).
   */
  @Override
  public void subscribe(SubscribeRequest request, StreamObserver<Event> response) {
    Session session = Sessions.current();
    StreamCursor cursor = request.getCursor().isEmpty() ? null : StreamCursor.decode(request.getCursor());
    if (!events.isListening()) {
      throw new ParleyException(ErrorReason.STORE_UNAVAILABLE, "live events are unavailable: retry");
    }
    List<String> watched = PresenceTracker.watchList(request.getPresenceUserIdsList());
    if (watched.size() > LARGE_WATCH_LIST) {
      limiter.acquireBoth(SUBSCRIBE_LIMIT, WATCH_LIMIT, session.userId());
    } else {
      limiter.acquire(SUBSCRIBE_LIMIT, session.userId());
    }
    ServerCallStreamObserver<Event> observer = (ServerCallStreamObserver<Event>) response;
    Subscriber stream = cursor == null
        ? subscribers.open(session.userId(), session.sessionId(), observer)
        : subscribers.resume(session.userId(), session.sessionId(), observer, cursor, missed);
    presence.opened(session, stream, watched);
  }
}
