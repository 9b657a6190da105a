package io.parley.message.presence;

class MemoryPresenceSettingsTest extends PresenceSettingsContract {
  private final PresenceSettings settings = new MemoryPresenceSettings();

  @Override
  PresenceSettings settings() {
    return settings;
  }
}
