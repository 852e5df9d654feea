-- What carriers say of bought labels until their parcels are handed over
-- (as SQLite's 0025). Whoever polls tracking notes it (coordinators), as do
-- the warehouse people and admins; everyone reads it.
CREATE TABLE label_scans (
    purchase_id BIGINT PRIMARY KEY REFERENCES label_purchases (id),
    polls       INTEGER NOT NULL DEFAULT 0,
    polled_at   BIGINT  NOT NULL,
    next_at     BIGINT,
    scanned_at  BIGINT,
    scan        TEXT    NOT NULL DEFAULT '',
    error       TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX parcels_packed ON parcels (id) WHERE status = 'packed';
CREATE TRIGGER label_scans_notify AFTER INSERT OR UPDATE OR DELETE ON label_scans
    FOR EACH STATEMENT EXECUTE FUNCTION notify_change();
DO $$
BEGIN
    EXECUTE format('GRANT INSERT, UPDATE ON label_scans TO %I, %I, %I', team_role('coordinator'), team_role('warehouse'), team_role('admin'));
END $$;
