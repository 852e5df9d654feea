-- Carrier labels bought for parcels. Buying is money, so a purchase is
-- written down as 'buying' before the carrier is asked; the carrier's answer
-- makes it 'bought' (or 'failed': nothing was bought), and no answer makes
-- it 'uncertain' until the carrier is asked whether the shipment was sold.
-- A parcel has at most one purchase that is not failed or voided, so no
-- second label is bought while the first may exist.
CREATE TABLE label_purchases (
    id           INTEGER PRIMARY KEY,
    parcel_id    INTEGER NOT NULL REFERENCES parcels (id),
    account_id   INTEGER REFERENCES carrier_accounts (id) ON DELETE SET NULL,
    account      TEXT    NOT NULL,
    shipment_ref TEXT    NOT NULL CHECK (shipment_ref <> ''),
    rate_ref     TEXT    NOT NULL,
    carrier      TEXT    NOT NULL,
    service      TEXT    NOT NULL,
    quoted_minor INTEGER NOT NULL CHECK (quoted_minor >= 0),
    currency     TEXT    NOT NULL CHECK (length(currency) = 3),
    state        TEXT    NOT NULL CHECK (state IN ('buying', 'uncertain', 'bought', 'failed', 'voided')),
    tracking     TEXT    NOT NULL DEFAULT '',
    cost_minor   INTEGER,
    label_format TEXT    NOT NULL DEFAULT '',
    label_url    TEXT    NOT NULL DEFAULT '',
    refund       TEXT    NOT NULL DEFAULT '',
    error        TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    who          TEXT    NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX label_purchases_live ON label_purchases (parcel_id) WHERE state IN ('buying', 'uncertain', 'bought');
