-- A delivery's headers and body live in their own table, as on SQLite,
-- so that both databases run the same queries.
CREATE TABLE delivery_payloads (
    id      BIGINT PRIMARY KEY REFERENCES deliveries (id) ON DELETE CASCADE,
    headers TEXT   NOT NULL,              -- JSON; sensitive values redacted
    body    BYTEA  NOT NULL
);
INSERT INTO delivery_payloads (id, headers, body) SELECT id, headers, body FROM deliveries;
ALTER TABLE deliveries DROP COLUMN headers;
ALTER TABLE deliveries DROP COLUMN body;
-- Bodies are stored out of line uncompressed: pglz on every insert costs
-- more CPU than the disk it saves on webhook payloads.
ALTER TABLE delivery_payloads ALTER COLUMN body SET STORAGE EXTERNAL;
