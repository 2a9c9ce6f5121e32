-- Signed checkpoints of the audit log. The server writes each one here and
-- to the checkpoint file beside the database, in one step, and "puente audit
-- verify" checks that the two hold the same ones: removing a checkpoint from
-- either is tampering. Append-only, like audit_log.
CREATE TABLE audit_checkpoints (
    id        INTEGER PRIMARY KEY,  -- the order they were recorded in
    seq       BIGINT NOT NULL,      -- the entry vouched for
    hash      BLOB   NOT NULL,      -- its hash
    at        BIGINT NOT NULL,      -- when it was signed
    key_id    TEXT   NOT NULL,
    signature BLOB   NOT NULL,
    UNIQUE (seq, at, key_id)
);

CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
BEGIN
    SELECT RAISE(ABORT, 'audit_checkpoints is append-only');
END;
CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints
BEGIN
    SELECT RAISE(ABORT, 'audit_checkpoints is append-only');
END;
