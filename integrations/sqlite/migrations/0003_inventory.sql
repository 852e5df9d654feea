-- Portolan schema 3: the stock ledger. Every change of stock is a row of
-- stock_movements; stock_balances (per product, bin and lot) and stock_totals
-- (per product and warehouse, with reservations) are kept in the same
-- transaction, and `portolan stock verify` recomputes both from the ledger.

-- What a bin is for. Each warehouse has one RECEIVING bin (receipts land
-- there), one STAGING bin (picked, waiting to ship) and one IN-TRANSIT bin
-- (stock sent to it by a transfer, not yet received).
ALTER TABLE locations ADD COLUMN kind TEXT NOT NULL DEFAULT 'storage'
    CHECK (kind IN ('storage', 'receiving', 'staging', 'transit'));

ALTER TABLE products ADD COLUMN lot_tracked INTEGER NOT NULL DEFAULT 0 CHECK (lot_tracked IN (0, 1));

CREATE TRIGGER warehouses_special_bins AFTER INSERT ON warehouses BEGIN
    INSERT INTO locations (warehouse_id, code, zone, pick_sequence, kind) VALUES
        (NEW.id, 'RECEIVING', 'DOCK', 0, 'receiving'),
        (NEW.id, 'STAGING', 'DOCK', 0, 'staging'),
        (NEW.id, 'IN-TRANSIT', 'TRANSIT', 0, 'transit');
END;

INSERT INTO locations (warehouse_id, code, zone, pick_sequence, kind)
    SELECT id, 'RECEIVING', 'DOCK', 0, 'receiving' FROM warehouses;
INSERT INTO locations (warehouse_id, code, zone, pick_sequence, kind)
    SELECT id, 'STAGING', 'DOCK', 0, 'staging' FROM warehouses;
INSERT INTO locations (warehouse_id, code, zone, pick_sequence, kind)
    SELECT id, 'IN-TRANSIT', 'TRANSIT', 0, 'transit' FROM warehouses;

-- A lot's expiry date (YYYY-MM-DD, '' when it has none).
CREATE TABLE lots (
    product_id INTEGER NOT NULL REFERENCES products (id),
    lot        TEXT    NOT NULL CHECK (lot <> ''),
    expiry     TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (product_id, lot)
) WITHOUT ROWID;

-- The ledger: append-only. qty is signed; a move between bins is two rows
-- with the same doc.
CREATE TABLE stock_movements (
    id           INTEGER PRIMARY KEY,
    at           INTEGER NOT NULL,
    kind         TEXT    NOT NULL CHECK (kind IN ('receipt', 'putaway', 'move', 'adjust', 'transfer_out',
                         'transfer_in', 'pick', 'ship', 'return')),
    product_id   INTEGER NOT NULL REFERENCES products (id),
    warehouse_id INTEGER NOT NULL REFERENCES warehouses (id),
    location_id  INTEGER NOT NULL REFERENCES locations (id),
    lot          TEXT    NOT NULL DEFAULT '',
    qty          INTEGER NOT NULL CHECK (qty <> 0),
    reason       TEXT    NOT NULL DEFAULT '',
    doc          TEXT    NOT NULL DEFAULT '',
    note         TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX stock_movements_product ON stock_movements (product_id, warehouse_id, id);
CREATE TRIGGER stock_movements_append_only_u BEFORE UPDATE ON stock_movements BEGIN
    SELECT RAISE(ABORT, 'the stock ledger is append-only');
END;
CREATE TRIGGER stock_movements_append_only_d BEFORE DELETE ON stock_movements BEGIN
    SELECT RAISE(ABORT, 'the stock ledger is append-only');
END;

-- Per product and warehouse: on hand (receiving, storage and staging bins),
-- in transit towards it, reserved for orders, and the replenishment policy.
CREATE TABLE stock_totals (
    product_id    INTEGER NOT NULL REFERENCES products (id),
    warehouse_id  INTEGER NOT NULL REFERENCES warehouses (id),
    on_hand       INTEGER NOT NULL DEFAULT 0 CHECK (on_hand >= 0),
    in_transit    INTEGER NOT NULL DEFAULT 0 CHECK (in_transit >= 0),
    reserved      INTEGER NOT NULL DEFAULT 0 CHECK (reserved >= 0),
    reorder_point INTEGER NOT NULL DEFAULT 0 CHECK (reorder_point >= 0),
    target_level  INTEGER NOT NULL DEFAULT 0 CHECK (target_level >= 0),
    CHECK (reserved <= on_hand),
    PRIMARY KEY (product_id, warehouse_id)
) WITHOUT ROWID;
CREATE INDEX stock_totals_warehouse ON stock_totals (warehouse_id, product_id);

-- Reservations: stock promised to an order line in a warehouse.
CREATE TABLE reservations (
    id           INTEGER PRIMARY KEY,
    product_id   INTEGER NOT NULL REFERENCES products (id),
    warehouse_id INTEGER NOT NULL REFERENCES warehouses (id),
    order_id     INTEGER REFERENCES orders (id),
    qty          INTEGER NOT NULL CHECK (qty > 0),
    created_at   INTEGER NOT NULL
);
CREATE INDEX reservations_order ON reservations (order_id);
CREATE INDEX reservations_stock ON reservations (product_id, warehouse_id);

-- Transfers between warehouses: sent (stock in the destination's IN-TRANSIT
-- bin), then received (moved to its RECEIVING bin).
CREATE TABLE transfers (
    id               INTEGER PRIMARY KEY,
    from_warehouse   INTEGER NOT NULL REFERENCES warehouses (id),
    to_warehouse     INTEGER NOT NULL REFERENCES warehouses (id),
    status           TEXT    NOT NULL CHECK (status IN ('in_transit', 'received')),
    reference        TEXT    NOT NULL DEFAULT '',
    sent_at          INTEGER NOT NULL,
    received_at      INTEGER,
    CHECK (from_warehouse <> to_warehouse)
);
CREATE TABLE transfer_lines (
    transfer_id INTEGER NOT NULL REFERENCES transfers (id),
    product_id  INTEGER NOT NULL REFERENCES products (id),
    lot         TEXT    NOT NULL DEFAULT '',
    qty         INTEGER NOT NULL CHECK (qty > 0),
    PRIMARY KEY (transfer_id, product_id, lot)
) WITHOUT ROWID;

-- Stock that existed before the ledger becomes its opening balance.
INSERT INTO stock_movements (at, kind, product_id, warehouse_id, location_id, lot, qty, reason, doc)
    SELECT CAST(strftime('%s', 'now') AS INTEGER) * 1000, 'adjust', product_id, warehouse_id, location_id, lot, on_hand,
           'opening_balance', 'schema-3'
    FROM stock_balances WHERE on_hand > 0;
DELETE FROM stock_balances WHERE on_hand = 0;
INSERT INTO stock_totals (product_id, warehouse_id, on_hand)
    SELECT product_id, warehouse_id, sum(on_hand) FROM stock_balances GROUP BY product_id, warehouse_id;

-- A cancelled order's reservations go back to available stock, in the same
-- transaction as the cancellation, whoever cancels it (the window, the
-- storefront through a sync, the command line).
CREATE TRIGGER orders_cancel_releases AFTER UPDATE OF status ON orders
WHEN NEW.status = 'cancelled' AND OLD.status <> 'cancelled' BEGIN
    UPDATE stock_totals SET reserved = reserved - (
        SELECT sum(r.qty) FROM reservations r
        WHERE r.order_id = NEW.id AND r.product_id = stock_totals.product_id AND r.warehouse_id = stock_totals.warehouse_id)
    WHERE EXISTS (SELECT 1 FROM reservations r
        WHERE r.order_id = NEW.id AND r.product_id = stock_totals.product_id AND r.warehouse_id = stock_totals.warehouse_id);
    DELETE FROM reservations WHERE order_id = NEW.id;
END;
