CREATE TABLE inbox_messages (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    chat_key    TEXT    NOT NULL,
    plugin      TEXT    NOT NULL,
    text        TEXT    NOT NULL,
    attachments TEXT    NOT NULL DEFAULT '[]',
    created_at  INTEGER NOT NULL
);
CREATE INDEX inbox_messages_chat ON inbox_messages (chat_key, id);

CREATE TABLE inbox_files (
    message_id   INTEGER NOT NULL REFERENCES inbox_messages (id) ON DELETE CASCADE,
    idx          INTEGER NOT NULL,
    name         TEXT    NOT NULL,
    content_type TEXT    NOT NULL,
    data         BLOB    NOT NULL,
    PRIMARY KEY (message_id, idx)
);
