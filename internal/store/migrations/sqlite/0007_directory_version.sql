-- A counter every change to the directory moves on, in the change's own
-- transaction, so that servers can keep the matching index in memory and
-- know, with one cheap query, when to build it again.
CREATE TABLE dir_version (
    id      INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    version BIGINT  NOT NULL
);
INSERT INTO dir_version (id, version) VALUES (1, 0);
