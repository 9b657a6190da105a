-- Relations of friend-svc, in the schema parley_friend (the search path; Database.open sets it).
--
-- Distribution (Citus-ready): both tables by user_id. Everything between two users is stored twice,
-- once in each user's rows, so that every read is by one user: CheckRelation reads one row, a user's
-- lists read that user's rows only. Both rows of a pair are locked and written in one transaction
-- (the smaller user id's row first), so they always agree.
--
-- Ids use the "C" collation (byte order), the order of ListCursor's keys.

CREATE TABLE relation (
  user_id            text COLLATE "C" NOT NULL,
  peer_id            text COLLATE "C" NOT NULL,
  -- When the two became friends; null if they are not. Equal in both rows.
  friends_since      timestamptz,
  -- user_id's remark for peer_id, while they are friends; '' for none.
  remark             text NOT NULL DEFAULT '',
  -- When user_id began blocking peer_id; null if user_id does not block peer_id.
  blocking_since     timestamptz,
  -- Whether peer_id blocks user_id: the peer row's blocking_since is not null.
  peer_blocks        boolean NOT NULL DEFAULT false,
  -- The pending request between the two, if any. Equal in both rows.
  pending_request_id text COLLATE "C",
  PRIMARY KEY (user_id, peer_id),
  CHECK (user_id <> peer_id)
);

-- ListFriends and ListBlockedUsers: newest first, keyset-paged by (time, peer_id).
CREATE INDEX relation_friends ON relation (user_id, friends_since, peer_id) WHERE friends_since IS NOT NULL;
CREATE INDEX relation_blocking ON relation (user_id, blocking_since, peer_id) WHERE blocking_since IS NOT NULL;

-- Each request twice, as its sender (incoming = false) and its addressee (incoming = true) see it.
CREATE TABLE friend_request (
  user_id     text COLLATE "C" NOT NULL,
  request_id  text COLLATE "C" NOT NULL,
  incoming    boolean NOT NULL,
  peer_id     text COLLATE "C" NOT NULL,
  state       text NOT NULL CHECK (state IN ('PENDING', 'ACCEPTED', 'REJECTED', 'CANCELLED')),
  message     text NOT NULL,
  create_time timestamptz NOT NULL,
  update_time timestamptz NOT NULL,
  PRIMARY KEY (user_id, request_id)
);

-- ListFriendRequests: one direction of one user's requests, newest first, keyset-paged by (create_time, request_id).
CREATE INDEX friend_request_list ON friend_request (user_id, incoming, create_time, request_id);
