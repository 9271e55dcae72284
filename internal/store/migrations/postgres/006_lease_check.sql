-- A pipelined completion (see queue's completions) has no round trip in
-- which to look at the rows it updated before it commits: its statement
-- checks that every run still held its lease, and fails the whole
-- pipeline if one did not.
CREATE FUNCTION hookpoint_leases_held(held bigint, runs bigint) RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN
	IF held <> runs THEN
		RAISE EXCEPTION 'lease lost: % of % runs still held their lease', held, runs USING ERRCODE = 'HPL01';
	END IF;
	RETURN held;
END
$$;
