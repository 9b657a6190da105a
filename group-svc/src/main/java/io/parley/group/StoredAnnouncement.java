package io.parley.group;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.util.Timestamps;
import io.parley.group.v1.Announcement;

/**
 * A group's announcement as a {@link GroupStore} keeps it. Immutable.
 *
 * @param text not empty (an empty announcement is none)
 * @param updatedBy the user id of the admin or owner who set it
 * @param updatedMs when it was set, epoch milliseconds
 */
record StoredAnnouncement(String text, String updatedBy, long updatedMs) {
  StoredAnnouncement {
    requireNonNull(text, "text");
    requireNonNull(updatedBy, "updatedBy");
    if (text.isEmpty()) {
      throw new IllegalArgumentException("an announcement has a text");
    }
  }

  Announcement toAnnouncement() {
    return Announcement.newBuilder()
        .setText(text)
        .setUpdatedBy(updatedBy)
        .setUpdateTime(Timestamps.fromMillis(updatedMs))
        .build();
  }
}
