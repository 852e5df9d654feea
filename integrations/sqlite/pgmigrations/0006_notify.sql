-- Live screens: each committed statement that changes a table the screens
-- show tells every Portolan listening (LISTEN portolan) which table it
-- was; the server sends it at commit, once per table and transaction.
CREATE FUNCTION notify_change() RETURNS trigger LANGUAGE plpgsql SET search_path = portolan, pg_temp AS $$
BEGIN
    PERFORM pg_notify('portolan', TG_TABLE_NAME);
    RETURN NULL;
END $$;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['orders', 'order_lines', 'stock_totals', 'stock_balances', 'waves', 'parcels', 'manifests',
                             'shipments', 'tracking_events', 'invoices', 'payments', 'charges', 'carrier_invoice_lines',
                             'channels', 'sync_runs', 'people', 'allocations'] LOOP
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE ON %I FOR EACH STATEMENT EXECUTE FUNCTION notify_change()',
                       t || '_notify', t);
    END LOOP;
END $$;
