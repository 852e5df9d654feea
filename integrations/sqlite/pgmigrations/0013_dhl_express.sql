-- DHL Express (MyDHL API) shipping accounts, and an account's options
-- beside its credentials (as SQLite's 0019).
ALTER TABLE carrier_accounts ADD COLUMN options TEXT NOT NULL DEFAULT '{}';
ALTER TABLE carrier_accounts DROP CONSTRAINT carrier_accounts_kind_check;
ALTER TABLE carrier_accounts ADD CONSTRAINT carrier_accounts_kind_check
    CHECK (kind IN ('dhl', 'ups', 'fedex', 'usps', 'easypost', 'dhl-express'));
