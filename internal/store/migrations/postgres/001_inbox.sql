CREATE TABLE inbox_messages (
    id          BIGSERIAL PRIMARY KEY,
    chat_key    TEXT    NOT NULL,
    plugin      TEXT    NOT NULL,
    text        TEXT    NOT NULL,
    attachments TEXT    NOT NULL DEFAULT '[]',
    created_at  BIGINT  NOT NULL
);
CREATE INDEX inbox_messages_chat ON inbox_messages (chat_key, id);

CREATE TABLE inbox_files (
    message_id   BIGINT  NOT NULL REFERENCES inbox_messages (id) ON DELETE CASCADE,
    idx          INTEGER NOT NULL,
    name         TEXT    NOT NULL,
    content_type TEXT    NOT NULL,
    data         BYTEA   NOT NULL,
    PRIMARY KEY (message_id, idx)
);
