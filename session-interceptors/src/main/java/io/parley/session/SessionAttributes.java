package io.parley.session;

import io.parley.session.v1.SessionRecord;
import java.util.Map;

/** Applies attribute changes (a null value removes the key) to a session record. */
final class SessionAttributes {
  private SessionAttributes() {}

  static SessionRecord apply(SessionRecord record, Map<String, String> changes) {
    SessionRecord.Builder builder = record.toBuilder();
    changes.forEach((key, value) -> {
      if (value == null) {
        builder.removeAttributes(key);
      } else {
        builder.putAttributes(key, value);
      }
    });
    return builder.build();
  }
}
