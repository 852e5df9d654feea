-- Portolan schema 2: order intake. Channel credentials, where each channel's
-- incremental sync stands, every sync run (the proof of completeness), and
-- orders a source delivered that could not be stored (quarantine).

ALTER TABLE channels ADD COLUMN credentials TEXT NOT NULL DEFAULT '{}';
-- The column mapping last used to import a file into the channel (JSON: field → header).
ALTER TABLE channels ADD COLUMN import_mapping TEXT NOT NULL DEFAULT '{}';

ALTER TABLE orders ADD COLUMN source_status TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN source_updated_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN source_fingerprint TEXT NOT NULL DEFAULT '';
-- What the source changed after allocation and was not applied ('' when nothing waits for review).
ALTER TABLE orders ADD COLUMN review TEXT NOT NULL DEFAULT '';

CREATE TABLE channel_sync (
    channel_id      INTEGER PRIMARY KEY REFERENCES channels (id) ON DELETE CASCADE,
    cursor          INTEGER NOT NULL DEFAULT 0,
    last_success_at INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE sync_runs (
    id          INTEGER PRIMARY KEY,
    channel_id  INTEGER NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    since       INTEGER NOT NULL,
    started_at  INTEGER NOT NULL,
    finished_at INTEGER NOT NULL DEFAULT 0,
    fetched     INTEGER NOT NULL DEFAULT 0,
    new         INTEGER NOT NULL DEFAULT 0,
    updated     INTEGER NOT NULL DEFAULT 0,
    unchanged   INTEGER NOT NULL DEFAULT 0,
    quarantined INTEGER NOT NULL DEFAULT 0,
    reported    INTEGER NOT NULL DEFAULT -1,
    status      TEXT    NOT NULL CHECK (status IN ('running', 'complete', 'gap', 'failed', 'cancelled')),
    error       TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX sync_runs_channel ON sync_runs (channel_id, id);

CREATE TABLE quarantine (
    id          INTEGER PRIMARY KEY,
    channel_id  INTEGER NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    external_id TEXT    NOT NULL,
    reason      TEXT    NOT NULL,
    raw         TEXT    NOT NULL DEFAULT '',
    first_seen  INTEGER NOT NULL,
    last_seen   INTEGER NOT NULL,
    UNIQUE (channel_id, external_id)
);
