-- Tracking starts when a label is bought (domain/labelscan.go): until its
-- parcel is handed over, what the carrier says of the label is kept here,
-- one row a purchase, and its first scan hands the parcel over.
CREATE TABLE label_scans (
    purchase_id INTEGER PRIMARY KEY REFERENCES label_purchases (id),
    polls       INTEGER NOT NULL DEFAULT 0, -- polls that found no scan
    polled_at   INTEGER NOT NULL,
    next_at     INTEGER,                    -- NULL once scanned
    scanned_at  INTEGER,
    scan        TEXT    NOT NULL DEFAULT '',
    error       TEXT    NOT NULL DEFAULT ''
);
-- The parcels on the pack bench, a few among every parcel ever packed.
CREATE INDEX parcels_packed ON parcels (id) WHERE status = 'packed';
