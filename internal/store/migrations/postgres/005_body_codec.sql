-- Bodies may be stored compressed (codec 's2'); '' is a body as received.
ALTER TABLE delivery_payloads ADD COLUMN codec TEXT NOT NULL DEFAULT '';
-- A compressed body is a few KB: keep payload rows up to a page inline
-- rather than moving them to the TOAST table from 2 KB on.
ALTER TABLE delivery_payloads SET (toast_tuple_target = 8160);
