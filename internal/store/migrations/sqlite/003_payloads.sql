-- A delivery's headers and body move to their own table: the queue
-- updates a delivery's row several times (claim, complete), and SQLite
-- rewrites a whole row, overflow pages included, on every update.
CREATE TABLE delivery_payloads (
    id      INTEGER PRIMARY KEY REFERENCES deliveries (id) ON DELETE CASCADE,
    headers TEXT    NOT NULL,              -- JSON; sensitive values redacted
    body    BLOB    NOT NULL
);
INSERT INTO delivery_payloads (id, headers, body) SELECT id, headers, body FROM deliveries;
ALTER TABLE deliveries DROP COLUMN headers;
ALTER TABLE deliveries DROP COLUMN body;
