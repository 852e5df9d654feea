-- Portolan schema 19: DHL Express (MyDHL API) shipping accounts, and the
-- options an account has beside its credentials (the account number labels
-- are billed to, paperless trade).
--
-- The column comes first: ALTER TABLE works from the table as SQLite last
-- parsed it. SQLite cannot change a CHECK constraint in place, and
-- rebuilding carrier_accounts would run the ON DELETE actions of the tables
-- that refer to it (their usage and label purchases would go); so the kind
-- check is widened in the stored schema itself, as SQLite documents for
-- constraint changes (https://www.sqlite.org/lang_altertable.html, "Making
-- Other Kinds Of Table Schema Changes"), and the schema is read again.
ALTER TABLE carrier_accounts ADD COLUMN options TEXT NOT NULL DEFAULT '{}';
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
   SET sql = replace(sql, '''usps'', ''easypost'')', '''usps'', ''easypost'', ''dhl-express'')')
 WHERE type = 'table' AND name = 'carrier_accounts';
PRAGMA writable_schema = RESET;
