-- Portolan schema 20: a channel's shipping promise — the carrier service
-- its orders go with when the order names none Portolan can buy, and the
-- days from an order's placing by which delivery is promised (0: none).
-- A label purchase picks by them (domain.LabelChoice.PickFor).
ALTER TABLE channels ADD COLUMN ship_service TEXT NOT NULL DEFAULT '';
ALTER TABLE channels ADD COLUMN promise_days INTEGER NOT NULL DEFAULT 0 CHECK (promise_days BETWEEN 0 AND 90);
