-- The earlier versions of edited messages: one row per edit, holding the content that the edit
-- replaced (a parley.message.v1.MessageContent), numbered from 0 (the content as sent). Distributed
-- by conversation_id, co-located with message. A recall deletes a message's versions; retention,
-- deleting the message, deletes them by the cascade.
CREATE TABLE message_version (
    conversation_id text        NOT NULL,
    seq             bigint      NOT NULL,
    version         integer     NOT NULL,
    content         bytea       NOT NULL,
    create_time     timestamptz NOT NULL,
    PRIMARY KEY (conversation_id, seq, version),
    FOREIGN KEY (conversation_id, seq) REFERENCES message (conversation_id, seq) ON DELETE CASCADE
);
