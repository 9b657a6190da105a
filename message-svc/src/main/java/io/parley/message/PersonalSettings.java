package io.parley.message;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.util.Timestamps;
import io.parley.common.v1.ErrorReason;
import io.parley.error.ParleyException;
import io.parley.message.store.ConversationId;
import io.parley.message.store.MessageStore;
import io.parley.message.v1.ConversationSettings;
import io.parley.message.v1.Event;
import io.parley.message.v1.SettingsChanged;
import io.parley.message.v1.UpdateConversationSettingsRequest;
import io.parley.session.Session;
import java.time.Clock;
import java.util.List;
import java.util.Set;

/**
 * Each user's own settings of their conversations (pin, mute, archive): written by the user for
 * themselves only, and told to their other devices. Thread-safe.
 */
final class PersonalSettings {
  /** How many conversations one user may pin. */
  static final int MAX_PINNED = 20;
  private static final Set<String> PATHS = Set.of("pinned", "mute_until", "archived");

  private final MessageStore store;
  private final MessageAppender appender;
  private final ConversationGuard guard;
  private final Clock clock;

  PersonalSettings(MessageStore store, MessageAppender appender, ConversationGuard guard, Clock clock) {
    this.store = requireNonNull(store, "store");
    this.appender = requireNonNull(appender, "appender");
    this.guard = requireNonNull(guard, "guard");
    this.clock = requireNonNull(clock, "clock");
  }

  /**
   * Writes the fields of the request's settings that its mask names (all when it is empty) over
   * the user's current ones, and tells the user's other devices. Refusals, in order:
   * INVALID_ARGUMENT (id, mask), CONVERSATION_NOT_FOUND, CONVERSATION_PIN_LIMIT.
   *
   * @return the settings as stored now
   */
  ConversationSettings update(Session session, UpdateConversationSettingsRequest request) {
    String me = session.userId();
    ConversationId conversation = ConversationGuard.parse(request.getConversationId(), "conversation_id");
    List<String> paths = request.getUpdateMask().getPathsList();
    for (String path : paths) {
      if (!PATHS.contains(path)) {
        throw ParleyException.invalidField("update_mask", "unknown path '" + path + "': use pinned, mute_until, archived");
      }
    }
    ConversationSettings wanted = request.getSettings();
    if (wanted.hasMuteUntil() && !Timestamps.isValid(wanted.getMuteUntil())) {
      throw ParleyException.invalidField("settings.mute_until", "not a valid time");
    }
    ConversationSettings.Builder merged = guard.open(conversation, me).view().settings().toBuilder();
    if (paths.isEmpty() || paths.contains("pinned")) {
      merged.setPinned(wanted.getPinned());
    }
    if (paths.isEmpty() || paths.contains("mute_until")) {
      if (wanted.hasMuteUntil() && Timestamps.toMillis(wanted.getMuteUntil()) > clock.millis()) {
        merged.setMuteUntil(wanted.getMuteUntil());
      } else {
        merged.clearMuteUntil();  // a time past is no mute
      }
    }
    if (paths.isEmpty() || paths.contains("archived")) {
      merged.setArchived(wanted.getArchived());
    }
    ConversationSettings settings = merged.build();
    if (!store.saveSettings(me, conversation, settings, clock.millis(), MAX_PINNED)) {
      throw ParleyException.builder(ErrorReason.CONVERSATION_PIN_LIMIT)
          .message("you can pin at most " + MAX_PINNED + " conversations: unpin one first")
          .metadata("limit", Integer.toString(MAX_PINNED))
          .build();
    }
    appender.publish(new LiveEvent(session.sessionId(), me, Event.newBuilder()
        .setTime(Timestamps.fromMillis(clock.millis()))
        .setSettingsChanged(SettingsChanged.newBuilder()
            .setConversationId(conversation.value())
            .setSettings(settings))
        .build()));
    return settings;
  }
}
