-- Accounts of user-svc, in the schema parley_user (the search path; Database.open sets it).
--
-- Distribution (Citus-ready): account by user_id; username_claim by username. A username is taken
-- once across the whole system, so its uniqueness lives in a table of its own keyed by the username,
-- written in the same transaction as the account.
--
-- Ids, usernames and the folded nickname use the "C" collation: byte order, which for UTF-8 is code
-- point order, the order UserSearch pages in; and btree range scans serve prefix searches.

CREATE TABLE account (
  user_id         text COLLATE "C" PRIMARY KEY,
  username        text COLLATE "C" NOT NULL,
  nickname        text NOT NULL,
  -- UserFields.fold(nickname), folded in Java (Locale.ROOT) so that search and index agree.
  nickname_folded text COLLATE "C" NOT NULL,
  avatar_url      text NOT NULL DEFAULT '',
  bio             text NOT NULL DEFAULT '',
  -- The Argon2id PHC string.
  password_hash   text NOT NULL,
  create_time     timestamptz NOT NULL
);

-- SearchUsers, nickname phase: an ordered scan from the cursor on, in (nickname, username, id) order.
CREATE INDEX account_nickname_search ON account (nickname_folded, username, user_id);

CREATE TABLE username_claim (
  -- Lower-case; the primary key also serves the username-prefix range scans of SearchUsers.
  username text COLLATE "C" PRIMARY KEY,
  user_id  text COLLATE "C" NOT NULL
);
