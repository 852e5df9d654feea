-- A sync of many orders appends their search entries to the two indexes'
-- pending lists (cheap) instead of merging them into the indexes order by
-- order; the merge runs once, in the background, after the sync
-- (clean_order_search), or when a list passes 64 MB. Until then a search
-- reads the pending entries too: the same results, a little slower.
ALTER INDEX orders_search SET (gin_pending_list_limit = 65536);
ALTER INDEX orders_search_starts SET (gin_pending_list_limit = 65536);

-- Merging an index's pending list is for its owner; the people who load
-- orders may ask for it through this function.
CREATE FUNCTION clean_order_search() RETURNS bigint LANGUAGE sql SECURITY DEFINER SET search_path = portolan, pg_catalog, pg_temp
    AS $$ SELECT gin_clean_pending_list('portolan.orders_search'::regclass) + gin_clean_pending_list('portolan.orders_search_starts'::regclass) $$;
REVOKE ALL ON FUNCTION clean_order_search() FROM PUBLIC;
DO $$
BEGIN
    EXECUTE format('GRANT EXECUTE ON FUNCTION clean_order_search() TO %I', team_role('coordinator'));
END $$;
