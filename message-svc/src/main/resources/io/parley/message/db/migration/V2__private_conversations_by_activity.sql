-- ListConversations reads a page of a user's private conversations, newest activity first, from an
-- index, rather than every private conversation the user ever had. Each send batch moves the time
-- of its private conversations' two rows (one upsert per user and conversation, in the batch's
-- statement). Groups are listed from group-svc's memberships and the conversation table.
ALTER TABLE user_conversation ADD COLUMN last_time timestamptz NOT NULL DEFAULT timestamptz 'epoch';

UPDATE user_conversation u SET last_time = c.last_time
FROM conversation c WHERE c.conversation_id = u.conversation_id;

-- Ids compare bytewise (COLLATE "C"), as the page cursor does, whatever the database's collation.
CREATE INDEX user_conversation_by_activity
    ON user_conversation (user_id, last_time DESC, conversation_id COLLATE "C" DESC);
