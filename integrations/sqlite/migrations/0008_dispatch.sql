-- Portolan schema 8: dispatch. Parcels handed to a carrier go on that
-- carrier's manifest of the day; every printed document is logged.

CREATE TABLE manifests (
    id           INTEGER PRIMARY KEY,
    warehouse_id INTEGER NOT NULL REFERENCES warehouses (id),
    carrier      TEXT    NOT NULL CHECK (carrier <> ''),
    day          TEXT    NOT NULL, -- YYYY-MM-DD, the warehouse's local day
    created_at   INTEGER NOT NULL,
    UNIQUE (warehouse_id, carrier, day)
);

ALTER TABLE parcels ADD COLUMN manifest_id INTEGER REFERENCES manifests (id);

CREATE TABLE print_log (
    id       INTEGER PRIMARY KEY,
    at       INTEGER NOT NULL,
    who      TEXT    NOT NULL,
    document TEXT    NOT NULL, -- "pick list", "labels", "manifest"
    ref      TEXT    NOT NULL, -- "wave 3", "manifest 2"
    pages    INTEGER NOT NULL DEFAULT 0,
    bytes    INTEGER NOT NULL DEFAULT 0
);
