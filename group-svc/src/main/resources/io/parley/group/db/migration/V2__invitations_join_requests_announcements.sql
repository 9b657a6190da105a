-- Consent and group features (issues #13, #14): invitations the invitee accepts, join requests to
-- APPROVAL groups, announcements, and what the per-user limits count.
--
-- Distribution (Citus-ready), as in V1: join_request is a group's row, distributed by group_id and
-- co-located with chat_group (admins list a group's requests); invitation is distributed by
-- invitee_id, like user_group, since what is read and counted on every invitation is the
-- invitee's pending invitations across groups; user_lock is distributed by user_id. Every unique
-- constraint contains its table's distribution column. A user's pending join requests (counted
-- when the user asks to join) and a group's pending invitations (listed by its admins) are the
-- reads that cross shards; neither is on a hot path.

-- The announcement: all three set, or none.
ALTER TABLE chat_group
  ADD COLUMN announcement       text,
  ADD COLUMN announcement_by    text COLLATE "C",
  ADD COLUMN announcement_time  timestamptz,
  ADD CONSTRAINT chat_group_announcement_whole CHECK (
    (announcement IS NULL AND announcement_by IS NULL AND announcement_time IS NULL)
    OR (announcement <> '' AND announcement_by IS NOT NULL AND announcement_time IS NOT NULL));

-- An invitation is pending while decline_time is null. A declined one stays, as the mark that keeps
-- the group from inviting the user again too soon, until the group invites the user again, the
-- user becomes a member, or the group is dismissed. An accepted or cancelled one is deleted.
CREATE TABLE invitation (
  invitee_id    text COLLATE "C" NOT NULL,
  group_id      text COLLATE "C" NOT NULL,
  inviter_id    text COLLATE "C" NOT NULL,
  create_time   timestamptz NOT NULL,
  decline_time  timestamptz,
  PRIMARY KEY (invitee_id, group_id)
);

CREATE INDEX invitation_pending_by_invitee ON invitation (invitee_id, create_time DESC, group_id DESC)
  WHERE decline_time IS NULL;
CREATE INDEX invitation_by_group ON invitation (group_id, create_time DESC, invitee_id DESC)
  WHERE decline_time IS NULL;
CREATE INDEX invitation_all_by_group ON invitation (group_id);

-- A join request is pending while reject_time is null; a rejected one stays as the mark that keeps
-- the user from asking again too soon. An approved or withdrawn one is deleted.
CREATE TABLE join_request (
  group_id     text COLLATE "C" NOT NULL REFERENCES chat_group (group_id),
  user_id      text COLLATE "C" NOT NULL,
  message      text        NOT NULL,
  create_time  timestamptz NOT NULL,
  reject_time  timestamptz,
  PRIMARY KEY (group_id, user_id)
);

CREATE INDEX join_request_pending_by_group ON join_request (group_id, create_time DESC, user_id DESC)
  WHERE reject_time IS NULL;
CREATE INDEX join_request_pending_by_user ON join_request (user_id, create_time DESC, group_id DESC)
  WHERE reject_time IS NULL;

-- One row per user whose per-user limits a change has checked: changes that may raise what a user
-- holds (groups owned, pending invitations, pending join requests) lock it, so they serialize.
CREATE TABLE user_lock (
  user_id  text COLLATE "C" PRIMARY KEY
);

-- The groups a user owns (role 3 = OWNER), counted against the limit of owned groups.
CREATE INDEX user_group_owned ON user_group (user_id) WHERE role = 3;

-- The owner and admins of a group (roles 3 and 2): whom group events about requests are told.
CREATE INDEX member_staff ON member (group_id, role DESC, join_time) WHERE role >= 2;
