-- Signed checkpoints of the audit log. The server writes each one here and
-- to the checkpoint file beside the database, in one step, and "puente audit
-- verify" checks that the two hold the same ones: removing a checkpoint from
-- either is tampering. Append-only, like audit_log.
CREATE TABLE audit_checkpoints (
    id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,  -- the order they were recorded in
    seq       BIGINT NOT NULL,      -- the entry vouched for
    hash      BYTEA  NOT NULL,      -- its hash
    at        BIGINT NOT NULL,      -- when it was signed
    key_id    TEXT   NOT NULL,
    signature BYTEA  NOT NULL,
    UNIQUE (seq, at, key_id)
);

-- The application's role may only read and append; a trigger also stops
-- the table's owner, and TRUNCATE, which privileges alone would allow.
REVOKE UPDATE, DELETE, TRUNCATE ON audit_checkpoints FROM PUBLIC;
DO $$ BEGIN
    EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON audit_checkpoints FROM %I', current_user);
END $$;
CREATE FUNCTION audit_checkpoints_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_checkpoints is append-only';
END $$;
CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE OR DELETE ON audit_checkpoints
    FOR EACH ROW EXECUTE FUNCTION audit_checkpoints_append_only();
CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION audit_checkpoints_append_only();
