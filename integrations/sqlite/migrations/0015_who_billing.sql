-- Who did it, for billing and settings: who drafted and who issued each
-- invoice, who recorded each payment, who imported a carrier invoice and
-- who accepted or disputed its lines, who last changed each setting (and
-- when). Written with who(), as order history and movements are.
ALTER TABLE invoices ADD COLUMN drafted_by TEXT NOT NULL DEFAULT '';
ALTER TABLE invoices ADD COLUMN issued_by TEXT NOT NULL DEFAULT '';
ALTER TABLE payments ADD COLUMN who TEXT NOT NULL DEFAULT '';
ALTER TABLE carrier_invoices ADD COLUMN imported_by TEXT NOT NULL DEFAULT '';
ALTER TABLE carrier_invoice_lines ADD COLUMN decided_by TEXT NOT NULL DEFAULT '';
ALTER TABLE settings ADD COLUMN changed_by TEXT NOT NULL DEFAULT '';
ALTER TABLE settings ADD COLUMN changed_at INTEGER NOT NULL DEFAULT 0;
