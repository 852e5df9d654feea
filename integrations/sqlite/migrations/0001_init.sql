-- Portolan schema 1: catalog, warehouses and bins, channels, stock balances, orders.
-- Times are INTEGER milliseconds since the Unix epoch, UTC. Money is INTEGER minor units.

CREATE TABLE channels (
    id         INTEGER PRIMARY KEY,
    code       TEXT    NOT NULL UNIQUE,
    name       TEXT    NOT NULL,
    kind       TEXT    NOT NULL CHECK (kind IN ('shopify', 'woocommerce', 'bigcommerce', 'file', 'manual')),
    base_url   TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);

CREATE TABLE warehouses (
    id               INTEGER PRIMARY KEY,
    code             TEXT NOT NULL UNIQUE,
    name             TEXT NOT NULL,
    addr_name        TEXT NOT NULL DEFAULT '',
    addr_company     TEXT NOT NULL DEFAULT '',
    addr_line1       TEXT NOT NULL DEFAULT '',
    addr_line2       TEXT NOT NULL DEFAULT '',
    addr_city        TEXT NOT NULL DEFAULT '',
    addr_region      TEXT NOT NULL DEFAULT '',
    addr_postal_code TEXT NOT NULL DEFAULT '',
    addr_country     TEXT NOT NULL CHECK (length(addr_country) = 2),
    addr_phone       TEXT NOT NULL DEFAULT '',
    addr_email       TEXT NOT NULL DEFAULT '',
    time_zone        TEXT NOT NULL
);

CREATE TABLE locations (
    id            INTEGER PRIMARY KEY,
    warehouse_id  INTEGER NOT NULL REFERENCES warehouses (id),
    code          TEXT    NOT NULL,
    zone          TEXT    NOT NULL,
    pick_sequence INTEGER NOT NULL DEFAULT 0 CHECK (pick_sequence >= 0),
    UNIQUE (warehouse_id, code)
);

CREATE TABLE products (
    id                  INTEGER PRIMARY KEY,
    sku                 TEXT    NOT NULL UNIQUE,
    name                TEXT    NOT NULL,
    gtin                TEXT    NOT NULL DEFAULT '',
    weight_g            INTEGER NOT NULL DEFAULT 0 CHECK (weight_g >= 0),
    length_mm           INTEGER NOT NULL DEFAULT 0 CHECK (length_mm >= 0),
    width_mm            INTEGER NOT NULL DEFAULT 0 CHECK (width_mm >= 0),
    height_mm           INTEGER NOT NULL DEFAULT 0 CHECK (height_mm >= 0),
    hs_code             TEXT    NOT NULL DEFAULT '',
    origin_country      TEXT    NOT NULL DEFAULT '',
    customs_description TEXT    NOT NULL DEFAULT '',
    unit_value_minor    INTEGER NOT NULL DEFAULT 0,
    unit_value_currency TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX products_name ON products (name);

CREATE TABLE stock_balances (
    product_id   INTEGER NOT NULL REFERENCES products (id),
    location_id  INTEGER NOT NULL REFERENCES locations (id),
    warehouse_id INTEGER NOT NULL REFERENCES warehouses (id),
    lot          TEXT    NOT NULL DEFAULT '',
    on_hand      INTEGER NOT NULL CHECK (on_hand >= 0),
    PRIMARY KEY (product_id, location_id, lot)
) WITHOUT ROWID;
CREATE INDEX stock_balances_warehouse ON stock_balances (warehouse_id, product_id);
CREATE INDEX stock_balances_location ON stock_balances (location_id);

CREATE TABLE orders (
    id               INTEGER PRIMARY KEY,
    channel_id       INTEGER NOT NULL REFERENCES channels (id),
    external_id      TEXT    NOT NULL,
    number           TEXT    NOT NULL,
    placed_at        INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    currency         TEXT    NOT NULL CHECK (length(currency) = 3),
    shipping_minor   INTEGER NOT NULL DEFAULT 0,
    tax_minor        INTEGER NOT NULL DEFAULT 0,
    total_minor      INTEGER NOT NULL,
    units            INTEGER NOT NULL,
    customer_email   TEXT    NOT NULL DEFAULT '',
    ship_name        TEXT    NOT NULL DEFAULT '',
    ship_company     TEXT    NOT NULL DEFAULT '',
    ship_line1       TEXT    NOT NULL DEFAULT '',
    ship_line2       TEXT    NOT NULL DEFAULT '',
    ship_city        TEXT    NOT NULL DEFAULT '',
    ship_region      TEXT    NOT NULL DEFAULT '',
    ship_postal_code TEXT    NOT NULL DEFAULT '',
    ship_country     TEXT    NOT NULL CHECK (length(ship_country) = 2),
    ship_phone       TEXT    NOT NULL DEFAULT '',
    ship_email       TEXT    NOT NULL DEFAULT '',
    notes            TEXT    NOT NULL DEFAULT '',
    status           TEXT    NOT NULL CHECK (status IN ('new', 'allocated', 'picking', 'packed', 'shipped', 'delivered',
                                                        'on_hold', 'backordered', 'cancelled', 'exception')),
    search_text      TEXT    NOT NULL DEFAULT '',
    UNIQUE (channel_id, external_id)
);
CREATE INDEX orders_placed ON orders (placed_at, id);
CREATE INDEX orders_status_placed ON orders (status, placed_at, id);
CREATE INDEX orders_country_placed ON orders (ship_country, placed_at, id);
CREATE INDEX orders_channel_placed ON orders (channel_id, placed_at, id);

CREATE TABLE order_lines (
    order_id         INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    line_no          INTEGER NOT NULL,
    sku              TEXT    NOT NULL,
    name             TEXT    NOT NULL DEFAULT '',
    quantity         INTEGER NOT NULL CHECK (quantity > 0),
    unit_price_minor INTEGER NOT NULL CHECK (unit_price_minor >= 0),
    PRIMARY KEY (order_id, line_no)
) WITHOUT ROWID;
CREATE INDEX order_lines_sku ON order_lines (sku);

CREATE TABLE order_history (
    id          INTEGER PRIMARY KEY,
    order_id    INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    at          INTEGER NOT NULL,
    from_status TEXT    NOT NULL,
    to_status   TEXT    NOT NULL,
    reason      TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX order_history_order ON order_history (order_id, id);

-- Search over number, customer name, emails and SKUs (orders.search_text):
-- orders_fts finds any substring of three or more characters (trigrams);
-- orders_words finds words that start with one or two characters.
CREATE VIRTUAL TABLE orders_fts USING fts5(
    search_text, content = 'orders', content_rowid = 'id', tokenize = 'trigram remove_diacritics 1'
);
CREATE VIRTUAL TABLE orders_words USING fts5(
    search_text, content = 'orders', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2'
);
-- Both indexes are external-content tables kept up to date by the store in batches (one
-- INSERT … SELECT per transaction for new orders; delete + insert for a changed order):
-- row-by-row triggers made FTS5 flush its pending terms on every statement.
