CREATE TABLE deliveries (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    plugin          TEXT    NOT NULL,
    endpoint        TEXT    NOT NULL,
    mode            TEXT    NOT NULL,              -- inline or queued
    method          TEXT    NOT NULL,
    path            TEXT    NOT NULL,
    query           TEXT    NOT NULL DEFAULT '',
    headers         TEXT    NOT NULL,              -- JSON; sensitive values redacted
    body            BLOB  NOT NULL,
    client_addr     TEXT    NOT NULL DEFAULT '',
    request_id      TEXT    NOT NULL DEFAULT '',
    delivery_id     TEXT,                          -- the sender's id, NULL when none
    replay_of       BIGINT,                        -- the delivery this one replays
    state           TEXT    NOT NULL,              -- pending, running, done, failed, dead
    attempts        INTEGER NOT NULL DEFAULT 0,
    max_attempts    INTEGER NOT NULL,
    run_at          BIGINT  NOT NULL,              -- unix microseconds
    lease_owner     TEXT    NOT NULL DEFAULT '',
    lease_until     BIGINT  NOT NULL DEFAULT 0,
    last_error      TEXT    NOT NULL DEFAULT '',
    response_status INTEGER NOT NULL DEFAULT 0,
    received_at     BIGINT  NOT NULL,
    started_at      BIGINT  NOT NULL DEFAULT 0,    -- first handler start
    finished_at     BIGINT  NOT NULL DEFAULT 0
);
-- Dedupe: one original delivery per sender id and endpoint.
CREATE UNIQUE INDEX deliveries_dedupe ON deliveries (plugin, endpoint, delivery_id)
    WHERE delivery_id IS NOT NULL AND replay_of IS NULL;
CREATE INDEX deliveries_ready ON deliveries (run_at) WHERE state = 'pending';
CREATE INDEX deliveries_leased ON deliveries (lease_until) WHERE state = 'running';
CREATE INDEX deliveries_received ON deliveries (received_at);
CREATE INDEX deliveries_state ON deliveries (state, id);
CREATE INDEX deliveries_plugin ON deliveries (plugin, endpoint, id);

CREATE TABLE tasks (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    plugin       TEXT    NOT NULL,
    kind         TEXT    NOT NULL,
    args         BLOB  NOT NULL,                 -- JSON
    unique_key   TEXT,
    state        TEXT    NOT NULL,                 -- pending, running, done, dead, cancelled
    attempts     INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    run_at       BIGINT  NOT NULL,
    lease_owner  TEXT    NOT NULL DEFAULT '',
    lease_until  BIGINT  NOT NULL DEFAULT 0,
    last_error   TEXT    NOT NULL DEFAULT '',
    progress     TEXT    NOT NULL DEFAULT '',
    delivery     BIGINT,                           -- the delivery whose handler enqueued it
    created_at   BIGINT  NOT NULL,
    started_at   BIGINT  NOT NULL DEFAULT 0,
    finished_at  BIGINT  NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX tasks_unique ON tasks (plugin, kind, unique_key)
    WHERE unique_key IS NOT NULL AND state IN ('pending', 'running');
CREATE INDEX tasks_ready ON tasks (run_at) WHERE state = 'pending';
CREATE INDEX tasks_leased ON tasks (lease_until) WHERE state = 'running';
CREATE INDEX tasks_state ON tasks (state, id);
