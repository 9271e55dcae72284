-- Inbox messages are pruned by age (retention.messages).
CREATE INDEX inbox_messages_created ON inbox_messages (created_at);
