-- Who reacted to which message with which emoji. The counts live in the message's payload, moved
-- in the same transaction as these rows, so that a pull reads them for free; these rows answer
-- "mine" and make an add or a remove exact. Distributed by conversation_id, co-located with
-- message; the key leads with the message and the user, so a pull's "mine" is one probe per
-- message that has reactions. A recall deletes them; retention by the cascade.
CREATE TABLE message_reaction (
    conversation_id text        NOT NULL,
    seq             bigint      NOT NULL,
    user_id         text        NOT NULL,
    emoji           text        NOT NULL,
    create_time     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (conversation_id, seq, user_id, emoji),
    FOREIGN KEY (conversation_id, seq) REFERENCES message (conversation_id, seq) ON DELETE CASCADE
);
