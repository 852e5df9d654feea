-- Who did it: the person behind each order status change and stock movement,
-- the login role of the session that wrote it (SQLite: the computer's user).
CREATE FUNCTION who() RETURNS text LANGUAGE sql STABLE RETURN session_user;
ALTER TABLE order_history ADD COLUMN who TEXT NOT NULL DEFAULT '';
ALTER TABLE stock_movements ADD COLUMN who TEXT NOT NULL DEFAULT '';
