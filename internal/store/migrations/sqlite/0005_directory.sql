-- Services directory (HSDS 3.0): organizations, their services and
-- locations, the service-at-location links the matcher ranks, and each
-- link's bed count. Tables are prefixed dir_ to keep the directory's
-- organizations, most of them not Puente members, apart from the members'.
-- JSON columns hold the fields no query looks into.

CREATE TABLE dir_organizations (
    id            TEXT    NOT NULL PRIMARY KEY,   -- the HSDS id
    member_org_id BIGINT  REFERENCES organizations (id),
    name          TEXT    NOT NULL,
    description   TEXT    NOT NULL DEFAULT '',
    email         TEXT    NOT NULL DEFAULT '',
    url           TEXT    NOT NULL DEFAULT '',
    data          TEXT    NOT NULL DEFAULT '{}'
);
CREATE INDEX dir_organizations_member ON dir_organizations (member_org_id);

CREATE TABLE dir_services (
    id              TEXT    NOT NULL PRIMARY KEY,
    organization_id TEXT    NOT NULL REFERENCES dir_organizations (id),
    name            TEXT    NOT NULL,
    status          TEXT    NOT NULL,
    description     TEXT    NOT NULL DEFAULT '',
    eligibility     TEXT    NOT NULL DEFAULT '{}',
    needs           TEXT    NOT NULL DEFAULT '',  -- space-separated casework needs
    data            TEXT    NOT NULL DEFAULT '{}',
    updated_at      BIGINT  NOT NULL
);
CREATE INDEX dir_services_organization ON dir_services (organization_id);

-- A confidential location keeps in the clear only what matching needs: its
-- city, state and country, and its coordinates rounded to 0.1 degree. The
-- rest, exact address and coordinates included, is sealed in location_ct
-- under the data key "dir_location/<id>".
CREATE TABLE dir_locations (
    id              TEXT             NOT NULL PRIMARY KEY,
    organization_id TEXT             REFERENCES dir_organizations (id),
    location_type   TEXT             NOT NULL,
    name            TEXT             NOT NULL DEFAULT '',
    latitude        REAL,
    longitude       REAL,
    confidential    BOOLEAN          NOT NULL DEFAULT FALSE,
    city            TEXT             NOT NULL DEFAULT '',
    region          TEXT             NOT NULL DEFAULT '',  -- state or estado
    country         TEXT             NOT NULL DEFAULT '',
    address         TEXT             NOT NULL DEFAULT '[]',
    data            TEXT             NOT NULL DEFAULT '{}',
    location_ct     BLOB
);
CREATE INDEX dir_locations_organization ON dir_locations (organization_id);

-- A service with no location (a hotline) has one link with no location_id.
CREATE TABLE dir_service_at_locations (
    id          TEXT NOT NULL PRIMARY KEY,
    service_id  TEXT NOT NULL REFERENCES dir_services (id),
    location_id TEXT REFERENCES dir_locations (id),
    UNIQUE (service_id, location_id)
);
CREATE INDEX dir_service_at_locations_location ON dir_service_at_locations (location_id);

CREATE TABLE dir_availability (
    service_at_location_id TEXT    NOT NULL PRIMARY KEY REFERENCES dir_service_at_locations (id) ON DELETE CASCADE,
    beds                   BIGINT  NOT NULL DEFAULT 0,
    beds_available         BIGINT,                        -- NULL: no count kept
    updated_at             BIGINT  NOT NULL DEFAULT 0,    -- when counted; 0 when never
    updated_by             BIGINT  REFERENCES users (id),
    CHECK (beds >= 0 AND (beds_available IS NULL OR beds_available BETWEEN 0 AND beds))
);
