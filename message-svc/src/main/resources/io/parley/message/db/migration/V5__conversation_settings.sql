-- Each user's own settings of a conversation (pin, mute, archive), kept by the user: a row only
-- once a setting was changed. Distributed by user_id, like reader.
CREATE TABLE conversation_setting (
    user_id         text        NOT NULL,
    conversation_id text        NOT NULL,
    -- When the user pinned it; null when not pinned.
    pinned_time     timestamptz,
    mute_until      timestamptz,
    archived        boolean     NOT NULL DEFAULT false,
    PRIMARY KEY (user_id, conversation_id)
);

-- A user's pinned conversations, most recently pinned first: the head of ListConversations.
CREATE INDEX conversation_setting_pinned ON conversation_setting (user_id, pinned_time DESC)
    WHERE pinned_time IS NOT NULL;
