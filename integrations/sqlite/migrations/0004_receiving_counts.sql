-- Portolan schema 4: expected inbounds (purchase orders / ASNs) with what was
-- received against them, and cycle counts.

CREATE TABLE inbounds (
    id           INTEGER PRIMARY KEY,
    warehouse_id INTEGER NOT NULL REFERENCES warehouses (id),
    reference    TEXT    NOT NULL CHECK (reference <> ''),
    supplier     TEXT    NOT NULL DEFAULT '',
    expected_on  TEXT    NOT NULL DEFAULT '', -- YYYY-MM-DD
    status       TEXT    NOT NULL CHECK (status IN ('open', 'received', 'closed')),
    created_at   INTEGER NOT NULL,
    closed_at    INTEGER,
    UNIQUE (warehouse_id, reference)
);
CREATE INDEX inbounds_status ON inbounds (status, expected_on);

CREATE TABLE inbound_lines (
    inbound_id   INTEGER NOT NULL REFERENCES inbounds (id),
    product_id   INTEGER NOT NULL REFERENCES products (id),
    expected_qty INTEGER NOT NULL CHECK (expected_qty >= 0),
    received_qty INTEGER NOT NULL DEFAULT 0 CHECK (received_qty >= 0),
    PRIMARY KEY (inbound_id, product_id)
) WITHOUT ROWID;

CREATE TABLE counts (
    id           INTEGER PRIMARY KEY,
    warehouse_id INTEGER NOT NULL REFERENCES warehouses (id),
    scope        TEXT    NOT NULL,
    status       TEXT    NOT NULL CHECK (status IN ('open', 'posted', 'cancelled')),
    created_at   INTEGER NOT NULL,
    posted_at    INTEGER
);

CREATE TABLE count_bins (
    count_id    INTEGER NOT NULL REFERENCES counts (id),
    location_id INTEGER NOT NULL REFERENCES locations (id),
    PRIMARY KEY (count_id, location_id)
) WITHOUT ROWID;

-- expected is what the bin held when the count was created; it is never
-- shown while counting (blind count). counted is NULL until counted.
CREATE TABLE count_lines (
    count_id    INTEGER NOT NULL REFERENCES counts (id),
    location_id INTEGER NOT NULL REFERENCES locations (id),
    product_id  INTEGER NOT NULL REFERENCES products (id),
    lot         TEXT    NOT NULL DEFAULT '',
    expected    INTEGER NOT NULL CHECK (expected >= 0),
    counted     INTEGER CHECK (counted >= 0),
    PRIMARY KEY (count_id, location_id, product_id, lot)
) WITHOUT ROWID;
