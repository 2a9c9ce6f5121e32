-- On PostgreSQL, the audit entries of writes wait here between their write's
-- commit and their place in the chain (see the PostgreSQL migration). SQLite
-- has one writer at a time, which chains its entries as it commits; the
-- table is here so both engines have the same schema, and stays empty.
CREATE TABLE audit_pending (
    id         INTEGER PRIMARY KEY,
    at         BIGINT NOT NULL,
    actor_id   BIGINT NOT NULL,
    roles      TEXT   NOT NULL,
    org_id     BIGINT NOT NULL,
    action     TEXT   NOT NULL,
    record     TEXT   NOT NULL,
    decision   TEXT   NOT NULL,
    reason     TEXT   NOT NULL,
    request_id TEXT   NOT NULL
);
