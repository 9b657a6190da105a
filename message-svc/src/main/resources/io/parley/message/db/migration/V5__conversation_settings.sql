-- Each user's own view of a conversation: their settings (pin, mute, archive), where they cleared
-- its history and how many of its messages they deleted for themselves; a row only once one of
-- these changed. Distributed by user_id, like reader.
CREATE TABLE conversation_setting (
    user_id         text        NOT NULL,
    conversation_id text        NOT NULL,
    -- When the user pinned it; null when not pinned.
    pinned_time     timestamptz,
    mute_until      timestamptz,
    archived        boolean     NOT NULL DEFAULT false,
    -- The user cleared the history up to and including this seq (ClearHistoryForMe).
    cleared_seq     bigint      NOT NULL DEFAULT 0,
    -- Messages the user deleted for themselves (hidden_message rows); 0 spares reads the lookup.
    hidden_count    integer     NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, conversation_id)
);

-- A user's pinned conversations, most recently pinned first: the head of ListConversations.
CREATE INDEX conversation_setting_pinned ON conversation_setting (user_id, pinned_time DESC)
    WHERE pinned_time IS NOT NULL;

-- The messages each user deleted for themselves (DeleteMessagesForMe). Distributed by
-- conversation_id, co-located with message, whose deletion (retention) takes them along.
CREATE TABLE hidden_message (
    conversation_id text   NOT NULL,
    seq             bigint NOT NULL,
    user_id         text   NOT NULL,
    PRIMARY KEY (conversation_id, user_id, seq),
    FOREIGN KEY (conversation_id, seq) REFERENCES message (conversation_id, seq) ON DELETE CASCADE
);
