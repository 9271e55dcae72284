-- An operator may ask a running task to stop: its runner cancels the run.
ALTER TABLE tasks ADD COLUMN cancel_requested INTEGER NOT NULL DEFAULT 0;
-- What an inline handler answered, so that a redelivery with the same
-- delivery id gets the same answer.
ALTER TABLE delivery_payloads ADD COLUMN answer_type TEXT NOT NULL DEFAULT '';
ALTER TABLE delivery_payloads ADD COLUMN answer BYTEA;
