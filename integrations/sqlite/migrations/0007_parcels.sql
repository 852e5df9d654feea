-- Portolan schema 7: packing. Box sizes, parcels (what was packed for an
-- order in a warehouse, its box, weight and tracking number) and their lines.

CREATE TABLE boxes (
    code      TEXT PRIMARY KEY,
    name      TEXT    NOT NULL,
    length_mm INTEGER NOT NULL CHECK (length_mm > 0),
    width_mm  INTEGER NOT NULL CHECK (width_mm > 0),
    height_mm INTEGER NOT NULL CHECK (height_mm > 0),
    tare_g    INTEGER NOT NULL DEFAULT 0 CHECK (tare_g >= 0)
) WITHOUT ROWID;
INSERT INTO boxes (code, name, length_mm, width_mm, height_mm, tare_g) VALUES
    ('MAILER', 'Mailer bag 330 × 240', 330, 240, 30, 20),
    ('S', 'Box S 250 × 180 × 100', 250, 180, 100, 120),
    ('M', 'Box M 350 × 250 × 150', 350, 250, 150, 220),
    ('L', 'Box L 450 × 350 × 250', 450, 350, 250, 380),
    ('XL', 'Box XL 600 × 400 × 400', 600, 400, 400, 650);

CREATE TABLE parcels (
    id           INTEGER PRIMARY KEY,
    order_id     INTEGER NOT NULL REFERENCES orders (id),
    warehouse_id INTEGER NOT NULL REFERENCES warehouses (id),
    box          TEXT    NOT NULL REFERENCES boxes (code),
    weight_g     INTEGER NOT NULL CHECK (weight_g > 0),
    tracking     TEXT    NOT NULL DEFAULT '',
    carrier      TEXT    NOT NULL DEFAULT '',
    status       TEXT    NOT NULL CHECK (status IN ('packed', 'dispatched')),
    packed_at    INTEGER NOT NULL
);
CREATE INDEX parcels_order ON parcels (order_id);

CREATE TABLE parcel_lines (
    parcel_id INTEGER NOT NULL REFERENCES parcels (id),
    line_no   INTEGER NOT NULL,
    qty       INTEGER NOT NULL CHECK (qty > 0),
    PRIMARY KEY (parcel_id, line_no)
) WITHOUT ROWID;
