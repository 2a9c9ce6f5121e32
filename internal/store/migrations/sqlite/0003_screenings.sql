-- Screenings: interviews run with the screening protocol. The answers and
-- notes are sealed under the screening's own data key ("screening/<id>" in
-- data_keys); the determinations are kept in the clear for statistics.

CREATE TABLE screenings (
    id                   INTEGER PRIMARY KEY,
    org_id               BIGINT  NOT NULL REFERENCES organizations (id),
    created_by           BIGINT  NOT NULL REFERENCES users (id),
    case_id              BIGINT  REFERENCES cases (id),
    status               TEXT    NOT NULL,
    form                 TEXT    NOT NULL,
    protocol_version     TEXT    NOT NULL,
    interview_language   TEXT    NOT NULL DEFAULT '',
    interpreter          BOOLEAN NOT NULL DEFAULT FALSE,
    interpreter_language TEXT    NOT NULL DEFAULT '',
    us_label             TEXT    NOT NULL DEFAULT '',
    mx_label             TEXT    NOT NULL DEFAULT '',
    un_label             TEXT    NOT NULL DEFAULT '',
    answers_ct           BLOB,
    notes_ct             BLOB,
    created_at           BIGINT  NOT NULL,
    updated_at           BIGINT  NOT NULL,
    completed_at         BIGINT
);
CREATE INDEX screenings_org ON screenings (org_id, updated_at);
CREATE INDEX screenings_case ON screenings (case_id);
