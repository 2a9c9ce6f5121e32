-- Sign-in failures, counted per key: a client address, an account, or an
-- account on one trusted browser. Keys are keyed hashes (auth.LimitKeys), so
-- the table holds no address or email, and an email with no account has rows
-- exactly like one with an account. Kept here, not in memory, so that a
-- restart forgets no lockout. users.failed_logins and users.locked_until are
-- no longer read or written.
CREATE TABLE sign_in_limits (
    key          TEXT    NOT NULL PRIMARY KEY,
    failures     INTEGER NOT NULL,
    window_start BIGINT  NOT NULL, -- Unix microseconds; failures before it are forgotten
    locked_until BIGINT  NOT NULL, -- Unix microseconds; 0 when not locked
    expires_at   BIGINT  NOT NULL  -- when the row says nothing any more and may be swept
);
CREATE INDEX sign_in_limits_expires_at ON sign_in_limits (expires_at);
