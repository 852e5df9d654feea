-- Portolan schema 21: an open order's ship-by time (milliseconds, UTC; NULL
-- until worked out), from its channel's promise and the calendars of the
-- warehouses that may ship it (app.PromiseService.Refresh), kept here so
-- that the orders list sorts and filters by it, and late orders are
-- counted from an index.
ALTER TABLE orders ADD COLUMN ship_by INTEGER;
CREATE INDEX orders_ship_by ON orders (ship_by) WHERE ship_by IS NOT NULL;
