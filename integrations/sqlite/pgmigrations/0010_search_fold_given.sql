-- A sync's batch insert folds the search text itself, exactly as fold() and
-- word_starts() would (integrations/sqlite/pgfold.go): the server computes
-- them only for an order written without them.
DROP TRIGGER orders_fold_search ON orders;
CREATE TRIGGER orders_fold_search BEFORE INSERT ON orders
    FOR EACH ROW WHEN (NEW.search_fold = '') EXECUTE FUNCTION orders_fold_search();
CREATE TRIGGER orders_fold_search_update BEFORE UPDATE OF search_text ON orders
    FOR EACH ROW EXECUTE FUNCTION orders_fold_search();
