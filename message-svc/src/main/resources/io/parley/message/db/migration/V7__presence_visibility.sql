-- Who may see a user's presence (parley.message.v1.PresenceVisibility: 1 friends and fellow group
-- members, 2 friends, 3 nobody); a row only once the user chose. Presence itself is a signal kept
-- in Redis, never here. Distributed by user_id.
CREATE TABLE presence_setting (
    user_id     text     COLLATE "C" PRIMARY KEY,
    visibility  smallint NOT NULL CHECK (visibility BETWEEN 1 AND 3)
);
