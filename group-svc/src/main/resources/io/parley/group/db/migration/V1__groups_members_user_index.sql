-- group-svc's store of record, in schema parley_group (set by Database.open).
--
-- Distribution (Citus-ready): chat_group and member are distributed by group_id and co-located, so
-- a change to a group, CheckMembership and ListMemberIds stay on one shard; user_group is
-- distributed by user_id, so a user's groups are one indexed query on one shard. Every unique
-- constraint contains its table's distribution column. Ids compare bytewise (COLLATE "C"), the
-- order the page cursors assume.

CREATE TABLE chat_group (
  group_id        text COLLATE "C" PRIMARY KEY,
  name            text        NOT NULL,
  notice          text        NOT NULL,
  avatar_url      text        NOT NULL,
  join_policy     smallint    NOT NULL,
  owner_id        text COLLATE "C" NOT NULL,
  member_count    integer     NOT NULL CHECK (member_count >= 1),
  max_members     integer     NOT NULL CHECK (member_count <= max_members),
  create_time     timestamptz NOT NULL,
  update_time     timestamptz NOT NULL,
  -- The latest join time handed out in this group: the next is at least one millisecond later.
  last_join_time  timestamptz NOT NULL
);

CREATE TABLE member (
  group_id    text COLLATE "C" NOT NULL REFERENCES chat_group (group_id),
  user_id     text COLLATE "C" NOT NULL,
  role        smallint    NOT NULL,
  join_time   timestamptz NOT NULL,
  mute_until  timestamptz,
  PRIMARY KEY (group_id, user_id),
  -- Join times are distinct within a group: they order the members and are the page cursor.
  CONSTRAINT member_join_time_unique UNIQUE (group_id, join_time)
);

-- Each user's groups, written in the same transaction as member.
CREATE TABLE user_group (
  user_id    text COLLATE "C" NOT NULL,
  group_id   text COLLATE "C" NOT NULL,
  join_time  timestamptz NOT NULL,
  role       smallint    NOT NULL,
  PRIMARY KEY (user_id, group_id)
);

CREATE INDEX user_group_by_join_time ON user_group (user_id, join_time DESC, group_id DESC) INCLUDE (role);
