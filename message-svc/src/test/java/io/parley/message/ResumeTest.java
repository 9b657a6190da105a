package io.parley.message;

import static io.parley.message.Errors.assertStatus;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.parley.common.v1.ErrorReason;
import io.parley.common.v1.Terminal;
import io.parley.events.EventLog.EntryId;
import io.parley.group.v1.GroupRole;
import io.parley.message.v1.AddReactionRequest;
import io.parley.message.v1.EditMessageRequest;
import io.parley.message.v1.Event;
import io.parley.message.v1.MessageContent;
import io.parley.message.v1.ResumeOutcome;
import io.parley.message.v1.SendMessageResponse;
import io.parley.message.v1.TextContent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A Subscribe stream resumed from the cursor of the last event a client received. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ResumeTest {
  private static final Duration SHORT_WINDOW = Duration.ofMillis(300);

  @RegisterExtension
  static final MessageRig rig = MessageRig.start();

  @RegisterExtension
  static final MessageRig shortWindow = MessageRig.start(MessageRig.settings().withResumeWindow(SHORT_WINDOW));

  /** What an event is about, for comparing streams: kind, seq and text. */
  private static String describe(Event event) {
    return switch (event.getKindCase()) {
      case MESSAGE -> "message " + event.getMessage().getSeq() + " " + event.getMessage().getContent().getText().getText();
      case EDIT -> "edit " + event.getEdit().getSeq();
      case REACTION -> "reaction " + event.getReaction().getSeq() + " " + event.getReaction().getEmoji();
      case SUBSCRIBED -> "subscribed " + event.getSubscribed().getResume();
      default -> event.getKindCase().toString();
    };
  }

  /** Reads events until one about a message with {@code lastText}; returns all of them, described. */
  private static List<String> readUntil(EventStream stream, String lastText) {
    List<String> seen = new ArrayList<>();
    while (true) {
      Event event = stream.next();
      assertThat(event.getCursor()).as("every event has a cursor: %s", event).isNotEmpty();
      seen.add(describe(event));
      if (event.hasMessage() && event.getMessage().getContent().getText().getText().equals(lastText)) {
        return seen;
      }
    }
  }

  @Test
  void aResumedStreamGetsExactlyWhatItMissedThenLiveEvents() {
    User[] pair = rig.friendsPair();
    User alice = pair[0];
    User bob = pair[1];
    User bobPhone = rig.login(bob.id(), Terminal.MOBILE);
    User[] others = rig.friendsPair();
    EventStream first = EventStream.subscribed(rig.asyncAs(bob));
    SendMessageResponse hello = rig.sendTo(alice, bob, "hello");
    Event received = first.next();
    assertThat(received.getMessage().getMessageId()).isEqualTo(hello.getMessageId());
    String cursor = received.getCursor();
    first.cancel();

    // While bob's web session is away: what concerns him, what does not, and what he did himself.
    rig.sendTo(alice, bob, "one");
    rig.sendTo(others[0], others[1], "not for bob");
    rig.sendTo(bob, alice, "from bob's web session");
    rig.sendTo(bobPhone, alice, "from bob's phone");
    rig.as(alice).editMessage(EditMessageRequest.newBuilder().setConversationId(hello.getConversationId()).setSeq(1)
        .setContent(MessageContent.newBuilder().setText(TextContent.newBuilder().setText("hello!"))).build());
    rig.as(alice).addReaction(AddReactionRequest.newBuilder().setConversationId(hello.getConversationId()).setSeq(1)
        .setEmoji("👍").build());

    EventStream resumed = EventStream.resume(rig.asyncAs(bob), cursor);
    try {
      assertThat(describe(resumed.next())).isEqualTo("subscribed RESUME_OUTCOME_RESUMED");
      rig.sendTo(alice, bob, "live");
      assertThat(readUntil(resumed, "live")).containsExactly(
          "message 2 one", "message 4 from bob's phone", "edit 1", "reaction 1 👍", "message 5 live");
    } finally {
      resumed.cancel();
    }

    EventStream again = EventStream.resume(rig.asyncAs(bob), cursor);
    try {
      assertThat(describe(again.next())).as("a cursor may be used again").isEqualTo("subscribed RESUME_OUTCOME_RESUMED");
      assertThat(readUntil(again, "live")).containsExactly(
          "message 2 one", "message 4 from bob's phone", "edit 1", "reaction 1 👍", "message 5 live");
    } finally {
      again.cancel();
    }
  }

  @Test
  void resumingFromTheLastEventOfAResumedStreamMissesNothingAndRepeatsNothing() {
    User[] pair = rig.friendsPair();
    String group = rig.groups().create(pair[0].id());
    rig.groups().add(group, pair[1].id(), GroupRole.MEMBER);
    EventStream stream = EventStream.subscribed(rig.asyncAs(pair[1]));
    String cursor = null;
    List<String> all = new ArrayList<>();
    for (int round = 0; round < 5; round++) {
      for (int i = 0; i < 3; i++) {
        rig.sendToGroup(pair[0], group, "g" + round + "." + i);
        rig.sendTo(pair[0], pair[1], "p" + round + "." + i);
      }
      // Read part of what came, then drop the stream and resume from the last event read.
      for (int i = 0; i < 2; i++) {
        Event event = stream.next();
        all.add(event.getMessage().getContent().getText().getText());
        cursor = event.getCursor();
      }
      stream.cancel();
      stream = EventStream.resume(rig.asyncAs(pair[1]), cursor);
      assertThat(stream.next().getSubscribed().getResume()).isEqualTo(ResumeOutcome.RESUME_OUTCOME_RESUMED);
    }
    try {
      rig.sendTo(pair[0], pair[1], "end");
      while (true) {
        String text = stream.next().getMessage().getContent().getText().getText();
        all.add(text);
        if (text.equals("end")) {
          break;
        }
      }
    } finally {
      stream.cancel();
    }
    // Each conversation's events come in order; the two conversations' may interleave either way
    // (a group's first events wait for its member list while private events go on).
    List<String> inGroup = new ArrayList<>();
    List<String> direct = new ArrayList<>();
    for (int round = 0; round < 5; round++) {
      for (int i = 0; i < 3; i++) {
        inGroup.add("g" + round + "." + i);
        direct.add("p" + round + "." + i);
      }
    }
    direct.add("end");
    assertThat(all).as("nothing missed, nothing repeated").hasSize(inGroup.size() + direct.size());
    assertThat(all.stream().filter(text -> text.startsWith("g"))).containsExactlyElementsOf(inGroup);
    assertThat(all.stream().filter(text -> !text.startsWith("g"))).containsExactlyElementsOf(direct);
  }

  @Test
  void aCursorOlderThanTheWindowIsToldToPullAndLiveEventsFollow() {
    User[] pair = shortWindow.friendsPair();
    EventStream first = EventStream.subscribed(shortWindow.asyncAs(pair[1]));
    shortWindow.sendTo(pair[0], pair[1], "before");
    String cursor = first.next().getCursor();
    first.cancel();
    shortWindow.sendTo(pair[0], pair[1], "missed");

    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    EventStream resumed;
    while (true) {
      resumed = EventStream.resume(shortWindow.asyncAs(pair[1]), cursor);
      Event subscribed = resumed.next();
      if (subscribed.getSubscribed().getResume() == ResumeOutcome.RESUME_OUTCOME_TOO_OLD) {
        break;
      }
      resumed.cancel();
      assertThat(System.nanoTime()).as("the cursor grows too old").isLessThan(deadline);
      Event replayed = resumed.poll(SHORT_WINDOW);
      assertThat(replayed == null || replayed.getMessage().getContent().getText().getText().equals("missed")).isTrue();
    }
    try {
      shortWindow.sendTo(pair[0], pair[1], "after");
      assertThat(resumed.next().getMessage().getContent().getText().getText())
          .as("nothing replayed, live events follow").isEqualTo("after");
    } finally {
      resumed.cancel();
    }
  }

  @Test
  void aUserWhoResumesTooOftenIsToldToPull() {
    User[] pair = rig.friendsPair();
    EventStream first = EventStream.subscribed(rig.asyncAs(pair[1]));
    rig.sendTo(pair[0], pair[1], "one");
    String cursor = first.next().getCursor();
    first.cancel();

    List<ResumeOutcome> outcomes = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      EventStream resumed = EventStream.resume(rig.asyncAs(pair[1]), cursor);
      outcomes.add(resumed.next().getSubscribed().getResume());
      resumed.cancel();
    }
    assertThat(outcomes.subList(0, 20)).as("a burst of resumes is served").containsOnly(ResumeOutcome.RESUME_OUTCOME_RESUMED);
    assertThat(outcomes.subList(20, 25)).as("then the stream is told to pull (%s)", MissedEvents.LIMIT)
        .contains(ResumeOutcome.RESUME_OUTCOME_TOO_OLD);
  }

  @Test
  void aCursorOfAnotherLogIsToldToPull() {
    User user = rig.user();
    String foreign = new StreamCursor("another-log", new LogPosition(new EntryId(1, 0), 0), new TreeSet<>()).encode();
    EventStream resumed = EventStream.resume(rig.asyncAs(user), foreign);
    try {
      assertThat(resumed.next().getSubscribed().getResume()).isEqualTo(ResumeOutcome.RESUME_OUTCOME_TOO_OLD);
    } finally {
      resumed.cancel();
    }
  }

  @Test
  void aCursorThisServerDidNotWriteFailsInvalidArgument() {
    User user = rig.user();
    for (String cursor : List.of("not-a-cursor", "MXxlcHxub3QtYS1wb3NpdGlvbnw", "x".repeat(StreamCursor.MAX_LENGTH + 1))) {
      assertStatus(EventStream.resume(rig.asyncAs(user), cursor).awaitEnd(), Status.Code.INVALID_ARGUMENT,
          ErrorReason.INVALID_CURSOR);
    }
  }
}
