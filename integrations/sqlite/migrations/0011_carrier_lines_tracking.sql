-- What a carrier invoiced for a parcel is looked up by its tracking number
-- (margins per order, client or country; a later invoice for the same
-- parcel): without an index every shipment read every invoice line.
CREATE INDEX carrier_invoice_lines_tracking ON carrier_invoice_lines (tracking, id);
CREATE INDEX carrier_invoice_lines_invoice ON carrier_invoice_lines (invoice_id);

-- A carrier invoice file is imported once: the same file again (the same
-- bytes) is refused instead of charging every parcel twice.
ALTER TABLE carrier_invoices ADD COLUMN sha256 TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX carrier_invoices_file ON carrier_invoices (carrier COLLATE NOCASE, sha256) WHERE sha256 <> '';

-- The Charges tab and the workbook read a month's charges by day, page by
-- page: without this index each page sorted the whole table.
CREATE INDEX charges_day ON charges (day, id);
