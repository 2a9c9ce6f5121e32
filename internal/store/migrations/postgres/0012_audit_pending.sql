-- The audit entries of writes, between their write's commit and their place
-- in the chain. A write stores its entries here in its own transaction, so
-- that neither is ever kept without the other, and does not wait for the
-- chain: one appender per server chains them, many at a time, under the
-- chain's lock, deleting each row as it appends its entry. Before, every
-- write took the chain's lock until it committed, and at 300 requests a
-- second staff pages waited on each other for hundreds of milliseconds.
-- Rows left by a crash are chained when a server starts.
CREATE TABLE audit_pending (
    id         BIGSERIAL PRIMARY KEY,
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
