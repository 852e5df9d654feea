-- The Overview's finance counts from indexes (as SQLite's 0024).
CREATE INDEX charges_day_sums ON charges (day, currency, amount);
CREATE INDEX carrier_invoice_lines_open ON carrier_invoice_lines (invoice_id) WHERE state = 'open';
