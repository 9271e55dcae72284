-- Claims read ready rows in (run_at, id) order. With the index on run_at
-- alone PostgreSQL read and sorted the whole backlog for every claim
-- (SQLite's index carries the rowid, so it is already in claim order).
CREATE INDEX deliveries_ready_order ON deliveries (run_at, id) WHERE state = 'pending';
DROP INDEX deliveries_ready;
ALTER INDEX deliveries_ready_order RENAME TO deliveries_ready;
CREATE INDEX tasks_ready_order ON tasks (run_at, id) WHERE state = 'pending';
DROP INDEX tasks_ready;
ALTER INDEX tasks_ready_order RENAME TO tasks_ready;
-- Queue rows are updated twice each (claim, complete): vacuum them sooner
-- than the default 20 % of a table (where autovacuum is on, as it is by
-- default).
ALTER TABLE deliveries SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02);
ALTER TABLE tasks SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02);
