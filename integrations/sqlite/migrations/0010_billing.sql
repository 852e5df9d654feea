-- Portolan schema 10: billing. Clients (the merchants billed) and the
-- channels whose orders are theirs, dated rate cards, exchange rates,
-- charges linked to their source (never charged twice), invoices that are
-- immutable once issued, payments with their exchange differences, and
-- carrier invoices reconciled against the parcels they charge.

CREATE TABLE clients (
    id           INTEGER PRIMARY KEY,
    code         TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    name         TEXT    NOT NULL,
    currency     TEXT    NOT NULL CHECK (length(currency) = 3),
    payment_days INTEGER NOT NULL DEFAULT 30,
    tax_bp       INTEGER NOT NULL DEFAULT 0 CHECK (tax_bp BETWEEN 0 AND 10000),
    vat_number   TEXT    NOT NULL DEFAULT '',
    address      TEXT    NOT NULL DEFAULT '{}',
    bill_per     TEXT    NOT NULL DEFAULT 'period' CHECK (bill_per IN ('period', 'order', 'shipment'))
);

-- What a box costs the warehouse (for margins), in the planning currency.
ALTER TABLE boxes ADD COLUMN cost_minor INTEGER NOT NULL DEFAULT 0 CHECK (cost_minor >= 0);
UPDATE boxes SET cost_minor = CASE code WHEN 'MAILER' THEN 12 WHEN 'S' THEN 28 WHEN 'M' THEN 41 WHEN 'L' THEN 63 WHEN 'XL' THEN 95 ELSE 0 END;

CREATE TABLE client_channels (
    channel_id INTEGER PRIMARY KEY REFERENCES channels (id),
    client_id  INTEGER NOT NULL REFERENCES clients (id)
);

ALTER TABLE products ADD COLUMN client_id INTEGER REFERENCES clients (id);

CREATE TABLE rate_cards (
    id             INTEGER PRIMARY KEY,
    client_id      INTEGER NOT NULL REFERENCES clients (id),
    effective_from TEXT    NOT NULL, -- YYYY-MM-DD (UTC)
    currency       TEXT    NOT NULL,
    rates          TEXT    NOT NULL, -- JSON of the card's prices
    UNIQUE (client_id, effective_from)
);

CREATE TABLE fx_rates (
    day   TEXT NOT NULL, -- YYYY-MM-DD
    base  TEXT NOT NULL,
    quote TEXT NOT NULL,
    rate  TEXT NOT NULL, -- exact decimal
    PRIMARY KEY (day, base, quote)
) WITHOUT ROWID;

CREATE TABLE invoices (
    id          INTEGER PRIMARY KEY,
    number      TEXT UNIQUE, -- given when issued
    client_id   INTEGER NOT NULL REFERENCES clients (id),
    period_from TEXT    NOT NULL,
    period_to   TEXT    NOT NULL, -- exclusive
    date        TEXT,             -- invoice date, when issued
    due         TEXT,
    currency    TEXT    NOT NULL,
    net         INTEGER NOT NULL,
    tax         INTEGER NOT NULL,
    paid        INTEGER NOT NULL DEFAULT 0,
    status      TEXT    NOT NULL DEFAULT 'draft'
                CHECK (status IN ('draft', 'issued', 'partly_paid', 'paid', 'credit_note', 'credited')),
    corrects    INTEGER REFERENCES invoices (id),
    fx          TEXT    NOT NULL DEFAULT '', -- the rates charges in other currencies were converted at, on the invoice date
    created_at  INTEGER NOT NULL
);
CREATE INDEX invoices_client ON invoices (client_id, period_from);

-- An issued invoice's number, client, amounts and dates never change; only
-- what was paid and its status move. It is never deleted.
CREATE TRIGGER invoices_immutable BEFORE UPDATE OF number, client_id, period_from, period_to, date, due, currency, net, tax, corrects, fx ON invoices
WHEN OLD.number IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'an issued invoice cannot be changed; issue a credit note');
END;
CREATE TRIGGER invoices_no_delete BEFORE DELETE ON invoices WHEN OLD.number IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'an issued invoice cannot be deleted; issue a credit note');
END;

CREATE TABLE charges (
    id          INTEGER PRIMARY KEY,
    client_id   INTEGER NOT NULL REFERENCES clients (id),
    type        TEXT    NOT NULL,
    day         TEXT    NOT NULL, -- YYYY-MM-DD
    source_kind TEXT    NOT NULL,
    source_id   INTEGER NOT NULL,
    order_id    INTEGER REFERENCES orders (id), -- for order and parcel charges
    ref         TEXT    NOT NULL,
    qty         INTEGER NOT NULL,
    rate        INTEGER NOT NULL,
    amount      INTEGER NOT NULL,
    currency    TEXT    NOT NULL,
    invoice_id  INTEGER REFERENCES invoices (id),
    UNIQUE (client_id, type, source_kind, source_id)
);
-- Charges are found by client and day; an invoice's lines are its client's
-- charges of its period that carry its id (no index on invoice_id to keep
-- up while a month's charges go on its invoice).
CREATE INDEX charges_period ON charges (client_id, day);

-- Shipments whose charges have been accrued (whatever they came to), so a
-- month is not priced twice; cleared when a period is computed again. The
-- partial index finds the ones still to price without reading the others.
ALTER TABLE shipments ADD COLUMN accrued INTEGER NOT NULL DEFAULT 0;
CREATE INDEX shipments_to_accrue ON shipments (shipped_at) WHERE accrued = 0;

CREATE TRIGGER charges_invoiced_immutable BEFORE UPDATE ON charges
WHEN OLD.invoice_id IS NOT NULL AND (SELECT number FROM invoices WHERE id = OLD.invoice_id) IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'a charge on an issued invoice cannot be changed');
END;
CREATE TRIGGER charges_invoiced_no_delete BEFORE DELETE ON charges
WHEN OLD.invoice_id IS NOT NULL AND (SELECT number FROM invoices WHERE id = OLD.invoice_id) IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'a charge on an issued invoice cannot be deleted');
END;

CREATE TABLE payments (
    id            INTEGER PRIMARY KEY,
    invoice_id    INTEGER NOT NULL REFERENCES invoices (id),
    at            TEXT    NOT NULL,
    amount        INTEGER NOT NULL,
    currency      TEXT    NOT NULL,
    rate          TEXT    NOT NULL DEFAULT '1',
    applied       INTEGER NOT NULL, -- in the invoice's currency
    exchange_diff INTEGER NOT NULL DEFAULT 0,
    note          TEXT    NOT NULL DEFAULT ''
);

CREATE TABLE carrier_invoices (
    id          INTEGER PRIMARY KEY,
    carrier     TEXT    NOT NULL,
    file        TEXT    NOT NULL,
    period      TEXT    NOT NULL, -- YYYY-MM the invoice covers
    imported_at INTEGER NOT NULL
);

CREATE TABLE carrier_invoice_lines (
    id          INTEGER PRIMARY KEY,
    invoice_id  INTEGER NOT NULL REFERENCES carrier_invoices (id),
    row         INTEGER NOT NULL,
    tracking    TEXT    NOT NULL,
    class       TEXT    NOT NULL CHECK (class IN ('matched', 'over', 'not_ours', 'missing')),
    parcel_id   INTEGER REFERENCES parcels (id),
    order_no    TEXT    NOT NULL DEFAULT '',
    charged     INTEGER NOT NULL,
    expected    INTEGER NOT NULL,
    currency    TEXT    NOT NULL,
    diff        INTEGER NOT NULL,
    state       TEXT    NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'accepted', 'disputed'))
);
