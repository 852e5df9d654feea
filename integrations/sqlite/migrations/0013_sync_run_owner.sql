-- Which process runs a sync or import ("host:pid"), so that a run left
-- "running" by a process that was killed can be told apart from one still
-- under way, and marked as interrupted at the next start.
ALTER TABLE sync_runs ADD COLUMN owner TEXT NOT NULL DEFAULT '';
