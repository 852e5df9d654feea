-- The orders search on a million orders: the folded search text is kept
-- (not folded again for every row a search reads), with its trigram index;
-- and each order's word starts (the first one and two characters of every
-- word), with an index of their own, serve one- and two-character searches
-- ("mü" finds Müller, "山田" finds 山田 太郎) as SQLite's orders_words does.
-- Both are written when the search text is, folding it once.
CREATE FUNCTION word_starts(t text) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    RETURN ARRAY(SELECT DISTINCT v.p FROM unnest(regexp_split_to_array(t, '\W+')) AS w, LATERAL (VALUES (left(w, 1)), (left(w, 2))) AS v(p)
                 WHERE w <> '');

ALTER TABLE orders ADD COLUMN search_fold TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN search_starts TEXT[] NOT NULL DEFAULT '{}';

CREATE FUNCTION orders_fold_search() RETURNS trigger LANGUAGE plpgsql SET search_path = portolan, pg_temp AS $$
BEGIN
    NEW.search_fold := fold(NEW.search_text);
    NEW.search_starts := word_starts(NEW.search_fold);
    RETURN NEW;
END $$;
CREATE TRIGGER orders_fold_search BEFORE INSERT OR UPDATE OF search_text ON orders
    FOR EACH ROW EXECUTE FUNCTION orders_fold_search();
UPDATE orders SET search_text = search_text;

DROP INDEX orders_search;
CREATE INDEX orders_search ON orders USING gin (search_fold gin_trgm_ops);
CREATE INDEX orders_search_starts ON orders USING gin (search_starts);
