-- Bodies may be stored compressed (codec 's2'); '' is a body as received.
ALTER TABLE delivery_payloads ADD COLUMN codec TEXT NOT NULL DEFAULT '';
