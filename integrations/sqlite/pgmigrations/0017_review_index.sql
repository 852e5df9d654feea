-- The orders needing review, from an index (as SQLite's 0022).
CREATE INDEX orders_review ON orders (id) WHERE review <> '';
