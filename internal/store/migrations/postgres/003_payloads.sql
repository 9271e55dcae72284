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
-- Bodies are compressed with lz4 where the server has it (PostgreSQL 14+
-- built with lz4): on JSON payloads it costs less CPU than pglz, and less
-- than storing them uncompressed in TOAST chunks.
DO $$
BEGIN
    EXECUTE 'ALTER TABLE delivery_payloads ALTER COLUMN body SET COMPRESSION lz4';
EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'lz4 compression not available; payloads use the default';
END
$$;
