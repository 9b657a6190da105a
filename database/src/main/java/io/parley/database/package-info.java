/**
 * The store of record's plumbing, shared by every service: {@link io.parley.database.Database} (a
 * HikariCP pool on PostgreSQL, Flyway migrations per service schema, transactions that fail with
 * Parley error reasons), {@link io.parley.database.DatabaseSettings} (where the database is), and
 * {@link io.parley.database.HotQuery} (the distribution key each hot statement names).
 *
 * <p>Redis keeps only what may be lost or rebuilt (sessions, caches, pub/sub, counters); accounts,
 * relations, groups and messages live here.
 */
package io.parley.database;
