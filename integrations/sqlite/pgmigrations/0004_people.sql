-- People and roles: a team database's people sign in as themselves (their
-- own login roles) and each belongs to one of four group roles of this
-- database, whose privileges the server enforces, whatever program the
-- person connects with:
--   coordinator  orders, allocation, channels, carriers, tracking
--   warehouse    receiving, putaway, transfers, counts, waves, packing,
--                dispatch, documents — written only in the person's
--                warehouses (row-level security)
--   finance      billing: clients, rate cards, exchange rates, invoices,
--                payments, carrier invoices
--   admin        people and settings, and all of the above
-- Every role reads everything. The group roles are named after the
-- database (several Portolan databases may share a server), and listed in
-- team_roles.

CREATE TABLE team_roles (
    role TEXT PRIMARY KEY CHECK (role IN ('coordinator', 'warehouse', 'finance', 'admin')),
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE people (
    login      TEXT   PRIMARY KEY,
    name       TEXT   NOT NULL,
    role       TEXT   NOT NULL REFERENCES team_roles (role),
    active     BIGINT NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at BIGINT NOT NULL,
    who        TEXT   NOT NULL DEFAULT ''
);

CREATE TABLE person_warehouses (
    login        TEXT   NOT NULL REFERENCES people (login) ON DELETE CASCADE,
    warehouse_id BIGINT NOT NULL REFERENCES warehouses (id),
    PRIMARY KEY (login, warehouse_id)
);

-- team_role is the name of this database's group role r.
CREATE FUNCTION team_role(r text) RETURNS text LANGUAGE sql STABLE SET search_path = portolan, pg_temp
    AS $$ SELECT name FROM team_roles WHERE role = r $$;

-- may_work_in says whether the session's person may change what warehouse
-- wh holds (a warehouse person: one of theirs).
CREATE FUNCTION may_work_in(wh bigint) RETURNS boolean LANGUAGE sql STABLE SET search_path = portolan, pg_temp
    AS $$ SELECT EXISTS (SELECT 1 FROM person_warehouses pw JOIN people p ON p.login = pw.login
                         WHERE pw.login = session_user AND p.active = 1 AND pw.warehouse_id = wh) $$;

-- Anyone the server lets in may ask whether they are one of the people
-- (and is told so, instead of "no such table").
GRANT USAGE ON SCHEMA portolan TO PUBLIC;
GRANT SELECT ON schema_migrations, team_roles, people TO PUBLIC;

DO $$
DECLARE
    r text;
    n text;
    t text;
    writes constant jsonb := '{
      "coordinator": ["channels", "channel_sync", "sync_runs", "quarantine", "orders", "order_lines", "order_history",
                      "products", "reservations", "allocations", "stock_balances", "stock_totals", "shipping_rates",
                      "carrier_accounts", "carrier_usage", "shipments", "tracking_payloads", "tracking_events",
                      "tracking_pushes", "print_log", "settings"],
      "warehouse":   ["orders", "order_history", "products", "lots", "locations", "stock_balances", "stock_movements",
                      "stock_totals", "reservations", "allocations", "transfers", "transfer_lines", "inbounds",
                      "inbound_lines", "counts", "count_bins", "count_lines", "waves", "wave_orders", "wave_lines",
                      "boxes", "manifests", "parcels", "parcel_lines", "print_log", "carrier_usage", "shipments",
                      "tracking_pushes", "settings"],
      "finance":     ["clients", "client_channels", "rate_cards", "fx_rates", "invoices", "charges", "payments",
                      "carrier_invoices", "carrier_invoice_lines", "print_log", "settings"]
    }';
BEGIN
    FOREACH r IN ARRAY ARRAY['coordinator', 'warehouse', 'finance', 'admin'] LOOP
        n := left(current_database(), 48) || '_' || r;
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = n) THEN
            EXECUTE format('CREATE ROLE %I NOLOGIN', n);
        END IF;
        INSERT INTO team_roles (role, name) VALUES (r, n);
        EXECUTE format('GRANT SELECT ON ALL TABLES IN SCHEMA portolan TO %I', n);
        EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA portolan GRANT SELECT ON TABLES TO %I', n);
        IF r = 'admin' THEN
            EXECUTE format('GRANT INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA portolan TO %I', n);
        ELSE
            FOR t IN SELECT jsonb_array_elements_text(writes -> r) LOOP
                EXECUTE format('GRANT INSERT, UPDATE, DELETE ON portolan.%I TO %I', t, n);
            END LOOP;
        END IF;
    END LOOP;
    -- What a warehouse person writes is their warehouses' (the others write
    -- in every warehouse); everyone reads every row.
    FOR t IN SELECT c.table_name FROM information_schema.columns c JOIN information_schema.tables tb USING (table_schema, table_name)
             WHERE c.table_schema = 'portolan' AND c.column_name = 'warehouse_id' AND tb.table_type = 'BASE TABLE'
             AND c.table_name NOT IN ('person_warehouses') LOOP
        EXECUTE format('ALTER TABLE portolan.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY everyone_reads ON portolan.%I FOR SELECT USING (true)', t);
        EXECUTE format('CREATE POLICY others_write ON portolan.%I TO %I, %I, %I USING (true) WITH CHECK (true)', t,
                       team_role('coordinator'), team_role('finance'), team_role('admin'));
        EXECUTE format('CREATE POLICY own_warehouses ON portolan.%I TO %I USING (may_work_in(warehouse_id)) WITH CHECK (may_work_in(warehouse_id))',
                       t, team_role('warehouse'));
    END LOOP;
    ALTER TABLE transfers ENABLE ROW LEVEL SECURITY;
    CREATE POLICY everyone_reads ON transfers FOR SELECT USING (true);
    EXECUTE format('CREATE POLICY others_write ON transfers TO %I, %I, %I USING (true) WITH CHECK (true)',
                   team_role('coordinator'), team_role('finance'), team_role('admin'));
    EXECUTE format('CREATE POLICY own_warehouses ON transfers TO %I USING (may_work_in(from_warehouse) OR may_work_in(to_warehouse)) '
                   'WITH CHECK (may_work_in(from_warehouse) OR may_work_in(to_warehouse))', team_role('warehouse'));
    -- Settings are one document per key: each role writes its own.
    ALTER TABLE settings ENABLE ROW LEVEL SECURITY;
    CREATE POLICY everyone_reads ON settings FOR SELECT USING (true);
    EXECUTE format('CREATE POLICY admin_writes ON settings TO %I USING (true) WITH CHECK (true)', team_role('admin'));
    EXECUTE format($p$CREATE POLICY planner ON settings TO %I USING (key = 'allocation') WITH CHECK (key = 'allocation')$p$, team_role('coordinator'));
    EXECUTE format($p$CREATE POLICY shipping ON settings TO %I USING (key = 'shipping') WITH CHECK (key = 'shipping')$p$, team_role('warehouse'));
    EXECUTE format($p$CREATE POLICY billing ON settings TO %I USING (key LIKE 'billing.%%' OR key LIKE 'carrier_invoice_mapping.%%')
                   WITH CHECK (key LIKE 'billing.%%' OR key LIKE 'carrier_invoice_mapping.%%')$p$, team_role('finance'));
    -- An admin is every role at once, and adds people to them.
    EXECUTE format('GRANT %I, %I, %I TO %I', team_role('coordinator'), team_role('warehouse'), team_role('finance'), team_role('admin'));
END $$;
