-- Every claim and completion changes a delivery's state, so PostgreSQL
-- cannot update the row in place (HOT): each of those updates adds an
-- entry to every index of the table. Three indexes served only the
-- operator's filters and the pruning, and cost three index entries per
-- delivery and state: about a sixth of the database's CPU per delivery
-- end to end (bench/README.md, item 28).
-- - Filters by state: pending and running rows have their own partial
--   indexes (deliveries_ready, deliveries_leased); failed and dead ones
--   get one here, which a delivery enters only when it fails; done rows
--   are most of the table and are found walking the primary key.
-- - Filters by plugin and time, and the pruning, walk the primary key:
--   ids grow with received_at.
DROP INDEX deliveries_state;
DROP INDEX deliveries_plugin;
DROP INDEX deliveries_received;
CREATE INDEX deliveries_failed ON deliveries (state, id) WHERE state IN ('failed', 'dead');
