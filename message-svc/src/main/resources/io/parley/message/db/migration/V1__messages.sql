-- message-svc's store of record. Tables are keyed so that they can be distributed (e.g. by Citus):
-- conversation and message by conversation_id (co-located), reader and user_conversation by user_id.
-- Every unique constraint contains its table's distribution column.

-- One row per conversation with any message: the seq counter. A send locks it (SELECT ... FOR
-- UPDATE), inserts its messages and moves last_seq in one transaction, so seqs are gapless.
-- Updated on every send batch: leave room on each page for HOT updates.
CREATE TABLE conversation (
    conversation_id text        NOT NULL PRIMARY KEY,
    last_seq        bigint      NOT NULL,
    last_time       timestamptz NOT NULL
) WITH (fillfactor = 70);

-- Every message, once per conversation (groups included). payload is the parley.message.v1.Message
-- protobuf without the fields kept in columns (content, mentions and, once recalled, the recall).
CREATE TABLE message (
    conversation_id text        NOT NULL,
    seq             bigint      NOT NULL,
    message_id      text        NOT NULL,
    sender_id       text        NOT NULL,
    client_msg_id   text        NOT NULL,
    server_time     timestamptz NOT NULL,
    recalled        boolean     NOT NULL DEFAULT false,
    payload         bytea       NOT NULL,
    PRIMARY KEY (conversation_id, seq),
    -- A retried send is found, exactly and for good, whichever replica it reaches.
    CONSTRAINT message_client_msg_id UNIQUE (conversation_id, sender_id, client_msg_id)
);

-- The first seq at or after a time: a group member's join point, the retention cutoff. Server
-- times never decrease along a conversation's seqs.
CREATE INDEX message_time ON message (conversation_id, server_time, seq);

-- A user's own messages after their read seq, which never count as unread: an index-only count.
CREATE INDEX message_sender ON message (conversation_id, sender_id, seq);

-- Each user's read seq per conversation, kept by the user. Updated by MarkRead, and by a send when
-- the sender had read everything before it.
CREATE TABLE reader (
    user_id         text   NOT NULL,
    conversation_id text   NOT NULL,
    read_seq        bigint NOT NULL,
    PRIMARY KEY (user_id, conversation_id)
);

-- The private conversations of each user, written for both participants with the first message.
-- (A user's groups come from group-svc.)
CREATE TABLE user_conversation (
    user_id         text NOT NULL,
    conversation_id text NOT NULL,
    PRIMARY KEY (user_id, conversation_id)
);
