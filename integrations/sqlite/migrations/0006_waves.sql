-- Portolan schema 6: pick waves. A wave takes allocated orders of one
-- warehouse into picking; each of its lines says which bin (and lot) to pick
-- from and which tote the order goes in.

CREATE TABLE waves (
    id           INTEGER PRIMARY KEY,
    warehouse_id INTEGER NOT NULL REFERENCES warehouses (id),
    status       TEXT    NOT NULL CHECK (status IN ('open', 'picked', 'closed')),
    created_at   INTEGER NOT NULL,
    note         TEXT    NOT NULL DEFAULT ''
);

CREATE TABLE wave_orders (
    wave_id  INTEGER NOT NULL REFERENCES waves (id),
    order_id INTEGER NOT NULL REFERENCES orders (id),
    tote     INTEGER NOT NULL CHECK (tote > 0),
    PRIMARY KEY (wave_id, order_id)
) WITHOUT ROWID;
CREATE INDEX wave_orders_order ON wave_orders (order_id);

CREATE TABLE wave_lines (
    id          INTEGER PRIMARY KEY,
    wave_id     INTEGER NOT NULL REFERENCES waves (id),
    order_id    INTEGER NOT NULL REFERENCES orders (id),
    line_no     INTEGER NOT NULL,
    product_id  INTEGER NOT NULL REFERENCES products (id),
    location_id INTEGER NOT NULL REFERENCES locations (id),
    lot         TEXT    NOT NULL DEFAULT '',
    qty         INTEGER NOT NULL CHECK (qty > 0),
    picked_qty  INTEGER CHECK (picked_qty >= 0)
);
CREATE INDEX wave_lines_wave ON wave_lines (wave_id);
CREATE INDEX wave_lines_order ON wave_lines (order_id, line_no);
