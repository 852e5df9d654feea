-- The label file a carrier sold, fetched once and kept (as SQLite's 0018).
ALTER TABLE label_purchases ADD COLUMN label_file BYTEA;
