-- An open order's ship-by time (as SQLite's 0021).
ALTER TABLE orders ADD COLUMN ship_by BIGINT;
CREATE INDEX orders_ship_by ON orders (ship_by) WHERE ship_by IS NOT NULL;
