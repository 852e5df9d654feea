-- A channel's shipping promise: its default carrier service and the days
-- to the promised delivery (as SQLite's 0020).
ALTER TABLE channels ADD COLUMN ship_service TEXT NOT NULL DEFAULT '';
ALTER TABLE channels ADD COLUMN promise_days BIGINT NOT NULL DEFAULT 0 CHECK (promise_days BETWEEN 0 AND 90);
