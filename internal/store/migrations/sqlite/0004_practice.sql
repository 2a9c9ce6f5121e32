-- Practice vignettes an organization writes for training its screeners:
-- composite cases, never a real person's story (the form says so), so
-- nothing here is sealed. answers and expected are JSON: indicator id to
-- answer, and jurisdiction to determination.

CREATE TABLE practice_vignettes (
    id           INTEGER PRIMARY KEY,
    org_id       BIGINT  NOT NULL REFERENCES organizations (id),
    title        TEXT    NOT NULL DEFAULT '',
    narrative_en TEXT    NOT NULL DEFAULT '',
    narrative_es TEXT    NOT NULL DEFAULT '',
    age          INTEGER,
    answers      TEXT    NOT NULL,
    expected     TEXT    NOT NULL,
    reasoning    TEXT    NOT NULL DEFAULT '',
    created_by   BIGINT  NOT NULL REFERENCES users (id),
    created_at   BIGINT  NOT NULL
);
CREATE INDEX practice_vignettes_org ON practice_vignettes (org_id, id);
