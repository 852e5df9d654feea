-- Who did it: the person behind each order status change and stock movement
-- (on SQLite the computer's user; on a team server the person's own login).
-- Written with who(), a function the store gives each database.
ALTER TABLE order_history ADD COLUMN who TEXT NOT NULL DEFAULT '';
ALTER TABLE stock_movements ADD COLUMN who TEXT NOT NULL DEFAULT '';
