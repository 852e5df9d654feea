-- The label file a carrier sold (PNG, GIF, PDF or ZPL, as it serves it),
-- fetched once and kept, so the print job and reprints need no carrier.
ALTER TABLE label_purchases ADD COLUMN label_file BLOB;
