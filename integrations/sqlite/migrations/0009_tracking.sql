-- Portolan schema 9: carrier tracking. Carrier API accounts with their
-- budgets (requests used per UTC day, shared by every Portolan process),
-- shipments (a parcel on its way, or one shipped outside Portolan) with
-- their normalised milestone and polling schedule, deduplicated tracking
-- events with the carrier's raw answer, and the queue of tracking numbers
-- to push back to the storefronts.

CREATE TABLE carrier_accounts (
    id          INTEGER PRIMARY KEY,
    kind        TEXT    NOT NULL CHECK (kind IN ('dhl', 'ups', 'fedex', 'usps', 'easypost')),
    name        TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    base_url    TEXT    NOT NULL,
    credentials TEXT    NOT NULL DEFAULT '{}',
    per_second  REAL    NOT NULL CHECK (per_second > 0),
    per_day     INTEGER NOT NULL CHECK (per_day > 0),
    failing     TEXT    NOT NULL DEFAULT '',
    checked_at  INTEGER,
    created_at  INTEGER NOT NULL
);

CREATE TABLE carrier_usage (
    account_id INTEGER NOT NULL REFERENCES carrier_accounts (id) ON DELETE CASCADE,
    day        TEXT    NOT NULL, -- UTC, YYYY-MM-DD (carriers reset quotas at 00:00 GMT)
    used       INTEGER NOT NULL DEFAULT 0 CHECK (used >= 0),
    PRIMARY KEY (account_id, day)
) WITHOUT ROWID;

CREATE TABLE shipments (
    id            INTEGER PRIMARY KEY,
    parcel_id     INTEGER UNIQUE REFERENCES parcels (id),
    order_id      INTEGER NOT NULL REFERENCES orders (id),
    carrier       TEXT    NOT NULL CHECK (carrier <> ''),
    tracking      TEXT    NOT NULL CHECK (tracking <> ''),
    destination   TEXT    NOT NULL DEFAULT '',
    shipped_at    INTEGER NOT NULL,
    milestone     TEXT    NOT NULL DEFAULT 'label_created',
    status        TEXT    NOT NULL DEFAULT '',
    last_event_at INTEGER,
    eta           INTEGER,
    next_poll_at  INTEGER, -- NULL: never again (delivered or returned)
    polled_at     INTEGER,
    unchanged     INTEGER NOT NULL DEFAULT 0,
    error         TEXT    NOT NULL DEFAULT '',
    delivered_at  INTEGER,
    UNIQUE (carrier, tracking)
);
CREATE INDEX shipments_order ON shipments (order_id);
CREATE INDEX shipments_due ON shipments (next_poll_at) WHERE next_poll_at IS NOT NULL;
CREATE INDEX shipments_problem ON shipments (milestone, last_event_at)
    WHERE milestone IN ('exception', 'delivery_failed', 'customs_hold', 'returned_to_sender');
CREATE INDEX shipments_quiet ON shipments (coalesce(last_event_at, shipped_at))
    WHERE milestone NOT IN ('delivered', 'returned_to_sender');
CREATE INDEX shipments_late ON shipments (eta)
    WHERE eta IS NOT NULL AND milestone NOT IN ('delivered', 'returned_to_sender');
CREATE INDEX shipments_shipped ON shipments (shipped_at);

CREATE TABLE tracking_payloads (
    id          INTEGER PRIMARY KEY,
    shipment_id INTEGER NOT NULL REFERENCES shipments (id) ON DELETE CASCADE,
    at          INTEGER NOT NULL,
    body        TEXT    NOT NULL
);

CREATE TABLE tracking_events (
    id          INTEGER PRIMARY KEY,
    shipment_id INTEGER NOT NULL REFERENCES shipments (id) ON DELETE CASCADE,
    at          INTEGER NOT NULL,
    code        TEXT    NOT NULL,
    location    TEXT    NOT NULL,
    text        TEXT    NOT NULL,
    milestone   TEXT    NOT NULL,
    payload_id  INTEGER REFERENCES tracking_payloads (id),
    UNIQUE (shipment_id, at, code, location)
);

CREATE TABLE tracking_pushes (
    id          INTEGER PRIMARY KEY,
    shipment_id INTEGER NOT NULL UNIQUE REFERENCES shipments (id) ON DELETE CASCADE,
    state       TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'failed')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    next_at     INTEGER NOT NULL,
    error       TEXT    NOT NULL DEFAULT '',
    done_at     INTEGER
);
CREATE INDEX tracking_pushes_due ON tracking_pushes (next_at) WHERE state = 'pending';
