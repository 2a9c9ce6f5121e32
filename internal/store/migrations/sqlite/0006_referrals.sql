-- Referrals of a case to a directory listing, and their history. The
-- listing is named as it was when the referral was made, so a referral
-- still reads right after the directory changes. The referrer's note and
-- the receiver's account of the outcome are sealed under the case's data
-- key ("referrals/notes/<id>"): deleting the survivor shreds them too.

CREATE TABLE referrals (
    id                     INTEGER PRIMARY KEY,
    case_id                BIGINT  NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    from_org_id            BIGINT  NOT NULL REFERENCES organizations (id),
    to_org_id              BIGINT  REFERENCES organizations (id),   -- NULL: a service outside Puente
    service_at_location_id TEXT    NOT NULL,
    service_id             TEXT    NOT NULL,
    location_id            TEXT    NOT NULL DEFAULT '',
    service_name           TEXT    NOT NULL,
    provider_name          TEXT    NOT NULL,
    provider_country       TEXT    NOT NULL DEFAULT '',
    from_country           TEXT    NOT NULL DEFAULT '',
    needs                  TEXT    NOT NULL,                         -- space-separated
    consent_id             BIGINT  REFERENCES consents (id),
    classes                TEXT    NOT NULL DEFAULT '',              -- space-separated
    status                 TEXT    NOT NULL,
    answer_by              BIGINT  NOT NULL,
    decline_reason         TEXT    NOT NULL DEFAULT '',
    revoke_reason          TEXT    NOT NULL DEFAULT '',
    outcome                TEXT    NOT NULL DEFAULT '',
    notes_ct               BLOB,
    created_by             BIGINT  NOT NULL REFERENCES users (id),
    created_at             BIGINT  NOT NULL,
    updated_at             BIGINT  NOT NULL
);
CREATE INDEX referrals_case ON referrals (case_id);
CREATE INDEX referrals_from ON referrals (from_org_id, status);
CREATE INDEX referrals_to ON referrals (to_org_id, status);
CREATE INDEX referrals_overdue ON referrals (status, answer_by);

CREATE TABLE referral_events (
    id          INTEGER PRIMARY KEY,
    referral_id BIGINT NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    from_status TEXT   NOT NULL,
    to_status   TEXT   NOT NULL,
    by_user     BIGINT REFERENCES users (id),                       -- NULL: Puente itself
    by_org      BIGINT REFERENCES organizations (id),
    at          BIGINT NOT NULL,
    reason      TEXT   NOT NULL DEFAULT ''
);
CREATE INDEX referral_events_referral ON referral_events (referral_id);
