-- Safety core: survivors' cases with encrypted classes, consents, emergency
-- access, per-case data keys, a blind name index, and the audit log.

-- One data key per case, wrapped by the deployment's key-encryption key.
-- Deleting the row is crypto-shredding: every copy of the case's sealed
-- fields, in this database or any backup, becomes unreadable.
CREATE TABLE data_keys (
    subject    TEXT   PRIMARY KEY,          -- "case/42": also the wrapping's associated data
    kek_id     TEXT   NOT NULL,
    wrapped    BLOB   NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX data_keys_kek_id ON data_keys (kek_id);

CREATE TABLE cases (
    id                  INTEGER PRIMARY KEY,
    org_id              BIGINT  NOT NULL REFERENCES organizations (id),
    status              TEXT    NOT NULL,
    created_by          BIGINT  NOT NULL REFERENCES users (id),
    created_at          BIGINT  NOT NULL,
    updated_at          BIGINT  NOT NULL,
    deleted_at          BIGINT,
    -- Non-identifying profile, in the clear for lists, filters and statistics.
    gender              TEXT    NOT NULL DEFAULT '',
    age_band            TEXT    NOT NULL DEFAULT '',
    victim_status       TEXT    NOT NULL DEFAULT '',
    profile             TEXT    NOT NULL DEFAULT '{}',
    -- Sensitive classes, each sealed under the case's data key with
    -- "cases/<class>/<id>" as associated data.
    identity_ct         BLOB,
    location_ct         BLOB,
    immigration_ct      BLOB,
    narrative_ct        BLOB
);
CREATE INDEX cases_org_status ON cases (org_id, status);

CREATE TABLE case_assignments (
    case_id BIGINT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id),
    PRIMARY KEY (case_id, user_id)
);
CREATE INDEX case_assignments_user ON case_assignments (user_id);

CREATE TABLE case_transitions (
    id          INTEGER PRIMARY KEY,
    case_id     BIGINT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    from_status TEXT   NOT NULL,
    to_status   TEXT   NOT NULL,
    by_user     BIGINT NOT NULL REFERENCES users (id),
    at          BIGINT NOT NULL,
    reason      TEXT   NOT NULL DEFAULT ''
);
CREATE INDEX case_transitions_case ON case_transitions (case_id);

-- Keyed hashes of normalized name tokens: a name can be found without
-- decrypting any case, and the index reveals no name to whoever reads it.
CREATE TABLE case_name_index (
    token   TEXT   NOT NULL,
    case_id BIGINT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    PRIMARY KEY (token, case_id)
);

CREATE TABLE consents (
    id           INTEGER PRIMARY KEY,
    case_id      BIGINT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    org_id       BIGINT NOT NULL REFERENCES organizations (id),
    classes      TEXT   NOT NULL,          -- space-separated sensitivity classes
    purpose      TEXT   NOT NULL,
    valid_from   BIGINT NOT NULL,
    valid_until  BIGINT NOT NULL,
    given_how    TEXT   NOT NULL,          -- written or verbal
    witness      TEXT   NOT NULL DEFAULT '',
    recorded_by  BIGINT NOT NULL REFERENCES users (id),
    recorded_at  BIGINT NOT NULL,
    revoked_at   BIGINT,
    revoked_by   BIGINT REFERENCES users (id),
    CHECK (valid_until > valid_from)
);
CREATE INDEX consents_case ON consents (case_id);
CREATE INDEX consents_org ON consents (org_id);

CREATE TABLE break_glass (
    id        INTEGER PRIMARY KEY,
    case_id   BIGINT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    user_id   BIGINT NOT NULL REFERENCES users (id),
    reason    TEXT   NOT NULL,
    opened_at BIGINT NOT NULL,
    until     BIGINT NOT NULL
);
CREATE INDEX break_glass_case ON break_glass (case_id);

-- The audit log: append-only, each entry chained to the previous one's hash.
CREATE TABLE audit_log (
    seq        INTEGER PRIMARY KEY,
    at         BIGINT NOT NULL,
    actor_id   BIGINT NOT NULL,
    roles      TEXT   NOT NULL,
    org_id     BIGINT NOT NULL,
    action     TEXT   NOT NULL,
    record     TEXT   NOT NULL,
    decision   TEXT   NOT NULL,
    reason     TEXT   NOT NULL,
    request_id TEXT   NOT NULL,
    prev       BLOB   NOT NULL,
    hash       BLOB   NOT NULL
);
CREATE INDEX audit_log_actor ON audit_log (actor_id, seq);
CREATE INDEX audit_log_record ON audit_log (record, seq);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

-- Second factor: TOTP secrets sealed under a deployment-derived key, and
-- one-time recovery codes stored as keyed hashes.
CREATE TABLE user_totp (
    user_id    BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret_ct  BLOB   NOT NULL,
    enabled_at BIGINT,
    last_step  BIGINT NOT NULL DEFAULT 0
);
CREATE TABLE recovery_codes (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    hash    TEXT   NOT NULL,
    used_at BIGINT,
    PRIMARY KEY (user_id, hash)
);
ALTER TABLE sessions ADD COLUMN second_factor BOOLEAN NOT NULL DEFAULT FALSE;
