CREATE TABLE counter (
  name  text   PRIMARY KEY,
  value bigint NOT NULL
);
