-- Portolan schema 5: allocation. Which warehouse ships which order line
-- (each line's reservation), why, what shipping costs per warehouse and
-- destination, and the planner's settings.

ALTER TABLE orders ADD COLUMN priority INTEGER NOT NULL DEFAULT 0 CHECK (priority BETWEEN -9 AND 9);
-- The shipping service the customer chose, as the storefront names it.
ALTER TABLE orders ADD COLUMN service TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN allocation_note TEXT NOT NULL DEFAULT '';
ALTER TABLE channels ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;

CREATE TABLE allocations (
    order_id       INTEGER NOT NULL REFERENCES orders (id),
    line_no        INTEGER NOT NULL,
    warehouse_id   INTEGER NOT NULL REFERENCES warehouses (id),
    qty            INTEGER NOT NULL CHECK (qty > 0),
    reservation_id INTEGER NOT NULL,
    created_at     INTEGER NOT NULL,
    PRIMARY KEY (order_id, line_no)
) WITHOUT ROWID;
CREATE INDEX allocations_reservation ON allocations (reservation_id);

-- Shipping one parcel from a warehouse to a country ('*': any other country),
-- in the planning currency's minor units.
CREATE TABLE shipping_rates (
    warehouse_id INTEGER NOT NULL REFERENCES warehouses (id),
    country      TEXT    NOT NULL CHECK (country = '*' OR length(country) = 2),
    cost_minor   INTEGER NOT NULL CHECK (cost_minor >= 0),
    transit_days INTEGER NOT NULL CHECK (transit_days >= 0),
    PRIMARY KEY (warehouse_id, country)
) WITHOUT ROWID;

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- Cancelling an order drops its allocations with its reservations (see
-- orders_cancel_releases in schema 3).
CREATE TRIGGER orders_cancel_unallocates AFTER UPDATE OF status ON orders
WHEN NEW.status = 'cancelled' AND OLD.status <> 'cancelled' BEGIN
    DELETE FROM allocations WHERE order_id = NEW.id;
END;
