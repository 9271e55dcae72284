-- Delivery ids already processed (or being processed), per plugin endpoint.
CREATE TABLE webhook_deliveries_seen (
    plugin      TEXT    NOT NULL,
    endpoint    TEXT    NOT NULL,
    delivery_id TEXT    NOT NULL,
    state       TEXT    NOT NULL, -- 'processing' or 'done'
    status      INTEGER NOT NULL DEFAULT 0,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (plugin, endpoint, delivery_id)
);
CREATE INDEX webhook_deliveries_seen_updated ON webhook_deliveries_seen (updated_at);
